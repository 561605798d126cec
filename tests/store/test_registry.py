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


def _refusal(tmp_path, text: str) -> str:
    path = tmp_path / "s.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RegistryError) as caught:
        load_registry(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(path))
    return message


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("    politness: {delay: 1}\n", "site 'nx-zw-spt' politness: unknown field"),
        ("    politeness: {delay: 1, speed: 9}\n", "site 'nx-zw-spt' politeness.speed: unknown field"),
        ('    allowed_hosts: "spt.gov.cn"\n', "site 'nx-zw-spt' allowed_hosts: Input should be a valid list"),
        (
            '    verified: "false"\n',
            "site 'nx-zw-spt' verified: Input should be a valid boolean (got 'false')",
        ),
        (
            "    politeness: {delay: fast}\n",
            "site 'nx-zw-spt' politeness.delay: Input should be a valid number",
        ),
        (
            "    politeness: {max_pages: -1}\n",
            "politeness.max_pages: Input should be greater than or equal to 1",
        ),
        ("    budget: {megabytes: 0}\n", "site 'nx-zw-spt' budget.megabytes: Input should be greater than 0"),
        (
            "    budget: {requests: lots}\n",
            "site 'nx-zw-spt' budget.requests: Input should be a valid integer",
        ),
        ("    budget: {bytes: 5}\n", "site 'nx-zw-spt' budget.bytes: unknown field"),
        ('    allowed_hosts: ["a.b/x"]\n', "site 'nx-zw-spt' allowed_hosts: 'a.b/x' is not a host name"),
        (
            "      - {name: 另一个单位, slug: zwfwzx}\n",
            "duplicate agency slug 'zwfwzx' (agencies[0] and agencies[1])",
        ),
        (
            "      - {name: 沙坡头区政务服务中心}\n      - {name: 沙坡头区政务服务中心}\n",
            "duplicate agency slug",
        ),
    ],
)
def test_strict_schema_names_entry_and_field_in_one_line(tmp_path, extra, expected):
    message = _refusal(tmp_path, GOOD + extra)
    assert expected in message, message


def test_non_http_urls_are_refused(tmp_path):
    message = _refusal(tmp_path, GOOD.replace("directory: https://www.spt.gov.cn", "directory: file:///etc"))
    assert (
        "site 'nx-zw-spt' directory: must be an http(s) URL with a host (got 'file:///etc/xxgk/bmxxgkml/')"
        in message
    )


def test_the_line_of_the_bad_field_is_named(tmp_path):
    message = _refusal(tmp_path, GOOD + "    politeness: {delay: fast}\n")
    assert message.startswith(f"{tmp_path / 's.yml'}:11: "), message


def test_valid_types_load_and_budget_has_defaults(tmp_path):
    path = tmp_path / "s.yml"
    extra = (
        "    verified: false\n    allowed_hosts: [spt.gov.cn]\n    budget: {megabytes: 2.5, requests: 50}\n"
    )
    path.write_text(GOOD + extra, encoding="utf-8")
    (site,) = load_registry(path)
    assert site.verified is False and site.allowed_hosts == ("spt.gov.cn",)
    assert site.budget.bytes == int(2.5 * 1024 * 1024) and site.budget.requests == 50
    assert site.budget.seconds == 180 * 60  # the default stays where not given


def test_duplicate_site_ids_are_refused(tmp_path):
    entry = GOOD.split("sites:\n", 1)[1]
    message = _refusal(tmp_path, "sites:\n" + entry + entry)
    assert "duplicate site id 'nx-zw-spt' (sites[0] and sites[1])" in message


def test_duplicate_mapping_keys_are_refused(tmp_path):
    message = _refusal(tmp_path, GOOD + "    verified: false\n    verified: true\n")
    assert message.endswith(":12: duplicate key 'verified' (first on line 11)"), message


def test_unknown_top_level_key_is_refused(tmp_path):
    assert "extras: unknown field" in _refusal(tmp_path, GOOD + "extras: {a: 1}\n")


BILLION_LAUGHS = "\n".join(
    ["lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 10)]
)


def test_billion_laughs_is_refused_before_expansion(tmp_path):
    """Nine levels of ten aliases (10**9 nodes once expanded) under an unknown key: refused from the node
    graph in a fraction of a second, never built (building it took 6 GB)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    message = _refusal(
        tmp_path, GOOD + "laughs:\n" + "\n".join("  " + line for line in BILLION_LAUGHS.splitlines())
    )
    assert "expands to" in message and "through aliases" in message
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100_000  # KiB: no expansion happened


def test_too_many_aliases_are_refused(tmp_path):
    body = "defaults: &d {delay: 3}\nmany: [" + ", ".join(["*d"] * 20_001) + "]\n"
    assert "20001 aliases" in _refusal(tmp_path, GOOD + body)


def test_recursive_alias_is_refused(tmp_path):
    assert "refers to its own anchor" in _refusal(tmp_path, GOOD + "loop: &a [1, *a]\n")


def test_crawl_command_prints_one_line_and_fails(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "s.yml"
    path.write_text(GOOD + '    verified: "false"\n', encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "crawl", "--sites", str(path), "--db", str(tmp_path / "a.db")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "site 'nx-zw-spt' verified: Input should be a valid boolean" in lines[0], (
        done.stderr
    )
    assert not (tmp_path / "a.db").exists()


def test_crawl_of_an_unknown_site_id_is_one_line(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "s.yml"
    path.write_text(GOOD, encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "crawler.cli",
            "crawl",
            "--sites",
            str(path),
            "--site",
            "nx-zw-sp",
            "--db",
            str(tmp_path / "a.db"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert (
        done.stderr.strip()
        == "nianbao crawl: --site nx-zw-sp: no such id among the registry's 1 sites; did you mean nx-zw-spt?"
    )


def test_a_national_size_registry_with_shared_defaults_loads(tmp_path):
    """3,000 sites, each sharing the politeness defaults through an alias (the shipped sites.yml's style)."""
    entry = GOOD.split("sites:\n", 1)[1].replace("politeness", "x")
    sites = "".join(
        entry.replace("nx-zw-spt", f"site-{i}") + "    politeness: *polite\n" for i in range(3000)
    )
    path = tmp_path / "s.yml"
    path.write_text("defaults: &polite {delay: 3.0, max_pages: 30}\nsites:\n" + sites, encoding="utf-8")
    loaded = load_registry(path)
    assert len(loaded) == 3000 and loaded[-1].politeness.delay == 3.0
