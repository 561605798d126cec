"""`nianbao sites probe ROOT --write`: from each simulated archetype's root URL alone, an entry that, crawled,
yields every reachable report of the site (the real Scrapy engine for the probe and the crawl)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from crawler.crawl.probe_result import Column, ProbeResult, ProbeWriteError, append_entry
from crawler.registry import load_registry
from simulator import SimulatedSites

NIANBAO = str(Path(sys.executable).with_name("nianbao"))
ARCHETYPES = {"spt": "trs", "lucheng": "hanweb", "dayu": "ucap", "yantian": "gkmlpt", "xixia": "static"}
ENV = {**os.environ, "NIANBAO_FAST": "1", "NIANBAO_DOWNLOAD_TIMEOUT": "5", "NIANBAO_PROGRESS": "0"}


@pytest.fixture(scope="module")
def probed(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("probe")
    registry = tmp / "sites.yml"
    with SimulatedSites(faults=True, timeout_delay=8) as sim:
        roots = {site_id: sim.sites[site_id].base_url + "/" for site_id in ARCHETYPES}
        result = subprocess.run(  # the five sites probed side by side, their entries appended one by one
            [NIANBAO, "sites", "probe", *roots.values(), "--write", "--sites", str(registry)],
            env=ENV,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert result.returncode == 0 and not result.stderr, result.stderr[-2000:]
        sections = result.stdout.split("# nianbao sites probe ")[1:]
        printed = {
            site_id: next(t for t in sections if t.startswith(root)) for site_id, root in roots.items()
        }
        assert sim.wait_until_warm()  # attachments rendered before the 5 s download timeout meets them
        crawl = subprocess.run(
            [NIANBAO, "crawl", "--sites", str(registry), "--db", str(tmp / "archive.db")],
            env={**ENV, "NIANBAO_TODAY": "2025-02-10"},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert crawl.returncode in (0, 2), crawl.stdout[-2000:] + crawl.stderr[-2000:]
        con = sqlite3.connect(tmp / "archive.db")
        documents = {url for (url,) in con.execute("SELECT url FROM documents")}
        con.close()
        yield sim, registry, printed, documents, sim.expected_reports()


@pytest.mark.parametrize("site_id", list(ARCHETYPES))
def test_probe_entry_yields_every_report(probed: Any, site_id: str) -> None:
    sim, registry, printed, documents, expected = probed
    text = printed[site_id]
    assert f"# archetype: {ARCHETYPES[site_id]} " in text and "# confidence: high" in text
    site = next(s for s in load_registry(registry) if s.portal == sim.sites[site_id].base_url + "/")
    assert site.cms == ARCHETYPES[site_id] and not site.verified
    assert site.region_code == sim.sites[site_id].region["code"]
    assert site.district == sim.sites[site_id].region["district"]
    reachable = [e["url"] for e in expected if e["site_id"] == site_id and e["reachable"]]
    assert reachable and not [u for u in reachable if u not in documents]


def test_probe_reports_blocks_and_units_without_a_column(probed: Any) -> None:
    printed = probed[2]
    assert "# blocks met: 1\n#   waf: " in printed["lucheng"]  # the 加速乐 unit
    assert "# units without a column: 2\n#   西夏区公证处" in printed["xixia"]
    assert "# blocks met: 1\n#   waf: " in printed["xixia"] and "# directory: " in printed["xixia"]


def result(
    portal: str = "http://www.example.gov.cn/", name: str = "温州市鹿城区人民政府", code: str = "3303020001"
) -> ProbeResult:
    found = ProbeResult(url=portal, portal=portal, cms="trs", site_name=name)
    found.site_code = code
    found.columns = [Column("鹿城区教育局", "jyj", portal + "jyj/", portal + "jyj/nb/")]
    return found


def test_region_and_id_from_site_name_and_code() -> None:
    assert result().region == {"province": "浙江省", "city": "温州市", "district": "鹿城区", "code": "330302"}
    assert result().site_id == "zhejiang-wenzhou-lucheng"
    assert (
        result(name="宁夏回族自治区中卫市沙坡头区人民政府", code="6405020001").site_id
        == "ningxia-zhongwei-shapotou"
    )
    assert result(name="重庆市沙坪坝区人民政府", code="5001060001").site_id == "chongqing-shapingba"
    assert (
        result(name="平潭综合实验区党工委管委会", code="3590000001").site_id == "example-gov-cn"
    )  # no district


def test_write_refuses_a_duplicate_and_keeps_the_file(tmp_path: Path) -> None:
    registry = tmp_path / "sites.yml"
    append_entry(result(), registry)
    before = registry.read_text(encoding="utf-8")
    with pytest.raises(ProbeWriteError, match="already there"):
        append_entry(result(), registry)
    assert registry.read_text(encoding="utf-8") == before
    append_entry(result("http://www.other.gov.cn/", "大余县人民政府", "3607230001"), registry)
    assert [s.id for s in load_registry(registry)] == ["zhejiang-wenzhou-lucheng", "jiangxi-dayu"]


def test_probe_from_a_real_column_page(tmp_path: Path) -> None:
    """The real Pingtan 年报 column (tests/crawl/pages/README.md), replayed: probing the column URL itself gives
    a TRS entry with that column, and crawling the entry archives the two report pages the replay holds."""
    import json

    from replay import Page, ReplayServer

    pages = Path(__file__).parent / "pages"
    expected = json.loads((pages / "pingtan-list-zfxxgknb.expected.json").read_text(encoding="utf-8"))
    replay = {path: Page((pages / name).read_bytes()) for path, name in expected["replay"]["pages"].items()}
    registry = tmp_path / "sites.yml"
    with ReplayServer(replay) as server:
        column = server.url("/zwgk/zfxxgk/zfxxgknb/")
        probe = subprocess.run(
            [NIANBAO, "sites", "probe", column, "--write", "--sites", str(registry)],
            env=ENV,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert probe.returncode == 0 and not probe.stderr, probe.stdout + probe.stderr[-2000:]
        assert "# archetype: trs — " in probe.stdout and "TRS .trsapi list script" in probe.stdout
        (site,) = load_registry(registry)
        assert (
            site.cms == "trs" and site.directory is None and site.region_code == "359000"
        )  # 网站标识码 3590000001
        assert [a.column for a in site.agencies] == [column] and site.province == "福建省"
        crawl = subprocess.run(
            [NIANBAO, "crawl", "--sites", str(registry), "--db", str(tmp_path / "archive.db")],
            env={**ENV, "NIANBAO_TODAY": "2026-03-20"},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert crawl.returncode in (0, 2), crawl.stdout + crawl.stderr[-2000:]
    con = sqlite3.connect(tmp_path / "archive.db")
    documents = {url for (url,) in con.execute("SELECT url FROM documents WHERE kind = 'page'")}
    con.close()
    assert documents == {server.url(d["path"]) for d in expected["replay"]["documents"]}
