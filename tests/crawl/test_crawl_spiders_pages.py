"""Each archetype spider on saved pages (city-scrapers style): listings, pagination, discovery, articles."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from crawl_helpers import HOST, MemorySink, listing_meta, make_site, page_response, requests_of

from crawler.crawl.sink import KnownDocument, SiteState
from crawler.registry import Agency
from spiders.gkmlpt import GkmlptSpider
from spiders.hanweb import HanwebSpider, jpage_config
from spiders.trs import TrsSpider, page_script, page_url, trs_items
from spiders.ucap import UcapSpider

TRS_COLUMN = f"{HOST}/xxgk/bmxxgkml/sptqzwfwzx/xxgknb_51968/"


def test_trs_listing_requests_every_entry_and_next_page(sink: MemorySink) -> None:
    """Page 1 of this column holds only a notice and two 解读 companions: fetched once as `other`, never as
    reports; the next page comes from createPageHTML."""
    spider = TrsSpider(make_site("trs", column=TRS_COLUMN), sink)
    out = requests_of(
        spider.parse_listing(page_response("trs-listing.html", TRS_COLUMN, **listing_meta(TRS_COLUMN)))
    )
    entries, next_page = out[:-1], out[-1]
    assert len(entries) == 3
    assert {r.meta["nianbao_kind"] for r in entries} == {"other"}
    assert all(r.headers.get("Referer") == TRS_COLUMN.encode() for r in entries)
    assert next_page.url == TRS_COLUMN + "index_1.html" and next_page.meta["page"] == 1


def test_trs_incremental_stop(sink: MemorySink) -> None:
    """A page holding nothing the archive lacks ends the walk: no article and no next-page request."""
    response = page_response("trs-listing.html", TRS_COLUMN, **listing_meta(TRS_COLUMN))
    known = {}
    for item in trs_items(__import__("parsel").Selector(text=response.text), TRS_COLUMN):
        known[item.url] = KnownDocument(item.url, "test/unit", "page", 2024, "h", None, None, "2999-01-01", 1)
    spider = TrsSpider(make_site("trs", column=TRS_COLUMN), MemorySink(SiteState(documents=known)))
    spider.state = spider.ctx.sink.load_state("test")
    assert requests_of(spider.parse_listing(response)) == []


def test_trs_page_scripts() -> None:
    assert page_script('<script>createPageHTML(10, 0, "index", "html");</script>', "http://a/x/") == (
        10,
        "index",
        "html",
    )
    countpage = 'var currentPage = 0;//所在页从0开始\nvar countPage = 2//共多少页\ndocument.write("<a href=\\"list"+"_" + nextPage + "."+"shtml\\">下一页</a>");'
    assert page_script(countpage, "http://a/x/list.shtml") == (2, "list", "shtml")
    assert page_url("http://a/x/xxgknb_9622/", "index", "html", 1) == "http://a/x/xxgknb_9622/index_1.html"
    assert page_url("http://a/zwgk/qzfwj/list.html", "list", "html", 0) == "http://a/zwgk/qzfwj/list.html"


def test_trs_real_pingtan_listing() -> None:
    """The real TRS listing (Pingtan): ten ./YYYYMM/tYYYYMMDD_ID.htm reports with their dates, no pagination."""
    url = "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/"
    response = page_response("pingtan-list-zfxxgknb.html", url)
    from parsel import Selector

    items = [i for i in trs_items(Selector(text=response.text), url) if "/20" in i.url and ".htm" in i.url]
    reports = [i for i in items if "政府信息公开工作年度报告" in i.title]
    assert len(reports) == 10
    assert reports[0].url == "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202603/t20260313_105587.htm"
    assert reports[0].date == "2026-03-10"
    assert page_script(response.text, url) is None


def test_trs_discovery_from_directory(sink: MemorySink) -> None:
    site = make_site(
        "trs",
        directory=f"{HOST}/xxgk/bmxxgkml/",
        agencies=(Agency(name="沙坡头区政务服务中心", slug="sptqzwfwzx"),),
    )
    spider = TrsSpider(site, sink)
    directory = page_response(
        "trs-directory.html", f"{HOST}/xxgk/bmxxgkml/", nianbao_kind="discovery", targets=["test/sptqzwfwzx"]
    )
    (unit,) = requests_of(spider.parse_directory(directory))
    assert unit.url == f"{HOST}/xxgk/bmxxgkml/sptqzwfwzx/"
    unit_response = page_response("trs-unit.html", unit.url, **unit.meta)
    (listing,) = requests_of(spider.parse_unit(unit_response))
    assert listing.url == TRS_COLUMN
    assert ("agency", {"id": "test/sptqzwfwzx", "column_url": TRS_COLUMN}) in [
        (n, {k: r.get(k) for k in ("id", "column_url")}) for n, r in sink.ops if n == "agency"
    ]


def test_trs_article_with_attachment(sink: MemorySink) -> None:
    spider = TrsSpider(make_site("trs", column=TRS_COLUMN), sink)
    url = TRS_COLUMN + "202401/t20240126_5111144.html"
    response = page_response(
        "trs-article-attachment.html",
        url,
        nianbao_kind="report",
        nianbao_agency="test/unit",
        doc_url=url,
        nianbao_link_text="沙坡头区政务服务中心2023年度政府信息公开工作年度报告",
    )
    out = list(spider.parse_report(response))
    doc = out[0]
    assert doc["status"] == "new" and doc["kind"] == "page" and doc["year"] == 2023 and doc["content_hash"]
    (attachment,) = requests_of(out)
    assert attachment.url.startswith(TRS_COLUMN + "202401/P0") and attachment.url.endswith(".pdf")
    assert attachment.meta["parent_url"] == url and attachment.meta["nianbao_kind"] == "attachment"


HANWEB_COLUMN = f"{HOST}/col/col1229780601/index.html"


def test_hanweb_island_and_dataproxy(sink: MemorySink) -> None:
    spider = HanwebSpider(make_site("hanweb", column=HANWEB_COLUMN), sink)
    response = page_response("hanweb-column.html", HANWEB_COLUMN, **listing_meta(HANWEB_COLUMN))
    config = jpage_config(response.text)
    assert config["form"]["columnid"] == "1229780601" and config["total"] == 25 and config["perpage"] == 3
    out = requests_of(spider.parse_listing(response))
    articles = [r for r in out if "/art/" in r.url]
    assert len(articles) == 10
    proxy = out[-1]
    assert proxy.method == "POST" and "dataproxy.jsp" in proxy.url
    query = parse_qs(urlsplit(proxy.url).query)
    assert query == {"startrecord": ["10"], "endrecord": ["18"], "perpage": ["3"]}
    assert (
        proxy.headers["X-Requested-With"] == b"XMLHttpRequest"
        and proxy.headers["Referer"] == HANWEB_COLUMN.encode()
    )
    assert b"columnid=1229780601" in proxy.body and b"unitid=7740001" in proxy.body
    xml = page_response("hanweb-dataproxy.xml", proxy.url, **proxy.meta)
    more = requests_of(spider.parse_listing(xml))
    assert [r for r in more if "/art/" in r.url]  # new records (the one overlapping record is skipped)
    assert parse_qs(urlsplit(more[-1].url).query)["startrecord"] == ["19"]


def test_hanweb_article_downfile_attachment(sink: MemorySink) -> None:
    spider = HanwebSpider(make_site("hanweb", column=HANWEB_COLUMN), sink)
    url = f"{HOST}/art/2024/1/13/art_1229780612_4230793.html"
    response = page_response(
        "hanweb-article.html", url, nianbao_kind="report", nianbao_agency="test/unit", doc_url=url
    )
    (attachment,) = requests_of(spider.parse_report(response))
    assert "downfile.jsp" in attachment.url and attachment.headers["Referer"] == url.encode()


UCAP_COLUMN = f"{HOST}/dyxxxgk/c102431/nav_list.shtml"


def test_ucap_shell_then_json_api(sink: MemorySink) -> None:
    spider = UcapSpider(make_site("ucap", column=UCAP_COLUMN), sink)
    (api,) = requests_of(
        spider.parse_listing(page_response("ucap-navlist.html", UCAP_COLUMN, **listing_meta(UCAP_COLUMN)))
    )
    query = parse_qs(urlsplit(api.url).query)
    assert urlsplit(api.url).path == "/szinf/info/getInfoCommon/"
    assert query["currpage"] == ["1"] and query["pagesize"] == ["15"] and len(query["channelid"][0]) == 32
    out = requests_of(spider.parse_listing(page_response("ucap-api.json", api.url, **api.meta)))
    assert any(r.meta["nianbao_kind"] == "report" and r.url.endswith(".shtml") for r in out)
    assert not any(r.meta.get("nianbao_kind") == "listing" for r in out)  # one page only (totalpage 1)


GKMLPT_COLUMN = f"{HOST}/ytnlswj/gkmlpt/index"


def test_gkmlpt_config_api_and_detail(sink: MemorySink) -> None:
    spider = GkmlptSpider(make_site("gkmlpt", column=GKMLPT_COLUMN), sink)
    (api,) = requests_of(
        spider.parse_listing(page_response("gkmlpt-index.html", GKMLPT_COLUMN, **listing_meta(GKMLPT_COLUMN)))
    )
    assert api.url == f"{HOST}/ytnlswj/gkmlpt/api/all/2856?sid=200165&page=1"
    out = requests_of(spider.parse_listing(page_response("gkmlpt-api.json", api.url, **api.meta)))
    titles = [r.meta["nianbao_link_text"] for r in out if r.meta.get("nianbao_kind") in ("report", "other")]
    assert any(t.startswith("一图读懂") for t in titles)  # %uXXXX titles decoded
    assert out[-1].url.endswith("page=2")
    url = f"{HOST}/ytnlswj/gkmlpt/content/0/11901/post_11901045.html"
    article = page_response(
        "gkmlpt-article.html", url, nianbao_kind="report", nianbao_agency="test/unit", doc_url=url
    )
    result = list(spider.parse_report(article))
    assert result[0]["title"] == "2022年深圳市盐田区水务局政府信息公开工作年度报告"
    (attachment,) = requests_of(result)
    assert attachment.url == f"{HOST}/ytnlswj/attachment/0/1001/1001045/11901045.pdf"


def test_hanweb_get_variant_follows_nextgroup(sink: MemorySink) -> None:
    """Without a param_N form (older jpage), the <nextgroup> link is fetched with GET."""
    from scrapy.http import HtmlResponse

    html = (
        '<div id="1"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/jpage/dataproxy.jsp?'
        'page=2&appid=1&webid=1934&columnid=5"></a>]]></nextgroup><recordset><record><![CDATA[<li><a href="/art/2024/1/'
        '2/art_5_1.html" title="某局2023年政府信息公开工作年度报告">x</a><span>2024-01-02</span></li>]]></record>'
        "</recordset></datastore></script></div>"
    )
    spider = HanwebSpider(make_site("hanweb", column=HANWEB_COLUMN), sink)
    meta = {"nianbao_capture": None, "nianbao_failure": None, **listing_meta(HANWEB_COLUMN)}
    request = __import__("scrapy").Request(HANWEB_COLUMN, meta=meta)
    response = HtmlResponse(HANWEB_COLUMN, body=html.encode(), encoding="utf-8", request=request)
    out = requests_of(spider.parse_listing(response))
    assert out[0].url == f"{HOST}/art/2024/1/2/art_5_1.html" and out[0].meta["nianbao_kind"] == "report"
    assert (
        out[-1].method == "GET"
        and out[-1].url == f"{HOST}/module/jpage/dataproxy.jsp?page=2&appid=1&webid=1934&columnid=5"
    )


def test_agency_cms_override_mixes_platforms(sink: MemorySink) -> None:
    """A TRS site with one gkmlpt department: each agency's pages go through its own platform's code."""
    from spiders import spider_for_site

    site = make_site(
        "trs",
        agencies=(
            Agency(name="政务服务中心", slug="unit", column=TRS_COLUMN),
            Agency(name="水务局", slug="water", column=GKMLPT_COLUMN, cms="gkmlpt"),
        ),
    )
    cls = spider_for_site(site)
    assert cls.__name__ == "Mixed_trs_gkmlpt"
    spider = cls(site, sink)
    trs = requests_of(
        spider.parse_listing(page_response("trs-listing.html", TRS_COLUMN, **listing_meta(TRS_COLUMN)))
    )
    assert trs[-1].url == TRS_COLUMN + "index_1.html"
    meta = {**listing_meta(GKMLPT_COLUMN), "nianbao_agency": "test/water"}
    (api,) = requests_of(spider.parse_listing(page_response("gkmlpt-index.html", GKMLPT_COLUMN, **meta)))
    assert api.url == f"{HOST}/ytnlswj/gkmlpt/api/all/2856?sid=200165&page=1"
    out = requests_of(spider.parse_listing(page_response("gkmlpt-api.json", api.url, **api.meta)))
    assert out[-1].url.endswith("page=2")
