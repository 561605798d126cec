"""Atom feeds (datasette-atom) of new reports, silently edited reports, a search and an agency: parsed as XML,
entries checked against the archive, and found from the pages through <link rel="alternate">."""

from __future__ import annotations

import urllib.parse

import lxml.etree
import lxml.html

ATOM = "{http://www.w3.org/2005/Atom}"
NEW_REPORTS = {101, 102, 103, 104, 106, 201, 202, 203, 204, 205, 206}  # every first version (105 is a 2nd)


def _feed(served, href: str) -> lxml.etree._Element:
    url = urllib.parse.urlsplit(href)
    status, headers, body = served.get(
        urllib.parse.unquote(url.path), **dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
    )
    assert status == 200, body[:500]
    assert headers["content-type"].startswith("application/xml")
    feed = lxml.etree.fromstring(body.encode("utf-8"))
    assert feed.tag == f"{ATOM}feed"
    return feed


def _entries(feed: lxml.etree._Element) -> dict[str, dict[str, str]]:
    return {
        e.findtext(f"{ATOM}id"): {
            "title": e.findtext(f"{ATOM}title"),
            "updated": e.findtext(f"{ATOM}updated"),
            "link": e.find(f"{ATOM}link").get("href"),
            "content": e.findtext(f"{ATOM}content"),
        }
        for e in feed.iter(f"{ATOM}entry")
    }


def _ids(entries: dict) -> set[int]:
    return {int(i.rsplit(":", 1)[1]) for i in entries}


def test_new_reports_feed(rank_served) -> None:
    feed = _feed(rank_served, f"/{rank_served.db}/new_reports_feed.atom")
    assert feed.findtext(f"{ATOM}title").startswith("新发布的年报")
    entries = _entries(feed)
    assert _ids(entries) == NEW_REPORTS
    late = entries["urn:nianbao:report:204"]
    assert late["title"] == "鹿城区教育局 2023 年度报告（逾期 20 天）"
    assert "法定期限：2024-01-31" in late["content"] and late["updated"].startswith("2024-02-20")
    assert late["link"] == rank_served.base + f"/{rank_served.db}/reports/204"
    assert rank_served.get(urllib.parse.urlsplit(late["link"]).path)[0] == 200
    region = _entries(_feed(rank_served, f"/{rank_served.db}/new_reports_feed.atom?region=鹿城&agency="))
    assert _ids(region) == {201, 202, 203, 204, 205, 206}


def test_edited_reports_feed(rank_served) -> None:
    entries = _entries(_feed(rank_served, f"/{rank_served.db}/edited_reports_feed.atom?region="))
    assert _ids(entries) == {105, 207}
    edited = entries["urn:nianbao:report:207"]
    assert "第 2 版" in edited["title"] and "存档于 2024-05-02T08:00:00Z" in edited["content"]


def test_search_and_agency_feeds_are_linked_from_their_pages(rank_served) -> None:
    status, _, body = rank_served.get(f"/{rank_served.db}/search", q="复议")
    page = lxml.html.fromstring(body)
    links = page.xpath("//head/link[@rel='alternate'][@type='application/atom+xml']/@href")
    assert f"/{rank_served.db}/new_reports_feed.atom" in links
    search_feed = next(href for href in links if "search_feed" in href)
    hits = rank_served.json(f"/{rank_served.db}/search.json", q="复议", _shape="array")
    assert _ids(_entries(_feed(rank_served, search_feed))) == {r["report_id"] for r in hits}
    assert page.xpath("//p[@class='nb-feed']/a/@href") == [search_feed]

    status, _, body = rank_served.get(f"/{rank_served.db}/reports", _search="复议")
    table_links = lxml.html.fromstring(body).xpath("//head/link[@type='application/atom+xml']/@href")
    assert search_feed in table_links

    status, _, body = rank_served.get(f"/-/agency/{rank_served.db}/lucheng/edu")
    links = lxml.html.fromstring(body).xpath("//head/link[@type='application/atom+xml']/@href")
    agency_feed = next(href for href in links if "agency_feed" in href)
    entries = _entries(_feed(rank_served, agency_feed))
    assert _ids(entries) == {202, 204, 206, 207}  # both versions of the edited 2022 report


def test_a_feed_with_nothing_yet_is_still_a_valid_feed(rank_served) -> None:
    entries = _entries(_feed(rank_served, f"/{rank_served.db}/search_feed.atom?q=败诉"))
    assert list(entries) == ["urn:nianbao:empty"]
    assert entries["urn:nianbao:empty"]["title"].startswith("暂无符合条件的年报")
