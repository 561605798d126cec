"""`nianbao wacz`: the archive as a WACZ that warcio reads, the `wacz` validator accepts and pywb replays.

The archive holds real captures: the Pingtan 2021 report page and the Huai'an 2024 report PDF (copies in
tests/fixtures/reports, sources in their README rows), with response headers the way the crawler stores them
after Scrapy decoded a gzip transfer (Content-Length of the compressed bytes, no Content-Encoding), plus a
redirect and a 404 page.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.store.captures import CaptureRecord, write_capture
from crawler.store.schema import connect
from crawler.wacz import export_wacz

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "reports"
REPLAY_VENV = Path(os.environ.get("NIANBAO_REPLAY_VENV", ROOT / ".venv-replay"))
PAGE = "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202202/t20220208_80613.htm"
PDF = "https://www.huaian.gov.cn/col/xxgknb/P020250120.pdf"  # invented URL for the real Huai'an PDF
OLD = "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202202/80613.htm"


def _capture(db, url: str, body: bytes, headers: dict[str, str], **extra) -> int:
    record = CaptureRecord(
        url=url, final_url=url, method="GET", headers=headers, body=body, site_id=extra.pop("site", "pingtan"),
        **{"status": 200, "fetched_at": "2022-02-10T08:30:00Z", "kind": "report", **extra},
    )  # fmt: skip
    return write_capture(db, record)[0]


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> dict:
    path = tmp_path_factory.mktemp("wacz") / "archive.db"
    db = connect(path)
    for site in ("pingtan", "huaian"):
        db["sites"].insert({"id": site, "name": site})
    page = (FIXTURES / "pingtan-2021.html").read_bytes()
    pdf = (FIXTURES / "huaian-szf-2024.pdf").read_bytes()
    page_headers = {
        "Server": "TRS-WCM",
        "Content-Type": "text/html; charset=UTF-8",
        "Content-Length": str(len(gzip.compress(page))),  # the wire length before Scrapy decoded the gzip
        "Transfer-Encoding": "chunked",
        "Last-Modified": "Tue, 08 Feb 2022 02:11:53 GMT",
        "ETag": '"5980c-5d77ad8bf3440"',
    }
    ids = {
        "page": _capture(db, PAGE, page, page_headers, content_type="text/html; charset=UTF-8"),
        "pdf": _capture(
            db,
            PDF,
            pdf,
            {"Content-Type": "application/pdf", "Content-Length": str(len(pdf))},
            kind="attachment",
            content_type="application/pdf",
            fetched_at="2025-01-21T01:02:03Z",
            site="huaian",
        ),  # fmt: skip
        "redirect": _capture(db, OLD, b"", {"Location": PAGE}, status=301, kind="other"),
        "missing": _capture(
            db,
            PAGE + "?x=1",
            b"<html>404</html>",
            {"Content-Type": "text/html"},
            status=404,
            kind="report",
            failure_kind="http_404",
        ),  # fmt: skip
    }
    db["documents"].insert(
        {"url": PAGE, "site_id": "pingtan", "title": "平潭综合实验区2021年度政府信息公开工作年度报告"}
    )
    db.conn.close()
    out = path.parent / "archive.wacz"
    done = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "wacz", str(out), "--db", str(path)],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return {"db": path, "wacz": out, "ids": ids, "page": page, "pdf": pdf, "line": done.stdout}


def _warc_records(wacz: Path) -> list:
    with zipfile.ZipFile(wacz) as zf:
        (name,) = [n for n in zf.namelist() if n.startswith("archive/")]
        data = zf.read(name)
    records = []
    for record in ArchiveIterator(__import__("io").BytesIO(data)):
        records.append(
            (record.rec_type, record.rec_headers, record.http_headers, record.content_stream().read())
        )
    return records


def test_warc_records_hold_the_archived_bytes_headers_and_times(archive):
    records = _warc_records(archive["wacz"])
    responses = {
        h["WARC-Target-URI"]: (h, http, body) for kind, h, http, body in records if kind == "response"
    }
    requests = [h for kind, h, _, _ in records if kind == "request"]
    assert len(responses) == len(requests) == 4
    headers, http, body = responses[PAGE]
    assert body == archive["page"]  # byte-identical to the archived body
    assert headers["WARC-Date"] == "2022-02-10T08:30:00Z"
    assert http.get_statuscode() == "200"
    assert http["Server"] == "TRS-WCM" and http["ETag"] == '"5980c-5d77ad8bf3440"'
    assert http["Content-Length"] == str(len(archive["page"]))
    assert http["X-Archive-Orig-Content-Length"] == str(len(gzip.compress(archive["page"])))
    assert http["X-Archive-Orig-Transfer-Encoding"] == "chunked" and http["Transfer-Encoding"] is None
    assert responses[PDF][2] == archive["pdf"]
    assert responses[PDF][0]["WARC-Date"] == "2025-01-21T01:02:03Z"
    assert responses[OLD][1].get_statuscode() == "301" and responses[OLD][1]["Location"] == PAGE
    ids = {h["WARC-Record-ID"] for h, _, _ in responses.values()}
    assert {h["WARC-Concurrent-To"] for h in requests} == ids


def test_wacz_has_index_pages_and_hashed_datapackage_and_validates(archive):
    with zipfile.ZipFile(archive["wacz"]) as zf:
        names = set(zf.namelist())
        assert {"indexes/index.cdx.gz", "pages/pages.jsonl", "datapackage.json"} <= names
        package = json.loads(zf.read("datapackage.json"))
        for resource in package["resources"]:
            digest = "sha256:" + hashlib.sha256(zf.read(resource["path"])).hexdigest()
            assert resource["hash"] == digest, resource["path"]
        assert {r["path"] for r in package["resources"]} == names - {
            "datapackage.json",
            "datapackage-digest.json",
        }
        pages = [json.loads(line) for line in zf.read("pages/pages.jsonl").decode().splitlines()]
        cdxj = gzip.decompress(zf.read("indexes/index.cdx.gz")).decode().splitlines()
    assert [(p["url"], p["title"]) for p in pages[1:]] == [
        (PAGE, "平潭综合实验区2021年度政府信息公开工作年度报告"),
        (PDF, PDF),
    ]  # report pages only: not the redirect, not the 404
    page_lines = [
        line
        for line in cdxj
        if line.startswith("cn,gov,pingtan)/zwgk/zfxxgk/zfxxgknb/202202/t20220208_80613.htm ")
    ]
    entry = json.loads(page_lines[0].split(" ", 2)[2])
    assert page_lines[0].split(" ")[1] == "20220210083000" and entry["status"] == "200"
    assert entry["mime"] == "text/html"
    validated = subprocess.run(
        [sys.executable, "-m", "wacz", "validate", "-f", str(archive["wacz"])],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert validated.returncode == 0 and "Validation succeeded" in validated.stdout, validated.stdout


def test_site_and_since_select_captures(archive, tmp_path):
    assert export_wacz(archive["db"], tmp_path / "huaian.wacz", site="huaian").captures == 1
    assert export_wacz(archive["db"], tmp_path / "recent.wacz", since="2025-01-01").captures == 1
    assert "4 captures, 2 pages" in archive["line"]


def _replay_tool() -> Path:
    """pywb in its own venv (its pins clash with the project's): made once from requirements-replay.txt."""
    stamp = REPLAY_VENV / ".installed"
    if not stamp.exists():
        subprocess.run([sys.executable, "-m", "venv", str(REPLAY_VENV)], check=True, timeout=300)
        pip = [str(REPLAY_VENV / "bin" / "pip"), "install", "-q", "-r", str(ROOT / "requirements-replay.txt")]
        subprocess.run(pip, check=True, timeout=900)
        stamp.touch()
    return REPLAY_VENV / "bin"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_pywb_replays_the_report_page_byte_for_byte(archive, tmp_path):
    tools = _replay_tool()
    run = {"cwd": tmp_path, "check": True, "timeout": 300, "capture_output": True}
    subprocess.run([str(tools / "wb-manager"), "init", "nianbao"], **run)
    subprocess.run(
        [str(tools / "wb-manager"), "add", "--unpack-wacz", "nianbao", str(archive["wacz"])], **run
    )
    port = _free_port()
    log = (tmp_path / "wayback.log").open("wb")
    server = subprocess.Popen(
        [str(tools / "wayback"), "--bind", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        stdout=log,
        stderr=log,
    )
    try:
        base = f"http://127.0.0.1:{port}/nianbao"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/20220210083000id_/{PAGE}", timeout=10) as response:
                    replayed, status = response.read(), response.status
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        assert status == 200 and replayed == archive["page"]
        with urllib.request.urlopen(f"{base}/20250121010203id_/{PDF}", timeout=30) as response:
            assert response.read() == archive["pdf"]
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
