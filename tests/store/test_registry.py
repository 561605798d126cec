"""The sites registry: the shipped sites.yml loads, and malformed entries are named in the error."""

from pathlib import Path

import pytest

from crawler.registry import RegistryError, load_registry

ROOT = Path(__file__).resolve().parents[2]

GOOD = """
sites:
  - id: nx-zw-spt
    name: 中卫市沙坡头区人民政府
    region: {province: 宁夏回族自治区, city: 中卫市, district: 沙坡头区, code: "640502"}
    portal: https://www.spt.gov.cn/
    cms: trs
    directory: https://www.spt.gov.cn/xxgk/bmxxgkml/
    agencies:
      - {name: 沙坡头区政务服务中心, slug: zwfwzx}
"""


def test_shipped_registry_loads_with_the_seed_district_first():
    sites = load_registry(ROOT / "sites.yml")
    assert len(sites) >= 10
    first = sites[0]
    assert first.region_code == "640502" and "spt.gov.cn" in first.portal
    assert any(a.name == "沙坡头区政务服务中心" for a in first.agencies)
    assert len({s.province for s in sites}) >= 3


def test_hosts_cover_portal_directory_and_columns(tmp_path):
    path = tmp_path / "s.yml"
    path.write_text(GOOD, encoding="utf-8")
    (site,) = load_registry(path)
    assert site.hosts == {"www.spt.gov.cn"}
    assert site.agency_id(site.agencies[0]) == "nx-zw-spt/zwfwzx"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('code: "640502"', 'code: "6405"'), "6-digit"),
        (("cms: trs", "cms: wordpress"), "cms"),
        (("    name: 中卫市沙坡头区人民政府\n", ""), "missing 'name'"),
    ],
)
def test_malformed_entries_are_named(tmp_path, change, message):
    path = tmp_path / "s.yml"
    path.write_text(GOOD.replace(*change), encoding="utf-8")
    with pytest.raises(RegistryError, match=message):
        load_registry(path)


def test_not_yaml_is_a_registry_error(tmp_path):
    path = tmp_path / "s.yml"
    path.write_text("sites: [\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="not valid YAML"):
        load_registry(path)


def test_unknown_politeness_key_is_named(tmp_path):
    path = tmp_path / "s.yml"
    path.write_text(GOOD + "    politeness: {delay: 1, speed: 9}\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="unknown keys \\['speed'\\]"):
        load_registry(path)
