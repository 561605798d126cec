"""The simulated sites behave as simulator/README.md documents: layouts, pagination, validators, faults, truth."""

from __future__ import annotations

import json
import re
import time
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from crawler.crawl.reports import is_report_title
from crawler.registry import load_registry
from simulator import SimulatedSites


@pytest.fixture(scope="module")
def sims() -> Iterator[SimulatedSites]:
    with SimulatedSites(faults=True, seed=0, timeout_delay=2.0, flaky_failures=2) as running:
        yield running


def get(url: str, **kw) -> requests.Response:
    kw.setdefault("timeout", 10)
    return requests.get(url, **kw)


def text_of(resp: requests.Response) -> str:
    """Decode as a careful crawler would: header charset, then a gb2312/gbk meta, else UTF-8."""
    if "charset=" in resp.headers.get("Content-Type", ""):
        return resp.text
    head = resp.content[:1024].lower()
    return resp.content.decode("gb18030" if b"gb2312" in head or b"gbk" in head else "utf-8")


def expected_for(sims: SimulatedSites, site_id: str) -> list[dict]:
    return [r for r in sims.expected_reports() if r["site_id"] == site_id]


# -- A: TRS -----------------------------------------------------------------------------------------------
def trs_walk(base: str) -> dict[str, list[tuple[str, str]]]:
    """Discover every unit's 年报 column from the directory and walk its pages: slug → [(title, url)]."""
    directory = urljoin(base, "/xxgk/bmxxgkml/")
    found: dict[str, list[tuple[str, str]]] = {}
    for slug in re.findall(r'<a href="\./([a-z]+)/"', get(directory).text):
        unit_url = urljoin(directory, f"{slug}/")
        unit_page = text_of(get(unit_url))
        column = re.search(r'<a href="\./([^"]+)/">政府信息公开年报</a>', unit_page)[1]
        column_url = urljoin(unit_url, column + "/")
        first = get(column_url)
        count = int(re.search(r"createPageHTML\((\d+), 0, \"index\", \"html\"\)", first.text)[1])
        rows: list[tuple[str, str]] = []
        for page in range(count):
            url = column_url if page == 0 else urljoin(column_url, f"index_{page}.html")
            resp = first if page == 0 else get(url)
            assert resp.status_code == 200
            text = text_of(resp)
            links = re.findall(r'<li><a href="(\./[^"]+)" title="([^"]+)"', text)
            assert 1 <= len(links) <= 3
            rows += [(t, urljoin(url, h)) for h, t in links]
        assert get(urljoin(column_url, f"index_{count}.html")).status_code == 404
        found[slug] = rows
    return found


def test_trs_discovery_pagination_and_reports(sims):
    base = sims.sites["spt"].base_url
    walked = trs_walk(base)
    site = sims.site("spt")
    assert set(walked) == set(site.units)
    assert all(len(rows) == len(site.units[s].items) for s, rows in walked.items())
    assert any(len(rows) > 6 for rows in walked.values())  # real pagination
    listed = {url for rows in walked.values() for title, url in rows if is_report_title(title)}
    expected = expected_for(sims, "spt")
    assert listed == {r["page_url"] for r in expected}
    for report in expected:
        resp = get(report["url"])
        assert resp.status_code == 200
        if report["source_format"] == "pdf":
            assert resp.content.startswith(b"%PDF") and resp.headers["Content-Type"] == "application/pdf"
        elif report["source_format"] == "docx":
            assert resp.content.startswith(b"PK")
        else:
            assert report["title"] in text_of(resp)


def test_trs_columns_have_unguessable_suffixes(sims):
    columns = {u.extra["column"] for u in sims.site("spt").units.values()}
    assert "xxgknb" in columns and sum(bool(re.fullmatch(r"xxgknb_\d{5}", c)) for c in columns) >= 3


def test_trs_attachment_only_and_page_plus_pdf(sims):
    reports = {(r["agency_slug"], r["year"]): r for r in expected_for(sims, "spt")}
    stub = get(reports[("sptqjyj", 2023)]["page_url"]).text
    assert "详见附件" in stub
    href = re.search(r'href="(\./P0\d+\.pdf)"', stub)[1]
    assert urljoin(reports[("sptqjyj", 2023)]["page_url"], href) == reports[("sptqjyj", 2023)]["url"]
    both = reports[("sptqzwfwzx", 2023)]
    page = get(both["page_url"]).text
    assert both["source_format"] == "html" and "详见附件" not in page
    pdf = urljoin(
        both["page_url"], re.search(r'class="article_attachment">.*?href="(\./P0\d+\.pdf)"', page)[1]
    )
    assert get(pdf).content.startswith(b"%PDF")
    assert reports[("sptqzrzyj", 2024)]["source_format"] == "docx"


def test_trs_gbk_unit(sims):
    report = next(r for r in expected_for(sims, "spt") if r["agency_slug"] == "bhzrmzf")
    for url in (report["page_url"], urljoin(report["page_url"], "../")):
        resp = get(url)
        assert resp.headers["Content-Type"] == "text/html"
        assert b"charset=gb2312" in resp.content[:600]
        with pytest.raises(UnicodeDecodeError):
            resp.content.decode("utf-8")
        assert "滨河镇人民政府" in resp.content.decode("gb18030")


def test_trs_wap_duplicate_and_url_dates(sims):
    reports = {(r["agency_slug"], r["year"]): r for r in expected_for(sims, "spt")}
    wap = reports[("sptqzfb", 2023)]["page_url"].replace(".html", "_wap.html")
    main = get(reports[("sptqzfb", 2023)]["page_url"]).text
    assert "_wap.html" in main and get(wap).status_code == 200
    assert get(reports[("sptqzwfwzx", 2022)]["page_url"].replace(".html", "_wap.html")).status_code == 404
    moved = reports[("sptqzfb", 2019)]
    assert moved["url_date"] != moved["publish_date"]
    assert f"t{moved['url_date'].replace('-', '')}_" in moved["page_url"]


def test_conditional_get(sims):
    for report in expected_for(sims, "spt")[:3] + expected_for(sims, "dayu")[:1]:
        first = get(report["url"])
        etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
        assert get(report["url"], headers={"If-None-Match": etag}).status_code == 304
        assert get(report["url"], headers={"If-Modified-Since": modified}).status_code == 304
        old = format_datetime(datetime(2001, 1, 1, tzinfo=UTC), usegmt=True)
        assert get(report["url"], headers={"If-Modified-Since": old}).status_code == 200
        assert get(report["url"], headers={"If-None-Match": '"nope"'}).status_code == 200


def test_trs_robots_and_trap(sims):
    base = sims.sites["spt"].base_url
    assert "Disallow: /xxgk/backup/" in get(base + "/robots.txt").text
    assert "./backup/" in get(base + "/xxgk/").text
    assert get(base + "/xxgk/backup/").status_code == 200


# -- B: Hanweb ---------------------------------------------------------------------------------------------
FORM = {"col": 1, "appid": 1, "webid": 61, "path": "/", "sourceContentType": 1, "permissiontype": 0}


def hanweb_records(text: str) -> list[tuple[str, str]]:
    return re.findall(r'<record><!\[CDATA\[<li><a href="([^"]+)" title="([^"]+)"', text)


def test_hanweb_directory_column_and_dataproxy_groups(sims):
    base = sims.sites["lucheng"].base_url
    directory = get(base + "/col/col1229214366/index.html").text
    columns = re.findall(r'<a href="(/col/col\d+/index\.html)"[^>]*>([^<]+)</a>', directory)
    assert "鹿城区人民政府办公室" in {name for _, name in columns}
    page = get(base + "/col/col1229780601/index.html").text
    params = re.search(r"var param_(\d+) = \{[^}]*columnid:(\d+)[^}]*unitid:'(\d+)'", page)
    assert params[1] == params[3]
    total = int(re.search(r"totalRecord:(\d+)", page)[1])
    embedded = hanweb_records(page)
    assert len(embedded) == 10  # 3 pages × 3 + 1 look-ahead
    form = {**FORM, "columnid": params[2], "unitid": params[3], "webname": "温州市鹿城区人民政府"}
    proxy = base + "/module/web/jpage/dataproxy.jsp"
    seen = [h for h, _ in embedded]
    start = 10
    while start <= total:
        resp = requests.post(
            f"{proxy}?startrecord={start}&endrecord={start + 8}&perpage=3", data=form, timeout=10
        )
        assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/xml")
        assert int(re.search(r"<totalrecord>(\d+)</totalrecord>", resp.text)[1]) == total
        assert int(re.search(r"<totalpage>(\d+)</totalpage>", resp.text)[1]) == -(-total // 3)
        group = [urlsplit(h).path for h, _ in hanweb_records(resp.text)]
        assert all(h.startswith("http://") for h, _ in hanweb_records(resp.text))
        assert group[0] == seen[-1]  # one-record overlap with the previous group
        seen += group[1:]
        start += 9
    assert len(seen) == len(set(seen)) == total
    assert requests.get(f"{proxy}?startrecord=1&endrecord=9&perpage=3", timeout=10).status_code == 405
    article = get(base + seen[0]).text
    assert 'id="zoom"' in article or "ZJEG_RSS" in article


def test_hanweb_downfile_redirect_and_reports(sims):
    base = sims.sites["lucheng"].base_url
    for report in expected_for(sims, "lucheng"):
        if not report["reachable"]:
            continue
        resp = get(report["url"], allow_redirects=False)
        if report["source_format"] == "pdf":
            assert resp.status_code == 302 and re.search(
                r"/attach/0/[0-9a-f]{32}\.pdf$", resp.headers["Location"]
            )
            assert get(report["url"]).content.startswith(b"%PDF")
            assert "downfile.jsp" in get(report["page_url"]).text
        else:
            assert resp.status_code == 200 and report["title"] in resp.text
    assert (
        get(base + "/module/download/downfile.jsp?filename=nope.pdf", allow_redirects=False).status_code
        == 404
    )


def test_hanweb_jsl_challenge_one_path_family(sims):
    base = sims.sites["lucheng"].base_url
    blocked = get(base + "/col/col1229780633/index.html")
    assert (
        blocked.status_code == 521
        and "__jsl_clearance_s=" in blocked.text
        and "__jsluid_s" in blocked.headers["Set-Cookie"]
    )
    token = re.search(r"__jsl_clearance_s=([0-9a-f]+)", blocked.text)[1]
    cleared = get(base + "/col/col1229780633/index.html", cookies={"__jsl_clearance_s": token})
    assert cleared.status_code == 200 and "datastore" in cleared.text
    assert get(base + "/col/col1229780601/index.html").status_code == 200
    hidden = [r for r in expected_for(sims, "lucheng") if r["agency_slug"] == "lcqsjj"]
    assert hidden and all(r["fault"] == "waf" and not r["reachable"] for r in hidden)
    assert any(f["kind"] == "waf" and "col1229780633" in f["url"] for f in sims.expected_faults())


# -- C: UCAP -----------------------------------------------------------------------------------------------
def test_ucap_shell_json_pages_and_articles(sims, tmp_path):
    base = sims.sites["dayu"].base_url
    listed: set[str] = set()
    for agency in load_registry(sims.write_registry(tmp_path / "sites.yml"))[2].agencies:
        shell = get(agency.column)
        assert shell.status_code == 200 and 'id="infolist"></ul>' in shell.text
        channel = re.search(r'var channelid = "([0-9a-f]{32})"', shell.text)[1]
        page, items = 1, []
        while True:
            data = get(
                f"{base}/szinf/info/getInfoCommon/?pagesize=15&currpage={page}&channelid={channel}"
            ).json()
            if not data["infolist"]:
                break
            items += data["infolist"]
            page += 1
        assert len(items) == data["total"] and page - 1 == data["totalpage"]
        listed |= {urljoin(base, i["link"]) for i in items if is_report_title(i["title"])}
    expected = expected_for(sims, "dayu")
    assert listed == {r["page_url"] for r in expected}
    assert max(len(u.items) for u in sims.site("dayu").units.values()) > 15
    for report in expected:
        assert get(report["url"]).status_code == 200
    bad = get(base + "/dyxxxgk/c999999/nav_list.shtml", allow_redirects=False)
    assert bad.status_code == 307 and bad.headers["Location"].endswith("/")


# -- D: gkmlpt ---------------------------------------------------------------------------------------------
def gkmlpt_config(text: str) -> dict:
    return json.loads(re.search(r"window\._CONFIG = (\{.*?\});</script>", text)[1])


def find_node(tree: list[dict], name: str) -> dict | None:
    for node in tree:
        if node["name"] == name:
            return node
        if hit := find_node(node.get("children") or [], name):
            return hit
    return None


def test_gkmlpt_tree_api_pages_and_detail(sims, tmp_path):
    listed: set[str] = set()
    for agency in load_registry(sims.write_registry(tmp_path / "sites.yml"))[3].agencies:
        config = gkmlpt_config(get(agency.column).text)
        cat = find_node(config["TREE"], "政府信息公开年报")["id"]
        api = urljoin(agency.column, f"api/all/{cat}")
        first = get(api, params={"page": 1, "sid": config["SID"]}).json()
        articles, page = list(first["articles"]), 2
        while len(articles) < first["classify"]["post_count"]:
            resp = get(api, params={"page": page, "sid": config["SID"]})
            assert resp.status_code == 200
            articles += resp.json()["articles"]
            page += 1
        second = get(api, params={"page": 2, "sid": config["SID"]})
        if agency.slug == "ytqwjj":
            assert second.status_code == 404 and len(first["articles"]) == first["classify"]["post_count"]
        else:
            assert second.status_code == 200
        assert get(api, params={"page": 1, "sid": "0"}).status_code == 404
        listed |= {a["url"] for a in articles if is_report_title(a["title"])}
    expected = expected_for(sims, "yantian")
    assert listed == {r["page_url"] for r in expected}
    for report in expected:
        page = get(report["page_url"]).text
        assert "\\u003C" in page and "<p" not in page.split("window._CONFIG")[1]
        detail = gkmlpt_config(page)["DETAIL"]
        assert detail["title"] == report["title"] and "<" in detail["content"]
        if report["source_format"] == "pdf":
            assert detail["attachment"][0]["url"] == report["url"]
            assert get(report["url"]).content.startswith(b"%PDF")


# -- faults ------------------------------------------------------------------------------------------------
def check_fault(kind: str, url: str, base: str) -> None:
    if kind in ("offsite_link", "ssrf_refused"):
        return  # never fetched; presence in the listing is checked separately
    if kind == "timeout":
        with pytest.raises(requests.exceptions.ReadTimeout):
            requests.get(url, timeout=0.5)
        return
    if kind == "redirect_loop":
        with pytest.raises(requests.exceptions.TooManyRedirects):
            get(url)
        return
    if kind == "oversized":
        with requests.get(url, stream=True, timeout=10) as resp:
            assert resp.status_code == 200 and int(resp.headers["Content-Length"]) >= 30 * 1024 * 1024
            assert len(next(resp.iter_content(65536))) > 0
        return
    resp = get(url, allow_redirects=False)
    if kind == "waf":
        body = resp.content
        assert (
            (resp.status_code == 412 and b"$_ts" in body and b"r='m'" in body)
            or (resp.status_code == 202 and b"$_ts" in body and len(body) < 500)
            or (resp.status_code == 405 and "网防G01" in body.decode() and len(body) == 4644)
            or (resp.status_code == 200 and body == b"" and "safedog" in resp.headers["Set-Cookie"])
            or (resp.status_code == 521 and b"__jsl_clearance_s" in body)
        ), (url, resp.status_code)
    elif kind == "http_404":
        assert resp.status_code == 404
    elif kind == "http_410":
        assert resp.status_code == 410
    elif kind == "http_5xx":
        assert resp.status_code >= 500
    elif kind == "redirect_offsite":
        assert (
            resp.status_code in (301, 302)
            and urlsplit(resp.headers["Location"]).netloc != urlsplit(base).netloc
        )
        final = get(url)
        assert final.status_code == 200 and len(final.history) == 2
    elif kind == "charset":
        assert resp.status_code == 200 and resp.headers["Content-Type"] == "text/html"
    elif kind == "duplicate":
        canonical = url.split("?")[0]
        assert "?" in url and resp.content == get(canonical).content
    elif kind == "soft_404":
        assert resp.status_code == 200 and "页面不存在" in resp.text
    elif kind == "moved_to_home":
        assert resp.status_code == 301 and urlsplit(resp.headers["Location"]).path == "/"
    elif kind == "endless_pagination":
        for n in (1, 57):
            page = get(urljoin(url, f"index_{n}.html")).text
            assert f'href="index_{n + 1}.html"' in page and f"createPageHTML({n + 2}, {n}," in page
    elif kind == "hostile":
        assert resp.status_code == 200 and "gzip-bomb.html" in resp.text
    else:
        raise AssertionError(f"unknown fault kind {kind}")


def test_every_fault_behaves_as_documented(sims, tmp_path):
    faults = sims.expected_faults()
    base = sims.sites["faults"].base_url
    kinds = {f["kind"] for f in faults}
    assert kinds >= {
        "waf", "http_404", "http_410", "http_5xx", "timeout", "redirect_loop", "redirect_offsite",
        "endless_pagination", "charset", "duplicate", "oversized", "offsite_link", "soft_404",
        "moved_to_home", "ssrf_refused",
    }  # fmt: skip
    for fault in faults:
        check_fault(fault["kind"], fault["url"], base)
    listing = get(base + "/xxgk/gzlm/xxgknb/").text
    for fault in faults:
        if fault["kind"] in ("offsite_link", "ssrf_refused"):
            assert f'href="{fault["url"]}"' in listing
    registry = {
        a.column for s in load_registry(sims.write_registry(tmp_path / "sites.yml")) for a in s.agencies
    }
    assert not any(f["url"] in registry for f in faults if f["kind"] in ("offsite_link", "ssrf_refused"))


def test_flaky_article_recovers_and_charset_variants_decode(sims):
    reports = {r["year"]: r for r in expected_for(sims, "faults")}
    flaky = reports[2023]["url"]
    assert [get(flaky).status_code for _ in range(3)] == [500, 500, 200]
    assert reports[2021]["title"] in get(reports[2021]["url"]).content.decode("gbk")
    wrong = get(reports[2020]["url"]).content
    assert b'charset="gb2312"' in wrong and reports[2020]["title"] in wrong.decode("utf-8")
    chained = get(reports[2022]["listed_url"])
    assert chained.url == reports[2022]["url"] and [r.status_code for r in chained.history] == [301, 302]
    moved = next(r for r in sims.expected_reports() if r["site_id"] == "moved")
    assert moved["fault"] == "redirect_offsite" and not moved["reachable"]


def test_gzip_bomb_and_hostile_files(sims):
    base = sims.sites["faults"].base_url
    with requests.get(base + "/hostile/gzip-bomb.html", stream=True, timeout=30) as resp:
        assert resp.headers["Content-Encoding"] == "gzip"
        raw = resp.raw.read(decode_content=False)
    assert len(raw) < 2 * 1024 * 1024
    inflated = zlib.decompressobj(31).decompress(raw, 10 * 1024 * 1024)
    assert len(inflated) == 10 * 1024 * 1024 and not inflated.strip(b"\0")
    assert get(base + "/hostile/../README.md").status_code == 404
    assert get(base + "/hostile/_make.py").status_code == 404
    listing = get(base + "/hostile/").text
    for name in re.findall(r'<a href="\./([^"]+)"', listing):
        if name != "gzip-bomb.html":
            assert get(f"{base}/hostile/{name}").status_code == 200


def test_units_directory_lists_every_kind_of_unit(sims):
    base = sims.sites["xixia"].base_url
    pages = [get(base + "/zwgk/bmxxgk/").text, get(base + "/zwgk/bmxxgk/?page=2").text]
    assert "下一页" in pages[0] and get(base + "/zwgk/bmxxgk/?page=3").status_code == 404
    units = [re.search(r'<ul class="dept-list">(.*?)</ul>', p)[1] for p in pages]
    listed = {urljoin(base + "/zwgk/bmxxgk/", h) for u in units for h in re.findall(r'<a href="([^"]+)"', u)}
    ledger = sims.site("xixia").expected_ledger()
    assert listed | {base + "/zwgk/zn/"} == set(ledger)
    names = {v["name"] for v in ledger.values()}
    assert {
        "西夏区档案馆",
        "中共银川市西夏区委统战部",
        "西夏区妇联",
        "西夏区供销社",
        "中国人民银行西夏区支行",
    } <= names
    outcomes = [v["outcome"] for v in ledger.values()]
    assert outcomes.count("no_column") == 2 and outcomes.count("blocked") == 1
    blocked = next(u for u, v in ledger.items() if v["outcome"] == "blocked")
    assert get(blocked).status_code == 412
    gbk = get(base + "/zwgk/bmxxgk/xxrmt/xxgknb/")
    assert "charset" not in gbk.headers["Content-Type"] and "融媒体中心".encode("gbk") in gbk.content
    wordings = {"年报", "年度报告", "信息公开工作年报", "政府信息公开工作年度报告", "政务公开年报"}
    unit_pages = [
        get(u).text for u, v in ledger.items() if v["outcome"] == "column_found" and u.endswith("/")
    ]
    assert wordings <= {
        w for page in unit_pages for w in re.findall(r'<a href="\./[a-z]+/">([^<]+)</a>', page)
    }
    two_pages = get(base + "/zwgk/bmxxgk/xxkfq/nb/?page=2")
    assert two_pages.status_code == 200 and "上一页" in two_pages.text


# -- truth, knobs, registry, log ------------------------------------------------------------------------------
def test_expected_reports_are_distinct_and_reachable(sims):
    expected = sims.expected_reports()
    keys = [(r["agency_slug"], r["year"]) for r in expected]
    assert len(keys) == len(set(keys))
    reachable = [r for r in expected if r["reachable"]]
    assert len({r["url"] for r in reachable}) == len(reachable) == 73  # 55 + 西夏区 18
    for r in expected:
        assert {"title", "agency", "year", "format", "table3", "checks"} <= set(r)
        assert r["source_format"] in ("html", "pdf", "docx") and r["publish_date"] >= f"{r['year'] + 1}-01-01"


def test_edit_and_add_report() -> None:
    with SimulatedSites(faults=False) as sims:
        page = next(r for r in sims.expected_reports() if (r["agency_slug"], r["year"]) == ("sptqjyj", 2022))
        before = get(page["url"])
        sims.edit_report("sptqjyj", 2022, "（2025年3月更正：第三部分数据有误）")
        after = get(page["url"])
        assert "2025年3月更正" in after.text and "2025年3月更正" not in before.text
        assert after.headers["ETag"] != before.headers["ETag"]
        assert get(page["url"], headers={"If-None-Match": before.headers["ETag"]}).status_code == 200
        assert (
            get(page["url"], headers={"If-Modified-Since": before.headers["Last-Modified"]}).status_code
            == 200
        )
        pdf = next(
            r for r in sims.expected_reports() if r["source_format"] == "pdf" and r["site_id"] == "spt"
        )
        old = get(pdf["url"]).content
        sims.edit_report(pdf["agency_slug"], pdf["year"], "修订")
        assert get(pdf["url"]).content != old

        count = len(sims.expected_reports())
        row = sims.add_report("sptqzwfwzx", 2025)
        assert len(sims.expected_reports()) == count + 1 and row["year"] == 2025
        column = urljoin(row["page_url"], "../")
        first = re.search(r'<li><a href="(\./[^"]+)" title="([^"]+)"', get(column).text)
        assert first[2] == row["title"] and urljoin(column, first[1]) == row["page_url"]
        assert get(row["url"]).status_code == 200
        with pytest.raises(ValueError):
            sims.add_report("sptqzwfwzx", 2025)


def test_registry_matches_schema_and_discovery_rules(sims, tmp_path):
    sites = {s.id: s for s in load_registry(sims.write_registry(tmp_path / "sites.yml"))}
    assert set(sites) == {"spt", "lucheng", "dayu", "yantian", "faults", "xixia"}
    assert sites["xixia"].directory and not sites["xixia"].agencies  # every unit must be discovered
    spt = sites["spt"]
    assert (spt.province, spt.city, spt.district, spt.region_code) == (
        "宁夏回族自治区",
        "中卫市",
        "沙坡头区",
        "640502",
    )
    assert spt.directory and sum(a.column is None for a in spt.agencies) == len(spt.agencies) - 1
    assert sites["lucheng"].directory and all(a.column is None for a in sites["lucheng"].agencies)
    assert all(a.column for a in sites["dayu"].agencies + sites["yantian"].agencies)
    for site in sites.values():
        assert site.hosts == {urlsplit(sims.sites[site.id].base_url).netloc}
        assert site.politeness.delay == 0


def test_request_log_and_determinism(sims):
    sims.clear_log()
    base = sims.sites["spt"].base_url
    get(base + "/xxgk/")
    deadline = time.monotonic() + 5  # the server logs after answering: wait for it under load
    while not sims.request_log and time.monotonic() < deadline:
        time.sleep(0.05)
    log = sims.request_log
    assert [(r.site_id, r.method, r.path, r.status) for r in log] == [("spt", "GET", "/xxgk/", 200)]
    assert log[0].host == urlsplit(base).netloc and log[0].bytes > 0 and "user-agent" in log[0].headers
    with SimulatedSites(faults=True, seed=0) as again:

        def shape(s: SimulatedSites) -> list[tuple]:
            return [
                (r["site_id"], urlsplit(r["url"]).path, r["title"], r["publish_date"])
                for r in s.expected_reports()
            ]

        assert shape(again) == shape(sims)


def test_faults_off_serves_only_clean_archetypes() -> None:
    with SimulatedSites(faults=False) as clean:
        assert set(clean.sites) == {"spt", "lucheng", "dayu", "yantian"}
        assert clean.expected_faults() == []
        assert all(r["reachable"] and r["fault"] is None for r in clean.expected_reports())
        assert get(clean.sites["lucheng"].base_url + "/col/col1229780633/index.html").status_code == 200
    with pytest.raises(ValueError):
        SimulatedSites(timeout_delay=30)
