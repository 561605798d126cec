"""Row and column labels → contract codes, matched on normalized label text, never on position."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from crawler.contract import TABLE2_LAYOUTS, TABLE3_ROW_LABELS
from crawler.parse.numbers import squeeze

_T2_COLS = {fmt: {c for cols in rows.values() for c in cols} for fmt, rows in TABLE2_LAYOUTS.items()}
# columns only one format prints: what tells a table 2's format from its header
T2_COLS_2021 = frozenset(_T2_COLS["2021"] - _T2_COLS["2019"])
T2_COLS_2019 = frozenset(_T2_COLS["2019"] - _T2_COLS["2021"])

_NUMBERING = re.compile(r"^(?:[(（]?[一二三四五六七八九十\d]{1,3}[)）]?[、.．,，:：]?)+")
_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "(", "】": ")", "〔": "(", "〕": ")"})


def norm(label: str | None) -> str:
    """Label text without whitespace, full-width forms folded (（一） → (一), １ → 1)."""
    return squeeze(label or "").translate(_BRACKETS)


def strip_numbering(label: str) -> str:
    """'(三)1.属于国家秘密' → '属于国家秘密' (on a normalized label)."""
    return _NUMBERING.sub("", label)


_T3_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("new_received", ("本年新收", "新收政府信息公开申请", "本年收到")),
    ("carried_over", ("上年结转",)),
    ("carried_forward", ("结转下年", "下年度继续")),
    ("partially_granted", ("部分公开",)),
    ("granted", ("予以公开",)),
    ("denied_state_secret", ("国家秘密",)),
    ("denied_prohibited_by_law", ("禁止公开",)),
    ("denied_three_securities", ("三安全", "一稳定")),
    ("denied_third_party", ("第三方",)),
    ("denied_internal_affairs", ("内部事务",)),
    ("denied_process_information", ("过程性",)),
    ("denied_enforcement_files", ("执法案卷",)),
    ("denied_administrative_query", ("行政查询",)),
    ("unable_not_held", ("不掌握",)),
    ("unable_requires_creation", ("另行制作",)),
    ("unable_unclear", ("不明确",)),
    ("other_no_correction", ("不补正",)),
    ("other_no_fee", ("缴纳费用", "收费通知")),
    ("declined_complaint", ("信访", "举报投诉")),
    ("declined_repeated", ("重复申请",)),
    ("declined_publication", ("出版物",)),
    ("declined_excessive", ("大量反复",)),
    ("declined_confirmation", ("重新出具", "确认或")),
    ("other_handling", ("其他处理",)),
)


def t3_group(label: str) -> str | None:
    """Which result group a normalized label opens: 三 不予公开, 四 无法提供, 五 不予处理, 六 其他处理."""
    if "其他处理" in label:
        return "六"
    if "不予处理" in label:
        return "五"
    if "无法提供" in label:
        return "四"
    if "不予公开" in label:
        return "三"
    return None


def t3_row_code(label: str, group: str | None) -> str | None:
    """Contract row code of table 3 for the most specific (normalized) label of a row."""
    if len(label) > 80:
        return None
    for code, words in _T3_KEYWORDS:
        if any(w in label for w in words):
            return code
    bare = strip_numbering(label)
    if bare in ("总计", "合计", "办理结果总计") or (bare.endswith("总计") and len(bare) <= 8):
        return "results_total"
    if bare in ("其他", "其它") and group == "六":
        return "other_other"
    return None


# ---- typo'd row labels: nearest known label AND its numbered slot -----------------------------------------
_PAREN_TAIL = re.compile(r"\(.*\)?$")
_QUOTES = str.maketrans("", "", "“”\"'‘’")
_SHORTEST = 4  # 其他, 总计: too short for an edit distance to mean anything (the keyword rules read them)
_CANON: dict[str, str] = {
    code: known
    for code, (_, item) in TABLE3_ROW_LABELS.items()
    if len(known := _PAREN_TAIL.sub("", strip_numbering(norm(item))).translate(_QUOTES)) >= _SHORTEST
}
_GROUP_OF = {code: norm(grp)[1] for code, (grp, _) in TABLE3_ROW_LABELS.items() if grp}
_SLOT_GROUPS: dict[str, tuple[str, ...]] = {}  # '三' → the codes of (三)1, (三)2, … in print order
for _code, (_grp, _) in TABLE3_ROW_LABELS.items():
    if _grp:
        _SLOT_GROUPS[norm(_grp)[1]] = (*_SLOT_GROUPS.get(norm(_grp)[1], ()), _code)
_SLOT = re.compile(r"^(?:\(([三四五六])\))?(\d)(?!\d)")
LABEL_CUTOFF = 0.6  # similarity (1 − normalized Indel distance) needed with an agreeing slot number
BARE_CUTOFF = 0.8  # … without one, and a margin over the runner-up
BARE_MARGIN = 0.15


@dataclass(frozen=True)
class LabelGuess:
    """A row label matched by edit distance, with what made it acceptable (for the report's warnings)."""

    code: str
    printed: str
    known: str
    score: float
    slot: str | None  # '(三)2' when the numbered slot agreed

    def warning(self) -> str:
        slot = f" and its slot {self.slot}" if self.slot else ""
        return (
            f"table3.{self.code}: printed label {self.printed!r} read as {self.known!r} "
            f"(nearest known label, similarity {self.score:.2f}{slot}) — assumed"
        )


def t3_slot(label: str, group: str | None) -> tuple[str, str] | None:
    """(code, '(三)2') for a numbered item within its group: (三)2 is 禁止公开 in every version of the form."""
    m = _SLOT.match(label)
    if not m:
        return None
    grp = m.group(1) or group
    codes = _SLOT_GROUPS.get(grp or "", ())
    n = int(m.group(2))
    if not 1 <= n <= len(codes):
        return None
    return codes[n - 1], f"({grp}){n}"


def t3_row_guess(label: str, group: str | None) -> LabelGuess | None:
    """When keywords fail: the nearest known table-3 row label by edit distance on the normalized text.
    Accepted when the printed slot number names the same row, or (no number) when it is close and clear."""
    if len(label) > 80:
        return None
    bare = _PAREN_TAIL.sub("", strip_numbering(label)).translate(_QUOTES)
    if len(bare) < _SHORTEST:
        return None
    scores = sorted(((fuzz.ratio(bare, known) / 100, code) for code, known in _CANON.items()), reverse=True)
    (best, code), (second, _) = scores[0], scores[1]
    slot = t3_slot(label, group)
    known = TABLE3_ROW_LABELS[code][1]
    if slot is not None:
        if slot[0] == code and best >= LABEL_CUTOFF:
            return LabelGuess(code, label, known, best, slot[1])
        return None
    in_group = group is None or _GROUP_OF.get(code, group) == group
    if best >= BARE_CUTOFF and best - second >= BARE_MARGIN and in_group:
        return LabelGuess(code, label, known, best, None)
    return None


def t3_col_code(label: str) -> str | None:
    """Applicant column of table 3 from a normalized header label."""
    if "自然人" in label:
        return "natural_person"
    if "商业企业" in label:
        return "commercial"
    if "科研机构" in label:
        return "research"
    if "社会公益" in label:
        return "social_welfare"
    if "法律服务" in label:
        return "legal_service"
    if label in ("其他", "其它", "其他组织", "其他法人或其他组织"):
        return "other_org"
    if label in ("总计", "合计"):
        return "total"
    return None


def t4_col_code(label: str) -> str | None:
    """Result column of table 4 (维持/纠正/其他/尚未审结/总计) from a normalized header label."""
    if len(label) > 12:
        return None
    if "维持" in label:
        return "upheld"
    if "纠正" in label:
        return "corrected"
    if "尚未" in label or "未审结" in label or "审理中" in label:
        return "pending"
    if "其他" in label or "其它" in label:
        return "other"
    if label in ("总计", "合计", "小计"):
        return "total"
    return None


def t4_block_code(label: str) -> str | None:
    """Block of table 4 from a normalized header label ('行政诉讼' itself is only a parent header)."""
    if len(label) > 20:
        return None
    if "未经复议" in label or "直接起诉" in label:
        return "litigation_direct"
    if "复议后起诉" in label or "经复议后" in label:
        return "litigation_after_review"
    if "行政复议" in label and "诉讼" not in label:
        return "review"
    return None


def t2_row_code(label: str) -> str | None:
    """Row of table 2 from a normalized label (exact-ish match: narrative text never qualifies)."""
    bare = strip_numbering(label).rstrip(":：")
    if len(bare) > 14:
        return None
    if bare == "规章":
        return "regulations"
    if bare in ("规范性文件", "行政规范性文件", "其他规范性文件"):
        return "normative_documents"
    if bare == "行政许可":
        return "licensing"
    if "对外管理" in bare:
        return "other_management"
    if bare == "行政处罚":
        return "penalty"
    if bare == "行政强制":
        return "coercion"
    if "收费" in bare:
        return "fees"
    if "采购" in bare:
        return "procurement"
    return None


_T2_SUFFIXES = sorted(
    [
        ("其他对外管理服务事项", "other_management"),
        ("行政事业性收费", "fees"),
        ("政府集中采购", "procurement"),
        ("规范性文件", "normative_documents"),
        ("行政许可", "licensing"),
        ("行政处罚", "penalty"),
        ("行政强制", "coercion"),
        ("规章", "regulations"),
    ],
    key=lambda item: -len(item[0]),
)


def t2_row_suffix(text: str) -> str | None:
    """Row of table 2 whose label ends a run of text (header words glued before it in a flattened copy)."""
    bare = text.rstrip(":： ")
    for label, code in _T2_SUFFIXES:
        if bare.endswith(label):
            return code
    return None


def t2_col_code(label: str) -> str | None:
    """Column of table 2 from a normalized header label, for either format."""
    if "收费金额" in label:
        return "amount_10k_yuan"
    if "制发" in label:
        return "issued"
    if "废止" in label:
        return "repealed"
    if "现行有效" in label:
        return "in_force"
    if "新制作" in label:
        return "new_made"
    if "新公开" in label:
        return "new_published"
    if "公开总数" in label:
        return "total_published"
    if "上一年" in label or "上年" in label:
        return "prior_year_items"
    if "增" in label or "减" in label:
        return "change"
    if "处理决定" in label:
        return "decisions"
    if "总金额" in label or "采购金额" in label:
        return "amount"
    if "项目数量" in label:
        return "items"
    return None


_TABLE_KEYS = (
    "第二十条",
    "信息内容",
    "本年新收",
    "予以公开",
    "不予公开",
    "无法提供",
    "不予处理",
    "结转下年",
    "行政复议",
    "申请人情况",
    "自然人",
    "结果维持",
    "结果纠正",
    "其他结果",
    "尚未审结",
    "未经复议",
    "复议后起诉",
    "行政诉讼",
    "勾稽关系",
    "采购项目",
    "规章",
    "行政许可",
)


def is_report_table(squeezed: str, columns: int = 2) -> bool:
    """A table (or a piece of one) holding report statistics, not a layout table or a text box: two of the
    tables' own labels, or one in a table of several columns."""
    keys = sum(1 for k in _TABLE_KEYS if k in squeezed)
    return keys >= 2 or (keys == 1 and columns >= 2)
