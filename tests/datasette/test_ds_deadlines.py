"""Over a real Datasette: deadlines by law and kind of publisher; canned queries that state their years and
help when nothing matches; search that explains zero results, highlights matches and shows relevance plainly."""

from __future__ import annotations

import urllib.parse

import lxml.html

from crawler.deadlines import RULE_2008, RULE_2019_DEPARTMENT, RULE_2019_GOVERNMENT, RULE_2019_TOWNSHIP


def _rows(served, name: str, **params: str) -> list[dict]:
    return served.json(f"/{served.db}/{name}.json", _shape="array", **params)


def _page(served, path: str, **params: str) -> lxml.html.HtmlElement:
    status, _, body = served.get(path, **params)
    assert status == 200, body[:500]
    return lxml.html.fromstring(body)


def _follow(served, href: str) -> lxml.html.HtmlElement:
    """The page behind a link found on a page (path and query string as given)."""
    url = urllib.parse.urlsplit(href)
    return _page(
        served,
        urllib.parse.unquote(url.path),
        **dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True)),
    )


def test_late_reports_by_the_rule_that_applied(rank_served) -> None:
    late = {r["report_id"]: r for r in _rows(rank_served, "late_reports", year="", region="")}
    assert {i: (r["days_late"], r["deadline"], r["deadline_rule"]) for i, r in late.items()} == {
        103: (34, "2024-01-31", RULE_2019_DEPARTMENT),
        204: (20, "2024-01-31", RULE_2019_DEPARTMENT),
        202: (10, "2018-03-31", RULE_2008),
        205: (1, "2024-01-31", RULE_2019_TOWNSHIP),
    }
    assert [r["report_id"] for r in _rows(rank_served, "late_reports", year="", region="")] == [
        103,
        204,
        202,
        205,
    ]


def test_deadlines_lists_on_time_reports_with_their_rule(rank_served) -> None:
    rows = {r["report_id"]: r for r in _rows(rank_served, "deadlines", year="", region="", agency="")}
    # issue 12: the 2017 report published 2018-03-28 was shown 56 days late; art. 31 (2008) gives 31 March
    assert (rows[201]["deadline"], rows[201]["days_late"], rows[201]["on_time"]) == ("2018-03-31", 0, "按期")
    assert rows[201]["deadline_rule"] == RULE_2008
    # a government's own report under the 2019 rules: 31 March (art. 49 para. 2)
    assert (rows[203]["publisher_kind"], rows[203]["deadline"], rows[203]["days_late"]) == (
        "本级政府",
        "2024-03-31",
        0,
    )
    assert rows[203]["deadline_rule"] == RULE_2019_GOVERNMENT
    assert rows[205]["publisher_kind"] == "乡镇街道" and rows[205]["on_time"] == "逾期"
    page = _page(rank_served, f"/{rank_served.db}/deadlines", year="2017", region="鹿城", agency="")
    assert "nianbao-print.css" in " ".join(page.xpath("//link[@rel='stylesheet']/@href"))
    assert "2017 年度" in page.xpath("string(//p[@class='nb-years'])")


def test_region_and_agency_match_any_part_of_the_name(rank_served) -> None:
    assert {r["report_id"] for r in _rows(rank_served, "late_reports", year="", region="鹿城")} == {
        202,
        204,
        205,
    }
    assert {r["report_id"] for r in _rows(rank_served, "late_reports", year="", region="宁夏")} == {103}
    apps = _rows(rank_served, "applications", year="2023", region="温州", agency="教育")
    assert [r["report_id"] for r in apps] == [204]


def test_no_match_offers_similar_names(rank_served) -> None:
    page = _page(rank_served, f"/{rank_served.db}/late_reports", year="", region="鹿成")
    note = page.xpath("//p[contains(@class,'nb-no-match')]")[0]
    assert "鹿成" in note.text_content()
    assert note.xpath(".//a/text()")[0] == "鹿城区"
    assert _follow(rank_served, note.xpath(".//a/@href")[0]).xpath("//td[contains(@class,'col-report_id')]")
    page = _page(rank_served, f"/{rank_served.db}/applications", year="", region="", agency="鹿城教育")
    suggestions = page.xpath("//p[contains(@class,'nb-no-match')]//a/text()")
    assert suggestions[0] == "鹿城区教育局"
    page = _page(rank_served, f"/{rank_served.db}/applications", year="", region="", agency="教育局")
    assert not page.xpath("//p[contains(@class,'nb-no-match')]")


def test_search_explains_zero_results_and_offers_nearby_words(rank_served) -> None:
    page = _page(rank_served, f"/{rank_served.db}/search", q="复")
    help_ = page.xpath("//div[contains(@class,'nb-search-help')]")[0]
    assert "单个字" in help_.text_content()
    assert "复议" in help_.xpath(".//a/text()")
    page = _page(rank_served, f"/{rank_served.db}/search", q="复议 败诉")
    help_ = page.xpath("//div[contains(@class,'nb-search-help')]")[0]
    assert "同时" in help_.text_content()
    alone = dict(zip(help_.xpath(".//a/text()"), help_.xpath(".//a/@href"), strict=True))
    assert set(alone) >= {"复议", "败诉"}
    hits = _follow(rank_served, alone["复议"]).xpath("//td[contains(@class,'col-report_id')]")
    assert len(hits) == len(_rows(rank_served, "search", q="复议"))


def test_search_highlights_matches_and_shows_relevance_out_of_100(rank_served) -> None:
    rows = _rows(rank_served, "search", q="复议")
    relevance = [r["relevance"] for r in rows]
    assert relevance[0] == 100 and all(isinstance(v, int) and 0 < v <= 100 for v in relevance)
    assert relevance == sorted(relevance, reverse=True)
    page = _page(rank_served, f"/{rank_served.db}/search", q="复议")
    assert set(page.xpath("//td[contains(@class,'col-excerpt')]//mark/text()")) == {"复议"}
    assert not page.xpath("//div[contains(@class,'nb-search-help')]")
    assert "<mark>" not in str(rows)  # exports keep the plain text
