"""The public API: never raises, contract shape, hints as fallback, format detection from tables."""

from __future__ import annotations

import random
from pathlib import Path

from crawler.contract import TABLE3_COLUMNS
from crawler.parse import ParsedReport, ReportHints, parse_bytes, parse_file

REPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "reports"


def test_contract_shape() -> None:
    report = parse_file(REPORTS / "pingtan-2021.html")
    out = report.to_contract()
    for key in ("title", "agency", "year", "format", "parse_status", "errors", "publish_date", "sections"):
        assert key in out
    assert set(out["table3"]["new_received"]) == set(TABLE3_COLUMNS)
    assert out["blank_cells"] == [] and all(
        {"rule", "ok", "detail", "cells"} <= set(c) for c in out["checks"]
    )


def test_hints_are_only_a_fallback() -> None:
    hints = ReportHints(year=1999, agency="别的机关", title="别的标题", publish_date="2001-02-03")
    report = parse_file(REPORTS / "pingtan-2019.html", hints=hints)
    assert (report.year, report.agency, report.publish_date) == (2019, "平潭综合实验区", "2020-01-20")
    bare = parse_bytes("<p>一、总体情况</p><p>x</p><p>二、其他需要报告的事项</p>".encode(), hints=hints)
    assert (bare.year, bare.agency, bare.title, bare.publish_date) == (
        1999,
        "别的机关",
        "别的标题",
        "2001-02-03",
    )


def test_format_comes_from_the_tables_not_the_year() -> None:
    report = parse_file(REPORTS / "title2021-tables2019.html")
    assert report.format == "2019" and report.year == 2021 and report.parse_status == "partial"


def test_mutated_inputs_never_raise() -> None:
    rng = random.Random(1)
    sources = [REPORTS / n for n in ("pingtan-2019.html", "seed-shapotou-2024.txt", "docx-merged-2023.docx")]
    for src in sources:
        data = bytearray(src.read_bytes())
        for _ in range(6):
            mutated = bytearray(data[: rng.randrange(1, len(data))])
            for _ in range(20):
                mutated[rng.randrange(len(mutated))] = rng.randrange(256)
            report = parse_bytes(bytes(mutated), filename=src.name)
            assert isinstance(report, ParsedReport)
            assert report.parse_status in ("ok", "partial", "failed", "needs_ocr")
            assert report.parse_status == "ok" or report.errors


CHROME_PAGE = """<html><head><title>某县人民政府</title></head><body>
<div class="nav"><a href="/">首页</a> | <a href="/jg/">机构概况</a> | <a href="/xw/">新闻中心</a> | <a href="/hd/">互动交流</a>
| <a href="/fw/">办事服务</a> | <a href="/zt/">专题专栏</a> | <a href="/dt/">网站地图</a></div>
<div class="wrap"><div class="left"><ul><li><a href="/a/">政策法规</a></li><li><a href="/b/">规划计划</a></li>
<li><a href="/c/">人事信息</a></li><li><a href="/d/">财政资金</a></li></ul></div>
<div class="right"><h2>某县林业局2012年政府信息公开工作年度报告</h2>
<p>根据《中华人民共和国政府信息公开条例》要求，现将我局2012年度政府信息公开工作情况报告如下。</p>
<p>一、主动公开政府信息情况。全年共主动公开政府信息126条，其中机构职能类8条，政策法规类23条，规划计划类11条。</p>
<p>二、依申请公开政府信息情况。全年共受理政府信息公开申请3件，均已按期答复。</p>
<p>三、政府信息公开的收费及减免情况。本年度未收取任何费用。</p>
<p>四、因政府信息公开申请提起行政复议、行政诉讼的情况。本年度未发生此类情况。</p>
<p>五、存在的主要问题和改进措施。信息公开的及时性有待提高，下一步将进一步完善工作机制。</p>
</div></div>
<div class="footer">主办单位：某县人民政府办公室 版权所有 网站标识码：1234560001 备案号：某ICP备12345678号</div>
</body></html>"""


def test_free_form_page_without_anchors_drops_the_site_chrome():
    report = parse_bytes(CHROME_PAGE.encode("utf-8"), filename="t.html")
    assert report.format == "other"
    assert "全年共主动公开政府信息126条" in report.text
    assert "网站地图" not in report.text and "备案号" not in report.text
