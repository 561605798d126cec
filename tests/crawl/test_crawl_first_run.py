"""A first run on a machine that cannot reach the sites reads well: one line per site with its failure kind,
then the summary; no traceback. `.invalid` names fail DNS without any network (RFC 2606); a closed loopback
port stands for a site that is down."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

NIANBAO = str(Path(sys.executable).with_name("nianbao"))


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the block ends: connection refused


def entry(site_id: str, district: str, code: str, root: str, cms: str, **extra: object) -> dict[str, object]:
    return {
        "id": site_id,
        "name": f"测试{district}人民政府",
        "region": {"province": "宁夏回族自治区", "city": "中卫市", "district": district, "code": code},
        "portal": f"{root}/",
        "cms": cms,
        "politeness": {"delay": 0, "max_pages": 5, "revalidate_days": 7, "concurrency": 2},
        **extra,
    }


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    down = f"http://127.0.0.1:{closed_port()}"
    sites = [
        entry(
            "jiaqu",
            "甲区",
            "640501",
            "http://www.jiaqu.invalid",
            "trs",
            directory="http://www.jiaqu.invalid/xxgk/bmxxgkml/",
        ),
        entry(
            "yiqu",
            "乙区",
            "640502",
            "http://www.yiqu.invalid",
            "hanweb",
            agencies=[
                {"name": "乙区财政局", "slug": "czj", "column": "http://www.yiqu.invalid/col/col1/index.html"}
            ],
        ),
        entry(
            "bingqu",
            "丙区",
            "640503",
            "https://www.bingqu.gov.cn.invalid",
            "ucap",
            directory="https://www.bingqu.gov.cn.invalid/xxgk/",
        ),
        entry("dingqu", "丁区", "640504", down, "static", directory=f"{down}/bmxxgk/"),
    ]
    path = tmp_path_factory.mktemp("unreachable") / "sites.yml"
    path.write_text(yaml.safe_dump({"sites": sites}, allow_unicode=True), encoding="utf-8")
    return path


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NIANBAO_FAST": "1", "NIANBAO_DOWNLOAD_TIMEOUT": "5", "NIANBAO_PROGRESS": "0"}
    return subprocess.run([NIANBAO, *args], env=env, capture_output=True, text=True, timeout=240)


@pytest.mark.parametrize("command", ["crawl", "nightly"])
def test_unreachable_sites_one_line_each(registry: Path, command: str) -> None:
    db = registry.parent / f"{command}.db"
    result = run(command, "--sites", str(registry), "--db", str(db))
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output[-3000:]
    assert result.stderr.strip() == "", result.stderr[-3000:]
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 5, lines  # one per site, then the summary
    kinds = {line.split(":")[0].strip(): line for line in lines[:4]}
    assert set(kinds) == {"jiaqu", "yiqu", "bingqu", "dingqu"}
    for site_id in ("jiaqu", "yiqu", "bingqu"):
        assert f"{site_id}: failed (dns: " in kinds[site_id]
    assert "dingqu: failed (refused: " in kinds["dingqu"]
    assert lines[4].startswith("crawl: 4 sites" if command == "crawl" else "nightly: crawl: 4 sites")
    assert result.returncode == 1
