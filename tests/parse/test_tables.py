"""Table reading on small hand-written inputs: spans, spacer cells, missing markers, wrapped PDF-text labels."""

from __future__ import annotations

from crawler.parse import parse_bytes
from crawler.parse.rows import SrcRow
from crawler.parse.tables import TableReader
from crawler.parse.text_source import split_line

HEAD = (
    "<tr><td colspan=3 rowspan=3>（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>"
    "<td colspan=7>申请人情况</td></tr><tr><td rowspan=2>自然人</td><td colspan=5>法人或其他组织</td>"
    "<td rowspan=2>总计</td></tr><tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td>"
    "<td>其他</td></tr>"
)


def _page(table_html: str) -> bytes:
    return f"<html><body><div id=zoom><p>一、总体情况</p><table>{table_html}</table></div></body></html>".encode()


def test_spacer_cell_and_blank_values() -> None:
    row = "<tr><td colspan=2>一、本年新收政府信息公开申请数量</td><td></td>" + "".join(
        f"<td>{v}</td>" for v in ["3", "", "—", "1", "/", "无", "4"]
    )
    report = parse_bytes(_page(HEAD + row + "</tr>"))
    assert report.table("table3")["new_received"] == {
        "natural_person": 3, "commercial": 0, "research": 0, "social_welfare": 1,
        "legal_service": 0, "other_org": 0, "total": 4,
    }  # fmt: skip
    blanks = {c.col_code for c in report.cells if c.blank}
    assert blanks == {"commercial", "research", "legal_service", "other_org"}


def test_columns_follow_header_labels_not_positions() -> None:
    head = HEAD.replace("<td rowspan=2>自然人</td>", "<td rowspan=2>总计</td>", 1)
    head = head.replace(
        "<td rowspan=2>总计</td></tr><tr><td>商业企业", "<td rowspan=2>自然人</td></tr><tr><td>商业企业"
    )
    row = "<tr><td colspan=3>一、本年新收政府信息公开申请数量</td>" + "".join(
        f"<td>{v}</td>" for v in range(7, 0, -1)
    )
    cells = parse_bytes(_page(head + row + "</tr>")).table("table3")["new_received"]
    assert cells["total"] == 7 and cells["natural_person"] == 1 and cells["commercial"] == 6


def test_table2_without_article_marker() -> None:
    html = (
        "<tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>"
        "<tr><td>规章</td><td>1</td><td>2</td><td>3</td></tr>"
    )
    report = parse_bytes(_page(html))
    assert report.table("table2") == {"regulations": {"issued": 1, "repealed": 2, "in_force": 3}}
    assert not any("no column header" in e for e in report.errors)


def test_wrapped_labels_in_pdf_text_lines() -> None:
    lines = [
        "申请人情况",
        "（二）部分公开（区分处理的，只计这一情",
        "447 7 0 0 0 0 454",
        "形，不计其他情形）",
        "1、申请人无正当理由逾期不补",
        "（六）其他处",
        "正、行政机关不再处理其政府信息 67 3 0 0 1 0 71",
        "3、其他 108 2 0 0 0 0 110",
    ]
    reader = TableReader()
    for i, line in enumerate(lines):
        row = split_line(line, i)
        assert isinstance(row, SrcRow)
        reader.feed(row)
    got = {(c.row_code, c.col_code): c.value for c in reader.cells}
    assert got[("partially_granted", "total")] == 454
    assert got[("other_no_correction", "natural_person")] == 67
    assert got[("other_other", "total")] == 110


def test_unflatten_antiword_table_line() -> None:
    from crawler.parse.doc_source import unflatten

    line = (
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | |申请人情况 | |总计 | |自然人 |"
        "其他 | |一、本年新收政府信息公开申请数量 | |3 |0 |0 |0 |0 |1 |4 | |三、本年度办理结果 |（一）予以公开 |"
        " |2 |0 |0 |0 |0 |0 |2 | | |（三）不予公开 |1.属于国家秘密 |0 |0 |0 |0 |0 |0 |0 | |四、政府信息公开行政复议"
    )
    rows = unflatten(line)
    assert rows[1] == ["一、本年新收政府信息公开申请数量", "3", "0", "0", "0", "0", "1", "4"]
    assert rows[2][:2] == ["三、本年度办理结果", "（一）予以公开"]
    assert rows[3][:2] == ["（三）不予公开", "1.属于国家秘密"]
    assert rows[-1] == ["四、政府信息公开行政复议"]


def test_table3_header_without_marker_row() -> None:
    head = (
        "<tr><td colspan=3 rowspan=2></td><td rowspan=2>自然人</td><td colspan=5>法人或其他组织</td>"
        "<td rowspan=2>总计</td></tr><tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td>"
        "<td>法律服务机构</td><td>其他</td></tr>"
    )
    row = "<tr><td colspan=3>一、本年新收政府信息公开申请数量</td>" + "".join(
        f"<td>{v}</td>" for v in range(1, 8)
    )
    report = parse_bytes(_page(head + row + "</tr>"))
    assert report.table("table3")["new_received"]["total"] == 7
    assert not any("header not understood" in e for e in report.errors)
