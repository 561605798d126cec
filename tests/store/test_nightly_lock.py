"""`nianbao nightly` never overlaps: a second run while one holds the lock exits 75 and does nothing."""

import fcntl
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_second_nightly_exits_75_while_locked(tmp_path):
    db = tmp_path / "archive.db"
    lock = tmp_path / "archive.db.lock"
    sites = tmp_path / "sites.yml"
    sites.write_text("sites: []\n", encoding="utf-8")
    with lock.open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = subprocess.run(
            [sys.executable, "-m", "crawler.cli", "nightly", "--sites", str(sites), "--db", str(db)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
        )
    assert result.returncode == 75, result.stderr
    assert "another run holds" in result.stdout
    assert not db.exists()
