"""Splits the body text into the report's numbered sections (一、总体情况 … 六、其他需要报告的事项)."""

from __future__ import annotations

import re

from crawler.parse.model import Section

KNOWN: tuple[tuple[int, tuple[str, ...]], ...] = (
    (1, ("总体情况", "总体概况", "基本情况", "概述")),
    (2, ("主动公开政府信息情况", "主动公开政府信息", "主动公开情况")),
    (
        3,
        (
            "收到和处理政府信息公开申请情况",
            "收到和处理政府信息公开申请",
            "依申请公开政府信息情况",
            "依申请公开情况",
        ),
    ),
    (
        4,
        (
            "政府信息公开行政复议、行政诉讼情况",
            "政府信息公开行政复议",
            "行政复议、行政诉讼情况",
            "行政复议、行政诉讼",
            "因政府信息公开",
        ),
    ),
    (5, ("存在的主要问题及改进情况", "存在的主要问题", "主要问题及改进情况", "存在问题", "存在的问题")),
    (6, ("其他需要报告的事项", "其他需要报告")),
)
_CN = "一二三四五六七八九十"
_NUM = re.compile(
    rf"^\s*(?:第\s*([{_CN}]{{1,3}})\s*(?:部分|章)\s*[、.．:：]?|([{_CN}]{{1,3}})\s*[、.．:：]|(\d{{1,2}})\s*[、．](?!\d))\s*"
)
_ALT = "|".join(re.escape(v) for _, vs in KNOWN for v in vs if len(v) >= 4)
_MERGED = re.compile(rf"(?<=[。；;！!？?])\s*(?=(?:第\s*)?[{_CN}]\s*(?:部分)?\s*[、.．]\s*(?:{_ALT}))")
# a numbered heading inside a run-on line (after a sentence, or an e-mail address ending the preamble)
_RUN_ON = re.compile(rf"(?<=[。；;！!？?A-Za-z])\s*(?=[{_CN}]{{1,2}}\s*、)")
_RUN_ON_LENGTH = 300  # a line this long holds several paragraphs (a page saved as one line of text)
_HEADING_WORD = re.compile(r"情况|措施|事项|概述|统计表|问题|说明")
_TITLE_END = re.compile(r"[。：:；;，,（(\s\d]")
_SENTENCE = re.compile(r"[。，,；;！？]")
_TRAIL = re.compile(r"[\s。:：；;，,\u00a0\u3000]+$")
_WS = re.compile(r"[\s\u00a0\u3000]+")
_TABLE_LABEL = re.compile(r"结转下年度|本年度办理结果|本年新收|上年结转|申请数量")


def _cn_number(s: str) -> int:
    if s.isdigit():
        return int(s)
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + _CN.index(s[1]) + 1
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN.index(tens) + 1) * 10 + (_CN.index(ones) + 1 if ones else 0)
    return _CN.index(s) + 1


def _split_title(rest: str, title_len: int) -> tuple[str, str]:
    """The heading text up to the end of the known title, and what follows on the same line."""
    squeezed = 0
    for i, ch in enumerate(rest):
        if not ch.isspace():
            squeezed += 1
        if squeezed == title_len:
            head, tail = rest[: i + 1], rest[i + 1 :]
            return _WS.sub("", head), tail.lstrip(" 。:：；;\u00a0\u3000").rstrip()
    return _WS.sub("", rest), ""


def _natural_title(rest: str) -> str:
    """A heading's words up to where a sentence, a number or a bracket begins (at most 40 characters)."""
    words = rest.strip()
    end = _TITLE_END.search(words)
    title = _trim_title(words[: end.start()] if end else words)
    return title if len(title) <= 40 else ""


def _trim_title(words: str) -> str:
    """A heading glued to its first sentence ('存在的主要问题和改进措施虽然我区…') ends at its last heading word."""
    ends = [m.end() for m in _HEADING_WORD.finditer(words)]
    return words[: ends[-1]] if ends else words


def _heading(rest: str, variant: str) -> tuple[str, str]:
    """Title and same-line text of a heading that starts with a known title: the whole line is the title
    unless what follows the known title reads like a sentence (merged heading and paragraph)."""
    title, tail = _split_title(rest, len(variant))
    natural = _natural_title(rest)
    if tail and natural.startswith(title) and len(natural) > len(title):
        # '五、因政府信息公开申请行政复议、提起行政诉讼的情况2016年…': the heading runs to its natural end
        return _split_title(rest, len(natural))
    # '六、其他需要报告的事项 无其他需要报告的事项': a space after the known title ends the heading
    spaced = bool(tail) and bool(re.search(rf"{re.escape(variant[-1])}[\s\u00a0\u3000]+\S", rest))
    if (
        not spaced
        and not _SENTENCE.search(tail)
        and len(_WS.sub("", rest)) <= 40
        and not re.search(r"\d", tail)
    ):
        return _TRAIL.sub("", _WS.sub("", rest)), ""
    return title, tail


def _known_sections(lines: list[str], table: list[bool]) -> list[tuple[int, int, str, str]]:
    found: list[tuple[int, int, str, str]] = []  # (line index, no, title, rest of line)
    last = 0
    for i, line in enumerate(lines):
        if table[i] or "\t" in line or line.lstrip().startswith(("(", "（")):
            continue
        m = _NUM.match(line)
        if m is None and len(line) > 400:  # a long line is a heading only when it starts with a number
            continue
        rest = line[m.end() :] if m else line.strip()
        squeezed = _WS.sub("", rest)
        for no, variants in KNOWN:
            if no <= last:
                continue
            variant = next((v for v in variants if squeezed.startswith(v)), None)
            if variant is None:
                continue
            if m is None and _TRAIL.sub("", squeezed) not in variants:
                continue
            title, tail = _heading(rest, variant)
            found.append((i, no, title, tail))
            last = no
            break
    return found


def _generic_sections(lines: list[str], table: list[bool]) -> list[tuple[int, int, str, str]]:
    found: list[tuple[int, int, str, str]] = []
    expected = 1
    for i, line in enumerate(lines):
        if table[i] or "\t" in line or line.lstrip().startswith(("(", "（")):
            continue
        m = _NUM.match(line)
        if not m or m.group(3):
            continue
        no = _cn_number(m.group(1) or m.group(2))
        if no != expected:
            continue
        rest = line[m.end() :].strip()
        if not rest or re.search(r"\d+\s+\d+", rest[:40]) or _TABLE_LABEL.search(rest[:40]):
            continue
        squeezed = _WS.sub("", rest)
        variant = next((v for _, vs in KNOWN for v in vs if squeezed.startswith(v)), None)
        if variant is not None:
            title, tail = _heading(rest, variant)
        elif len(rest) <= 40 and "。" not in rest:
            title, tail = _TRAIL.sub("", rest), ""
        else:
            cut = re.search(r"[。：:；;，,\s]|(?=[（(])|(?<=[\u4e00-\u9fff])(?=\d)", rest)
            if not cut or cut.start() > 30:
                continue
            title = _trim_title(rest[: cut.start()])
            tail = rest[len(title) :] if len(title) < cut.start() else rest[cut.end() :]
        found.append((i, no, _WS.sub("", title), tail.strip()))
        expected += 1
    return found


def find_sections(lines: list[str], table_lines: set[int] | frozenset[int] = frozenset()) -> list[Section]:
    """Sections by known titles (any numbering) or, for free-form reports, by 一、二、三… headings.

    Section text is the prose between headings: lines printing table rows (`table_lines`) are left out.
    """
    split: list[str] = []
    table: list[bool] = []
    for i, line in enumerate(lines):
        parts = [line] if i in table_lines or "\t" in line else [p for p in _MERGED.split(line) if p.strip()]
        if len(line) > _RUN_ON_LENGTH and i not in table_lines:
            parts = [q for p in parts for q in _RUN_ON.split(p) if q.strip()]
        split.extend(parts)
        table.extend([i in table_lines] * len(parts))
    known = _known_sections(split, table)
    generic = _generic_sections(split, table)
    chosen = generic if len(generic) >= len(known) else known
    sections = []
    for k, (i, no, title, tail) in enumerate(chosen):
        end = chosen[k + 1][0] if k + 1 < len(chosen) else len(split)
        body = ([tail] if tail else []) + [split[j].strip() for j in range(i + 1, end) if not table[j]]
        sections.append(Section(no=no, title=title, text="\n".join(body).strip()))
    return sections
