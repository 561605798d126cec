"""Golden-case scoring: compare parser output with <case>.expected.json (`nianbao eval`, golden tests)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.parse.document import parse_file
from crawler.parse.model import ParsedReport, ReportHints

TABLES = ("table2", "table3", "table4")
FIELDS = (
    "title",
    "agency",
    "year",
    "format",
    "parse_status",
    "publish_date",
    "source_format",
    "table_is_image",
)
_WS = re.compile(r"\s+")


@dataclass
class Mismatch:
    """One expected item the parser got wrong."""

    kind: str  # field | table2 | table3 | table4 | sections | checks | blank_cells | errors
    where: str
    expected: Any
    actual: Any

    def line(self) -> str:
        return f"{self.where}: expected {self.expected!r}, got {self.actual!r}"


@dataclass
class Comparison:
    """Right/expected counts per kind for one case, and what was wrong."""

    right: dict[str, int] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)
    wrong: list[Mismatch] = field(default_factory=list)

    def tally(self, kind: str, ok: bool, where: str, expected: Any, actual: Any) -> None:
        self.total[kind] = self.total.get(kind, 0) + 1
        if ok:
            self.right[kind] = self.right.get(kind, 0) + 1
        else:
            self.wrong.append(Mismatch(kind, where, expected, actual))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(a - b) <= 1e-9 * max(1.0, abs(a))
    return a == b


def compare(expected: dict[str, Any], actual: dict[str, Any]) -> Comparison:
    """Compare every key present in `expected` with the parser's contract dict. Cells of a listed table that
    the expected JSON does not list, and check results no expected item covers, count as errors. With
    `_empty_ok` (text copies whose cells ran together) a cell left empty is tallied as `empty`, not wrong —
    and then the report must say `partial`."""
    cmp = Comparison()
    empty_ok = bool(expected.get("_empty_ok"))
    empties = 0
    for key, exp in expected.items():
        if key in TABLES:
            got = actual.get(key)
            if exp is None:
                cmp.tally(key, got is None, f"{key}", None, "present" if got else None)
                continue
            for row, cols in exp.items():
                for col, value in cols.items():
                    have = (got or {}).get(row, {}).get(col, "<missing>")
                    if empty_ok and have == "<missing>":
                        cmp.tally("empty", True, f"{key}.{row}.{col}", value, None)
                        empties += 1
                        continue
                    cmp.tally(key, _same(value, have), f"{key}.{row}.{col}", value, have)
            for row, cols in (got or {}).items():
                for col, value in cols.items():
                    if col not in exp.get(row, {}):
                        cmp.tally(key, False, f"{key}.{row}.{col} (extra)", "<absent>", value)
        elif key == "sections":
            got_by_no = {s["no"]: s for s in actual.get("sections", [])}
            for sec in exp:
                have = got_by_no.get(sec["no"])
                ok = have is not None and have["title"] == sec["title"]
                if ok and "text" in sec:
                    ok = _WS.sub("", have["text"]) == _WS.sub("", sec["text"])
                if ok and "text_contains" in sec:
                    ok = all(_WS.sub("", t) in _WS.sub("", have["text"]) for t in sec["text_contains"])
                shown = None if have is None else {"title": have["title"], "text": have["text"][:80]}
                cmp.tally("sections", ok, f"sections[{sec['no']}]", sec, shown)
            extra = sorted(set(got_by_no) - {s["no"] for s in exp})
            cmp.tally("sections", not extra, "sections (extra)", [], extra)
        elif key == "checks":
            covered: set[int] = set()
            # items naming a detail first; an item with only a rule covers the rest of that rule's results
            for chk in sorted(exp, key=lambda c: not _FILTERS & c.keys()):
                found = [
                    (i, c)
                    for i, c in enumerate(actual.get("checks", []))
                    if _covers(chk, c) and (i not in covered or _FILTERS & chk.keys())
                ]
                covered.update(i for i, _ in found)
                ok = bool(found) and all(c["ok"] == chk["ok"] for _, c in found)
                shown = [(c["ok"], c["detail"]) for _, c in found][:4]
                cmp.tally("checks", ok, f"checks[{chk['rule']}]", chk, shown)
            for i, c in enumerate(actual.get("checks", [])):
                if i not in covered:
                    cmp.tally(
                        "checks", False, f"checks[{c['rule']}] (unlisted)", "<absent>", (c["ok"], c["detail"])
                    )
        elif key == "blank_cells":
            got = actual.get("blank_cells", [])
            cmp.tally("blank_cells", sorted(exp) == sorted(got), "blank_cells", sorted(exp), sorted(got))
        elif key in ("errors", "warnings"):
            got = actual.get(key, [])
            if not exp:
                cmp.tally("errors", not got, key, [], got)
            for fragment in exp:
                cmp.tally("errors", any(fragment in e for e in got), key, fragment, got)
        elif key.startswith("_"):
            continue
        else:
            cmp.tally("field", _same(exp, actual.get(key)), key, exp, actual.get(key))
    if empty_ok:
        want = "partial" if empties else "ok"
        cmp.tally(
            "field",
            actual.get("parse_status") == want,
            "parse_status (cells left empty)",
            want,
            actual.get("parse_status"),
        )
    return cmp


_FILTERS = {"detail", "cells", "detail_contains", "detail_prefix"}


def _covers(chk: dict[str, Any], c: dict[str, Any]) -> bool:
    return (
        c["rule"] == chk["rule"]
        and all(c.get(k) == chk[k] for k in ("detail", "cells") if k in chk)
        and ("detail_contains" not in chk or chk["detail_contains"] in c["detail"])
        and ("detail_prefix" not in chk or c["detail"].startswith(chk["detail_prefix"]))
    )


def case_files(directory: Path) -> list[tuple[Path, Path]]:
    """(<case>.<ext>, <case>.expected.json) pairs of a golden directory, sorted by name."""
    pairs = []
    for expected in sorted(directory.glob("*.expected.json")):
        stem = expected.name[: -len(".expected.json")]
        sources = [p for p in directory.glob(f"{stem}.*") if p != expected and not p.name.endswith(".json")]
        if sources:
            pairs.append((sources[0], expected))
    return pairs


def run_case(source: Path, expected_path: Path) -> tuple[ParsedReport, Comparison]:
    """Parse one golden case (with the hints its expected JSON names under `_hints`) and compare."""
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    hints = ReportHints(**expected.get("_hints", {}))
    report = parse_file(source, hints=hints)
    return report, compare(expected, report.to_contract())


@dataclass
class Score:
    """Totals over a golden directory."""

    cases: int = 0
    perfect_cases: int = 0
    right: dict[str, int] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)

    def add(self, cmp: Comparison) -> None:
        self.cases += 1
        self.perfect_cases += not cmp.wrong
        for k, v in cmp.total.items():
            self.total[k] = self.total.get(k, 0) + v
            self.right[k] = self.right.get(k, 0) + cmp.right.get(k, 0)

    def _part(self, kind: str) -> str:
        r, t = self.right.get(kind, 0), self.total.get(kind, 0)
        pct = 100.0 * r / t if t else 100.0
        return f"{kind} {r}/{t} ({pct:.1f}%)"

    @property
    def perfect(self) -> bool:
        return self.cases > 0 and self.perfect_cases == self.cases

    def line(self, label: str = "eval") -> str:
        kinds = [*TABLES, "sections", "checks", "blank_cells", "field", "errors"]
        parts = ", ".join(self._part(k) for k in kinds if self.total.get(k))
        empty = self.total.get("empty", 0)
        tail = f", cells left empty {empty}" if empty else ""
        return f"{label}: {self.perfect_cases}/{self.cases} cases perfect; {parts}{tail}"


# what a golden case is made of, from its expected JSON's `_source.kind`
KINDS = {
    "real": "real documents",
    "real-flattened": "real documents, cells run together",
    "constructed": "constructed",
}


def case_kind(expected: dict[str, Any]) -> str:
    source = expected.get("_source")
    kind = source.get("kind") if isinstance(source, dict) else None
    return kind if kind in KINDS else "constructed"


@dataclass
class Scores:
    """A Score per kind of case (real, real flattened, constructed) and over all."""

    by_kind: dict[str, Score] = field(default_factory=dict)
    overall: Score = field(default_factory=Score)

    @property
    def perfect(self) -> bool:
        return self.overall.perfect

    def line(self) -> str:
        lines = [self.by_kind[k].line(f"eval {KINDS[k]}") for k in KINDS if k in self.by_kind]
        return "\n".join([*lines, self.overall.line("eval all")])


def evaluate_dir(path: Path, *, verbose: bool, echo: Callable[[str], None]) -> Scores:
    """Score every golden case of a directory; with verbose, one line per case and every wrong item."""
    score = Scores()
    for source, expected in case_files(Path(path)):
        report, cmp = run_case(source, expected)
        kind = case_kind(json.loads(expected.read_text(encoding="utf-8")))
        score.by_kind.setdefault(kind, Score()).add(cmp)
        score.overall.add(cmp)
        if verbose or cmp.wrong:
            status = "ok" if not cmp.wrong else f"{len(cmp.wrong)} wrong"
            echo(f"{source.name}: {status} (parse_status {report.parse_status})")
            for m in cmp.wrong[: 50 if verbose else 5]:
                echo(f"  {m.line()}")
    return score


@dataclass
class Recovery:
    """Cells of a text copy against the truth of its source document: right, wrong, left empty, extra."""

    right: int = 0
    wrong: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.right + len(self.wrong) + len(self.empty)

    def add(self, other: Recovery) -> None:
        self.right += other.right
        self.wrong += other.wrong
        self.empty += other.empty
        self.extra += other.extra


def recovery(truth: dict[str, Any], actual: dict[str, Any]) -> Recovery:
    """Every table cell of `truth` (an expected JSON) looked up in the parser's contract dict."""
    out = Recovery()
    for table in TABLES:
        want = truth.get(table) or {}
        got = actual.get(table) or {}
        for row, cols in want.items():
            for col, value in cols.items():
                have = got.get(row, {}).get(col)
                where = f"{table}.{row}.{col}"
                if have is None:
                    out.empty.append(where)
                elif _same(value, have):
                    out.right += 1
                else:
                    out.wrong.append(f"{where}: {have!r} (document: {value!r})")
        for row, cols in got.items():
            out.extra += [f"{table}.{row}.{c}" for c in cols if c not in want.get(row, {})]
    return out


def flattened_cases(directory: Path) -> list[tuple[Path, Path]]:
    """The golden cases of a directory whose table cells ran together (`_empty_ok`): real text renderings
    (a web archive's page.txt) and real documents copied as text by _flatten.py."""
    return [
        (src, exp)
        for src, exp in case_files(directory)
        if json.loads(exp.read_text(encoding="utf-8")).get("_empty_ok")
    ]
