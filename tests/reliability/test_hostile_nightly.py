"""Issue 14 item 2: a nightly over an archive holding every hostile document of issue 14 finishes, each of them
recorded as a `failed` report naming the limit or cap it hit, and a good report beside them is still `ok`.
The parse limits are lowered through the environment (1 s CPU, 512 MB) to keep the test short."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.store.captures import CaptureRecord, write_capture
from crawler.store.schema import connect

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
sys.path.insert(0, str(FIXTURES / "hostile"))
import _attacks  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
BASE = "http://127.0.0.1:9/xxgk/"


def _seed(path: Path) -> dict[str, int]:
    db = connect(path)
    documents = {name: make() for name, make in _attacks.ATTACKS.items()}
    documents["good.pdf"] = (FIXTURES / "reports" / "huaian-szf-2024.pdf").read_bytes()
    ids = {}
    for name, body in documents.items():
        record = CaptureRecord(
            url=BASE + name,
            final_url=BASE + name,
            method="GET",
            status=200,
            headers={},
            fetched_at="2025-02-01T00:00:00Z",
            body=body,
            content_type="application/pdf" if name.endswith(".pdf") else "application/octet-stream",
            kind="attachment",
        )
        ids[name] = write_capture(db, record)[0]
    db.conn.commit()
    db.conn.close()
    return ids


@pytest.mark.slow
def test_nightly_over_hostile_archive_finishes_with_them_failed(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    ids = _seed(db)
    sites = tmp_path / "sites.yml"
    sites.write_text("sites: []\n", encoding="utf-8")
    env = {"NIANBAO_PARSE_CPU_SECONDS": "1", "NIANBAO_PARSE_MEMORY_MB": "512", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "nightly", "--sites", str(sites), "--db", str(db)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        env={**__import__("os").environ, **env},
    )
    assert done.returncode in (0, 2), done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "normalize: 8 reports from 8 captures" in done.stdout, done.stdout
    conn = sqlite3.connect(db)
    rows = {
        r[0]: (r[1], json.loads(r[2])) for r in conn.execute("select id, parse_status, errors from reports")
    }
    by_name = {name: rows[i] for name, i in ids.items()}
    assert by_name.pop("good.pdf")[0] == "ok"
    for name, (status, errors) in by_name.items():
        assert status == "failed", (name, errors)
        assert any(
            e.startswith(
                (
                    "parse exceeded 1 s CPU",
                    "parse exceeded 512 MB memory",
                    "DOCX part",
                )
            )
            for e in errors
        ), (name, errors)
