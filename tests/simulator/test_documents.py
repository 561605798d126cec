"""Tests of the simulated report documents: ground-truth invariants, the seed, and the HTML/PDF/DOCX renders."""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from pathlib import Path

import lxml.html
import pytest

from crawler.contract import (
    APPLICANT_COLUMNS,
    OTHER_ROW_SINGLE,
    TABLE3_COLUMNS,
    TABLE3_ROWS_2019,
    TABLE3_ROWS_2021,
)
from simulator.documents import (
    ReportTruth,
    companion_articles,
    district_reports,
    render_article_html,
    render_attachment_stub_html,
    render_docx,
    render_pdf,
)

SEED_DIR = Path("/work/shared/seeds")
NUMERALS = "一二三四五六七八九十"

REPORTS = district_reports()
BY_KEY = {t.key: t for t in REPORTS}
TABLED = [t for t in REPORTS if t.table3 is not None]


def _rows(t3: dict) -> list[str]:
    return list(TABLE3_ROWS_2019 if OTHER_ROW_SINGLE in t3 else TABLE3_ROWS_2021)


def _failing(t: ReportTruth) -> set[str]:
    """The 勾稽关系 recomputed here, independently of simulator.documents.truth."""
    t3, t4, failing = t.table3, t.table4, set()
    results = _rows(t3)[2:-2]
    if any(
        t3["new_received"][c] + t3["carried_over"][c] != t3["results_total"][c] + t3["carried_forward"][c]
        for c in TABLE3_COLUMNS
    ):
        failing.add("table3.balance")
    if any(sum(t3[r][c] for c in APPLICANT_COLUMNS) != t3[r]["total"] for r in _rows(t3)):
        failing.add("table3.row_totals")
    if any(sum(t3[r][c] for r in results) != t3["results_total"][c] for c in TABLE3_COLUMNS):
        failing.add("table3.results_sum")
    if any(sum(b[k] for k in ("upheld", "corrected", "other", "pending")) != b["total"] for b in t4.values()):
        failing.add("table4.block_totals")
    return failing


# ---------------------------------------------------------------- catalogue and truth invariants


def test_catalogue_shape() -> None:
    assert len(BY_KEY) == len(REPORTS)
    per_agency = Counter(t.agency for t in REPORTS)
    assert len(per_agency) >= 4
    assert all(2 <= n <= 4 for n in per_agency.values())
    assert {t.format for t in REPORTS} == {"2021", "2019", "other"}
    assert {t.source_format for t in REPORTS} == {"html", "pdf", "docx"}
    assert {t.encoding for t in REPORTS} == {"utf-8", "gbk"}
    assert "sptqzwfwzx-2024" in BY_KEY
    failing = set().union(*(t.failing_checks for t in REPORTS))
    assert failing == {"table3.balance", "table3.row_totals", "table3.results_sum", "table4.block_totals"}
    assert sum(1 for t in REPORTS if t.blank_cells) >= 2
    assert [t.to_expected() for t in district_reports()] == [
        t.to_expected() for t in REPORTS
    ]  # deterministic


@pytest.mark.parametrize("truth", TABLED, ids=lambda t: t.key)
def test_checks_hold_or_fail_as_declared(truth: ReportTruth) -> None:
    assert _rows(truth.table3) == list(truth.table3)
    assert _failing(truth) == truth.failing_checks
    expected = {c["rule"]: c["ok"] for c in truth.to_expected()["checks"]}
    assert expected == {r: r not in truth.failing_checks for r in expected}
    assert len(expected) == 4
    non_zero = sum(v for row in truth.table3.values() for v in row.values())
    assert non_zero > 0 or truth.key == "sptqzwfwzx-2024"


@pytest.mark.parametrize("truth", [t for t in REPORTS if t.blank_cells], ids=lambda t: t.key)
def test_blank_cells_are_zero(truth: ReportTruth) -> None:
    for address in truth.blank_cells:
        table, row, col = address.split(".")
        assert getattr(truth, table)[row][col] == 0, address


def test_expected_shape() -> None:
    free = BY_KEY["sptqzfb-2017"].to_expected()
    assert free["format"] == "other" and free["table3"] is None and free["checks"] == []
    exp = BY_KEY["sptqzfb-2019"].to_expected()
    assert "other_handling" in exp["table3"] and "procurement" in exp["table2"]
    assert [s["no"] for s in exp["sections"]] == [1, 2, 3, 4, 5, 6]
    assert exp["year"] == 2019 and exp["agency"] == "沙坡头区人民政府办公室"


# ---------------------------------------------------------------- the seed


def _seed_text() -> str:
    (path,) = sorted(SEED_DIR.glob("*.txt"))
    return path.read_text(encoding="utf-8")


def test_seed_numbers_match_seed_file() -> None:
    lines = _seed_text().splitlines()
    start = lines.index("三、收到和处理政府信息公开申请情况")
    end = lines.index("四、政府信息公开行政复议、行政诉讼情况")
    t3_rows = []
    for line in lines[start:end]:
        tokens = [x for x in line.split("\t") if x.strip()]
        if len(tokens) >= 8 and all(x.isdigit() for x in tokens[-7:]):
            t3_rows.append([int(x) for x in tokens[-7:]])
    seed = BY_KEY["sptqzwfwzx-2024"]
    assert len(t3_rows) == 25 == len(seed.table3)
    for code, values in zip(TABLE3_ROWS_2021, t3_rows, strict=True):
        assert [seed.table3[code][c] for c in TABLE3_COLUMNS] == values, code
    t2_labels = {
        "规章": "regulations",
        "行政规范性文件": "normative_documents",
        "行政许可": "licensing",
        "行政处罚": "penalty",
        "行政强制": "coercion",
        "行政事业性收费": "fees",
    }
    seen = set()
    for line in lines[lines.index("二、主动公开政府信息情况") : start]:
        tokens = [x for x in line.split("\t") if x.strip()]
        if tokens and tokens[0] in t2_labels:
            seen.add(tokens[0])
            assert list(seed.table2[t2_labels[tokens[0]]].values()) == [int(x) for x in tokens[1:]]
    assert seen == set(t2_labels)
    (t4_line,) = [line for line in lines[end:] if re.fullmatch(r"(\d+\t){14}\d+\t*", line)]
    t4 = [int(x) for x in t4_line.split("\t") if x]
    assert [seed.table4[b][k] for b in seed.table4 for k in seed.table4[b]] == t4
    assert seed.failing_checks == set() and seed.blank_cells == []


def test_seed_text_matches_seed_file() -> None:
    raw = re.sub(r"<(https?://[^>]+)>", r"\1", _seed_text().replace("**", ""))
    paragraphs = [p.strip() for p in raw.splitlines() if p.strip()]
    seed = BY_KEY["sptqzwfwzx-2024"]
    assert seed.title == paragraphs[0]
    assert seed.preamble == paragraphs[1]
    for no, title, text in seed.sections:
        heading = f"{NUMERALS[no - 1]}、{title}"
        i = paragraphs.index(heading)
        following = []
        for p in paragraphs[i + 1 :]:
            if re.match(r"^[一二三四五六]、", p) or "\t" in p or p.startswith("第二十条"):
                break
            following.append(p)
        assert text == "\n".join(following), heading


# ---------------------------------------------------------------- HTML


def _decode(raw: bytes, truth: ReportTruth, cms: str) -> str:
    return raw.decode("gbk" if truth.encoding == "gbk" and cms != "gkmlpt" else "utf-8")


def _stat_tables(doc: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    return [t for t in doc.iter("table") if "Mso" in (t.get("class") or "")]


def _texts(cells: list) -> list[str]:
    return [c.text_content().replace("\xa0", "").strip() for c in cells]


@pytest.mark.parametrize("cms", ["trs", "hanweb", "ucap", "gkmlpt"])
@pytest.mark.parametrize("truth", REPORTS, ids=lambda t: t.key)
def test_html_carries_text_and_numbers(truth: ReportTruth, cms: str) -> None:
    doc = lxml.html.fromstring(_decode(render_article_html(truth, cms=cms), truth, cms))
    page_text = doc.text_content()
    assert truth.title in page_text
    for no, title, text in truth.sections:
        assert f"{NUMERALS[no - 1]}、{title}" in page_text
        for para in text.split("\n") if text else []:
            assert para in page_text
    if cms != "gkmlpt":
        assert doc.xpath("//meta[@name='ArticleTitle']/@content") == [truth.title]
        assert doc.xpath("//meta[@name='PubDate']/@content")[0].startswith(truth.publish_date)
    if truth.table3 is None:
        assert _stat_tables(doc) == []
        return
    t2, t3, t4 = _stat_tables(doc)
    value_rows = t3.findall(".//tr")[3:]
    assert len(value_rows) == len(truth.table3)
    for code, tr in zip(truth.table3, value_rows, strict=True):
        want = [truth.cell_text(f"table3.{code}.{c}", truth.table3[code][c]) for c in TABLE3_COLUMNS]
        assert _texts(tr.findall("td")[-7:]) == want, code
    want4 = [
        truth.cell_text(f"table4.{b}.{k}", v) for b, vals in truth.table4.items() for k, v in vals.items()
    ]
    assert _texts(t4.findall(".//tr")[-1].findall("td")) == want4
    labels = (
        "规章",
        "规范性文件",
        "行政规范性文件",
        "行政许可",
        "其他对外管理服务事项",
        "行政处罚",
        "行政强制",
        "行政事业性收费",
        "政府集中采购",
    )
    got2 = [
        x
        for tr in t2.findall(".//tr")
        if _texts(tr.findall("td"))[0] in labels
        for x in _texts(tr.findall("td")[1:])
    ]
    want2 = [
        truth.cell_text(f"table2.{r}.{k}", v) for r, vals in truth.table2.items() for k, v in vals.items()
    ]
    assert got2 == want2


def test_html_word_markup() -> None:
    raw = render_article_html(BY_KEY["sptqzrzyj-2022"]).decode()
    for marker in (
        'class="TRS_Editor"',
        'class="Custom_UnionStyle"',
        'class="MsoNormal"',
        "<o:p></o:p>",
        'rowspan="22"',
        'rowspan="8"',
        "&nbsp;",
        "<br>",
        "索引号",
        "发布机构",
        'name="SiteName"',
    ):
        assert marker in raw, marker
    assert "—" in raw and "/" in raw  # blank marks
    hanweb = render_article_html(BY_KEY["sptqjyj-2021"], cms="hanweb").decode()
    for marker in (
        'id="zoom"',
        "<!--ZJEG_RSS.content.begin-->",
        "Maketime",
        'name="i_columnid"',
        "MsoTableGrid",
    ):
        assert marker in hanweb, marker
    assert 'id="UCAP-CONTENT"' in render_article_html(BY_KEY["sptqjyj-2021"], cms="ucap").decode()
    fragment = render_article_html(BY_KEY["sptqjyj-2021"], cms="gkmlpt").decode()
    assert "<html" not in fragment and "<table" in fragment
    y2019 = render_article_html(BY_KEY["sptqzfb-2019"]).decode()
    assert (
        y2019.count(">三、本年度办理结果<") == 2 and "第二十条第（九）项" in y2019 and "政府集中采购" in y2019
    )


def test_gbk_page() -> None:
    truth = BY_KEY["bhzrmzf-2022"]
    raw = render_article_html(truth)
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("gbk")
    assert "charset=gb2312" in text and truth.title in text
    assert render_article_html(truth, encoding="utf-8").decode("utf-8")
    meta = render_article_html(truth, charset_style="meta").decode("gbk")
    assert '<meta charset="gb2312">' in meta
    lying = render_article_html(truth, declared_charset="utf-8").decode("gbk")
    assert "charset=utf-8" in lying and "gb2312" not in lying


def test_site_chrome_is_configurable() -> None:
    from simulator.documents import Site

    truth = BY_KEY["sptqzwfwzx-2024"]
    site = Site("某某县人民政府", "www.mm.gov.cn", "1234560001")
    doc = lxml.html.fromstring(render_article_html(truth, cms="hanweb", site=site).decode())
    assert doc.xpath("//meta[@name='SiteName']/@content") == ["某某县人民政府"]
    assert doc.xpath("//meta[@name='SiteIDCode']/@content") == ["1234560001"]
    assert truth.sections[5][2].split("\n")[1] in doc.text_content()  # report text untouched


@pytest.mark.parametrize(
    "cms,href",
    [
        ("trs", "./P020240129512345678901.pdf"),
        ("hanweb", "/module/download/downfile.jsp?filename=ab12cd.pdf"),
    ],
)
def test_attachment_stub(cms: str, href: str) -> None:
    truth = BY_KEY["sptqjyj-2023"]
    doc = lxml.html.fromstring(render_attachment_stub_html(truth, href, cms).decode())
    assert "详见附件" in doc.text_content()
    assert href in doc.xpath("//a/@href")
    assert "本年新收" not in doc.text_content()


def test_companions() -> None:
    titles = {t.title for t in REPORTS}
    items = companion_articles("沙坡头区教育局", 2023)
    assert len(items) >= 3
    assert any("图文解读" in c.title for c in items) and any("一图读懂" in c.title for c in items)
    for c in items:
        assert c.title not in titles and lxml.html.fromstring(c.body_html) is not None


# ---------------------------------------------------------------- PDF and DOCX


@pytest.mark.parametrize("key", ["sptqzwfwzx-2024", "sptqzfb-2020"])
def test_pdf_text_layer(key: str) -> None:
    import pdfplumber

    truth = BY_KEY[key]
    raw = render_pdf(truth)
    assert raw.startswith(b"%PDF")
    with pdfplumber.open(io.BytesIO(raw)) as pdf:
        pages = [p.extract_text() or "" for p in pdf.pages]
    text = "\n".join(pages)
    assert truth.title in text
    assert "本年新收" in text and "行政复议" in text
    assert len(pages) >= 2
    if key == "sptqzfb-2020":
        assert str(truth.table3["new_received"]["total"]) in text and "政府集中采购" in text


def test_docx_merged_cells() -> None:
    import docx

    truth = BY_KEY["sptqzrzyj-2024"]
    raw = render_docx(truth)
    xml = zipfile.ZipFile(io.BytesIO(raw)).read("word/document.xml").decode()
    assert "w:gridSpan" in xml and "w:vMerge" in xml
    document = docx.Document(io.BytesIO(raw))
    assert document.paragraphs[0].text == truth.title
    assert len(document.tables) == 3
    t3 = document.tables[1]
    row = t3.rows[3]
    assert row.cells[0].text == "一、本年新收政府信息公开申请数量"
    want = [
        truth.cell_text(f"table3.new_received.{c}", truth.table3["new_received"][c]) for c in TABLE3_COLUMNS
    ]
    assert [c.text for c in row.cells[3:]] == want
    assert "/" in want
