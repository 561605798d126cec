"""Over a real Datasette: agency league tables (per year, across years, by refusal ground) read from the
precomputed summary, and agency pages with their years side by side, charts, and "no data" said plainly.
Figures are the invented ones of tests/datasette/rank_fixture.py, worked out by hand in the comments."""

from __future__ import annotations

import http.client
import urllib.parse

import lxml.html


def _page(served, path: str, **params: str) -> lxml.html.HtmlElement:
    status, _, body = served.get(path, **params)
    assert status == 200, body[:500]
    return lxml.html.fromstring(body)


def _table(page: lxml.html.HtmlElement) -> tuple[list[str], list[list[str]]]:
    table = page.xpath("//table[contains(@class,'nb-ranking')]")[0]
    head = [th.text_content().strip(" ▼▲") for th in table.xpath("./thead/tr/th")]
    rows = [[c.text_content().strip() for c in tr.xpath("./th|./td")] for tr in table.xpath("./tbody/tr")]
    return head, rows


def test_one_year_ranked_by_refusal_rate(rank_served) -> None:
    page = _page(rank_served, f"/-/rankings/{rank_served.db}", year="2023", sort="refusal_rate")
    head, rows = _table(page)
    assert head[:4] == ["名次", "机关", "地区", "类型"] and "不予公开率" in head and "败诉率" in head
    col = {name: i for i, name in enumerate(head)}
    # 鹿城区教育局 2023: 100 new + 2 carried - 1 carried forward = 101 decided; refused 30 (state secret) + 20
    # (internal affairs) = 50 -> 49.5 %; lawsuits 4, lost 3 -> 75.0 %; published 2024-02-20, due 31 January
    first = rows[0]
    assert first[col["机关"]] == "鹿城区教育局" and first[col["名次"]] == "1"
    assert (first[col["新收申请"]], first[col["不予公开"]], first[col["不予公开率"]]) == (
        "100",
        "50",
        "49.5%",
    )
    assert (first[col["行政诉讼"]], first[col["诉讼败诉"]], first[col["败诉率"]]) == ("4", "3", "75.0%")
    assert first[col["逾期天数"]] == "20"
    rates = [float(r[col["不予公开率"]].rstrip("%")) for r in rows if r[col["不予公开率"]] != "–"]
    assert rates == sorted(rates, reverse=True)
    missing = {r[col["机关"]] for r in rows if r[col["未发布"]] == "未发布"}
    assert missing == {"海淀区教育委员会", "鹿城区人民政府办公室"}
    assert "2023 年度" in page.xpath("string(//p[@class='nb-years'])")


def test_sort_toggles_and_filters_by_region_level_and_kind(rank_served) -> None:
    page = _page(
        rank_served, f"/-/rankings/{rank_served.db}", year="2023", region="鹿城", sort="refusal_rate"
    )
    _, rows = _table(page)
    assert {r[1] for r in rows} == {
        "鹿城区教育局",
        "鹿城区人民政府",
        "五马街道办事处",
        "鹿城区人民政府办公室",
    }
    link = page.xpath("//th[@aria-sort='descending']/a/@href")[0]
    ascending = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)
    assert ascending["order"] == ["asc"] and ascending["region"] == ["鹿城"]
    _, rows = _table(_page(rank_served, f"/-/rankings/{rank_served.db}", year="2023", kind="乡镇街道"))
    assert [r[1] for r in rows] == ["五马街道办事处"]
    page = _page(rank_served, f"/-/rankings/{rank_served.db}", year="2023", level="省级")
    assert not page.xpath("//table[contains(@class,'nb-ranking')]")
    assert "没有符合条件的机关" in page.xpath("string(//div[contains(@class,'nb-no-match')])")
    page = _page(rank_served, f"/-/rankings/{rank_served.db}", region="鹿成")
    assert page.xpath("//div[contains(@class,'nb-no-match')]//a/text()") == ["鹿城区"]


def test_across_years_and_refusals_by_ground(rank_served) -> None:
    page = _page(rank_served, f"/-/rankings/{rank_served.db}")
    assert "全部年度合计（2017–2023）" in page.xpath("string(//p[@class='nb-years'])")
    head, rows = _table(page)
    col = {name: i for i, name in enumerate(head)}
    by_agency = {r[col["机关"]]: r for r in rows}
    # 鹿城区教育局: reports for 2017 (no tables), 2022 (version 2: 55 new) and 2023 (100 new); late twice
    edu = by_agency["鹿城区教育局"]
    assert (edu[col["年报年数"]], edu[col["新收申请"]], edu[col["逾期次数"]], edu[col["最长逾期"]]) == (
        "3",
        "155",
        "2",
        "20",
    )
    assert by_agency["鹿城区人民政府办公室"][col["缺失年数"]] == "2"
    head, rows = _table(_page(rank_served, f"/-/rankings/{rank_served.db}", year="2023", view="grounds"))
    col = {name: i for i, name in enumerate(head)}
    assert {"属于国家秘密", "属于三类内部事务信息", "本机关不掌握相关政府信息"} <= set(head)
    edu = next(r for r in rows if r[col["机关"]] == "鹿城区教育局")
    assert (edu[col["不予公开合计"]], edu[col["属于国家秘密"]], edu[col["属于三类内部事务信息"]]) == (
        "50",
        "30",
        "20",
    )
    assert rows[0][col["机关"]] == "海淀区人民政府"  # sorted by 不予公开合计: 58 > 50


def test_agency_page_puts_years_side_by_side_with_charts(rank_served) -> None:
    ranking = _page(rank_served, f"/-/rankings/{rank_served.db}", year="2023")
    href = ranking.xpath("//table[contains(@class,'nb-ranking')]//a[text()='鹿城区教育局']/@href")[0]
    assert href == f"/-/agency/{rank_served.db}/lucheng/edu"
    page = _page(rank_served, href)
    assert page.xpath("string(//h1)") == "鹿城区教育局"
    table = page.xpath("//table[contains(@class,'nb-years-table')]")[0]
    assert [th.text_content() for th in table.xpath("./thead/tr/th")] == [
        "项目",
        "2017",
        "2022",
        "2023",
        "各年合计",
    ]
    rows = {
        tr.xpath("string(./th)"): [td.text_content().strip() for td in tr.xpath("./td")]
        for tr in table.xpath("./tbody/tr")
    }
    assert rows["新收申请"] == ["–", "55", "100", "155"]
    assert rows["逾期天数"][:3] == ["10", "0", "20"] and rows["法定期限"][:3] == [
        "2018-03-31",
        "2023-01-31",
        "2024-01-31",
    ]
    assert rows["版本数"][:3] == ["1", "2", "1"]
    for chart in ("requests", "grounds", "lost"):
        assert page.xpath(f"//section[@id='chart-{chart}']//*[local-name()='svg']"), chart
    deadlines = " ".join(page.xpath("//table[not(contains(@class,'nb-years-table'))]//td//text()"))
    assert "2008年《条例》第三十一条" in deadlines and "逾期 20 天" in deadlines
    empty = _page(rank_served, f"/-/agency/{rank_served.db}/haidian/edu")
    assert "无数据" in empty.xpath("string(//p[@class='nb-nodata'])")
    assert len(empty.xpath("//section[starts-with(@id,'chart-')]//p[@class='nb-nodata']")) == 3
    status, _, _ = rank_served.get(f"/-/agency/{rank_served.db}/no/such")
    assert status == 404


def test_agency_picked_by_any_part_of_its_name(rank_served) -> None:
    status, headers, _ = _no_redirect(
        rank_served, f"/-/agency/{rank_served.db}?name=" + urllib.parse.quote("鹿城区教育")
    )
    assert status == 302 and headers["location"] == f"/-/agency/{rank_served.db}/lucheng/edu"
    page = _page(rank_served, f"/-/agency/{rank_served.db}", name="教育")
    assert page.xpath("//ul[@class='nb-agency-list']//a/text()") == ["鹿城区教育局", "海淀区教育委员会"]
    page = _page(rank_served, f"/-/agency/{rank_served.db}", name="鹿城教育")
    assert page.xpath("//div[contains(@class,'nb-no-match')]//a/text()")[0] == "鹿城区教育局"


def _no_redirect(served, path: str) -> tuple[int, dict[str, str], str]:
    host, port = urllib.parse.urlsplit(served.base).netloc.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode()


def test_charts_for_an_agency_picked_by_part_of_its_name(rank_served) -> None:
    status, headers, _ = _no_redirect(
        rank_served, f"/-/charts/{rank_served.db}?agency=" + urllib.parse.quote("鹿城区教育")
    )
    assert status == 302 and headers["location"] == f"/-/agency/{rank_served.db}?name=" + urllib.parse.quote(
        "鹿城区教育"
    )
    page = _page(rank_served, f"/-/charts/{rank_served.db}", agency="lucheng/edu", year="all")
    assert page.xpath("//section[@id='agency-chart']//*[local-name()='rect'][@class='nb-bar']")
    part = _page(rank_served, f"/-/charts/{rank_served.db}", region="鹿城", year="all")
    bars = part.xpath(
        "//section[@id='agency-chart']//*[local-name()='rect'][@class='nb-bar']/*[local-name()='title']/text()"
    )
    # 鹿城区 (invented figures): 2022 — 鹿城区教育局 55 (its latest version); 2023 — 80 + 100 + 6
    assert bars == ["2022 1 份报告: 55 件", "2023 3 份报告: 186 件"]
    empty = _page(rank_served, f"/-/charts/{rank_served.db}", region="不存在的地区")
    assert "无数据" in empty.xpath("string(//section[@id='agency-chart'])")
