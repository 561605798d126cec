"""Typo'd table-3 row labels: nearest known label by edit distance, accepted only with its numbered slot."""

from __future__ import annotations

from pathlib import Path

from crawler.parse import parse_bytes
from crawler.parse.labels import norm, t3_row_guess

SEED = (Path(__file__).resolve().parents[1] / "fixtures" / "reports" / "seed-shapotou-2024.txt").read_text(
    encoding="utf-8"
)
# the real typo: a district PDF printed (三)2 with 法规禁 dropped
TYPO = "2.其他法律行政止公开"


def _seed_with(*edits: tuple[str, str]) -> str:
    text = SEED
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    return text


def _numbered(text: str, row: str, values: list[int]) -> str:
    """Give one seed row its own numbers (so that a wrongly placed row would show)."""
    line = next(ln for ln in text.splitlines() if row in ln)
    head, _, _ = line.partition("\t0")
    return text.replace(line, head + "\t" + "\t".join(map(str, values)) + "\t", 1)


def test_typo_row_found_by_nearest_label_and_slot() -> None:
    text = _seed_with(("2.其他法律行政法规禁止公开", TYPO))
    report = parse_bytes(text.encode(), filename="seed.txt")
    assert report.parse_status == "ok", report.errors
    assert report.table("table3")["denied_prohibited_by_law"]["total"] == 0
    assert len(report.warnings) == 1
    assert TYPO in report.warnings[0] and "(三)2" in report.warnings[0] and "assumed" in report.warnings[0]


def test_typo_row_keeps_its_numbers() -> None:
    text = _seed_with(("2.其他法律行政法规禁止公开", TYPO))
    text = _numbered(text, TYPO, [1, 0, 0, 0, 2, 0, 3])
    report = parse_bytes(text.encode(), filename="seed.txt")
    row = report.table("table3")["denied_prohibited_by_law"]
    assert (row["natural_person"], row["legal_service"], row["total"]) == (1, 2, 3)


def test_guess_never_takes_a_row_a_keyword_took() -> None:
    # the typo'd row comes first, the real (三)2 row later: the keyword match wins, the guess is dropped
    text = _seed_with(("1.属于国家秘密", TYPO))
    report = parse_bytes(text.encode(), filename="seed.txt")
    assert report.parse_status == "partial"
    assert any("row skipped" in e and TYPO in e for e in report.errors)
    assert any("denied_state_secret" in e for e in report.errors)  # the typo does not stand in for it
    assert not report.warnings


def test_two_printed_rows_never_share_one_slot() -> None:
    text = _seed_with(("2.其他法律行政法规禁止公开", TYPO), ("1.属于国家秘密", "2.其他法律行政法规止公开"))
    report = parse_bytes(text.encode(), filename="seed.txt")
    assert report.parse_status == "partial"
    assert "denied_prohibited_by_law" not in report.table("table3")
    assert sum("another printed row looks alike" in e for e in report.errors) == 2


def test_slot_number_must_agree_with_the_nearest_label() -> None:
    assert t3_row_guess(norm("3.其他法律行政止公开"), "三") is None  # (三)3 is 三安全一稳定
    assert t3_row_guess(norm("2.其他法律行政止公开"), "四") is None  # (四)2 is 另行制作
    guess = t3_row_guess(norm("（三）2.其他法律行政止公开"), None)
    assert guess is not None and guess.code == "denied_prohibited_by_law" and guess.slot == "(三)2"


def test_unnumbered_label_needs_a_close_and_clear_match() -> None:
    guess = t3_row_guess(norm("其他法律行政止公开"), None)
    assert guess is not None and guess.code == "denied_prohibited_by_law" and guess.slot is None
    assert t3_row_guess(norm("本单位依法公开各类信息"), None) is None
    assert t3_row_guess(norm("其他"), "五") is None
