"""Issue 14 items 6 and 7: locks on the real file, schema creation under two writers, quoted SQLite paths,
backups that are whole or absent, and one-line errors with a non-zero exit instead of tracebacks."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import resource
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.store.backup import backup_database
from crawler.store.schema import MIGRATIONS, connect

ROOT = Path(__file__).resolve().parents[2]


def nianbao(*args: str, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        **kwargs,
    )


def _archive(path: Path, captures: int = 1, body: bytes = b"x") -> Path:
    db = connect(path)
    with db.conn:
        for i in range(captures):
            db["captures"].insert(
                {"url": f"http://x/{i}", "fetched_at": "t", "sha256": f"{i:064x}", "body": body}
            )
    db.conn.close()
    return path


def test_nightly_lock_is_on_the_real_file(tmp_path: Path) -> None:
    real = _archive(tmp_path / "archive.db")
    link = tmp_path / "link.db"
    link.symlink_to(real)
    sites = tmp_path / "sites.yml"
    sites.write_text("sites: []\n", encoding="utf-8")
    with (tmp_path / "archive.db.lock").open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = nianbao("nightly", "--sites", str(sites), "--db", str(link))
    assert result.returncode == 75, result.stdout + result.stderr
    assert "another run holds" in result.stdout
    assert not (tmp_path / "link.db.lock").exists()


def _create(path: str, start: multiprocessing.synchronize.Barrier) -> None:  # type: ignore[name-defined]
    start.wait()
    connect(path).conn.close()


def test_two_writers_create_the_schema_once(tmp_path: Path) -> None:
    path = str(tmp_path / "fresh.db")
    context = multiprocessing.get_context("fork")
    for _ in range(3):  # the race is on timing: a few rounds on fresh files
        Path(path).unlink(missing_ok=True)
        start = context.Barrier(4)
        workers = [context.Process(target=_create, args=(path, start)) for _ in range(4)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(60)
        assert [w.exitcode for w in workers] == [0, 0, 0, 0]
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()


def test_backup_of_a_path_with_a_hash_copies_that_file(tmp_path: Path) -> None:
    _archive(tmp_path / "a#b.db", captures=3)
    _archive(tmp_path / "a", captures=1)  # what an unquoted URI ('file:a#b.db') would have opened
    result = nianbao("backup", str(tmp_path / "copy?x#1.db"), "--db", str(tmp_path / "a#b.db"))
    assert result.returncode == 0, result.stderr
    copy = sqlite3.connect(tmp_path / "copy?x#1.db")
    assert copy.execute("select count(*) from captures").fetchone()[0] == 3


def test_failed_backup_leaves_no_file(tmp_path: Path) -> None:
    source = _archive(tmp_path / "archive.db", captures=20, body=os.urandom(50_000))
    target = tmp_path / "copy.db"

    def small_files() -> None:  # the copy fails part-way: "database or disk is full"
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))

    result = nianbao("backup", str(target), "--db", str(source), preexec_fn=small_files)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr, result.stderr
    left = [p.name for p in tmp_path.iterdir() if not p.name.startswith("archive.db")]
    assert left == []  # no copy.db, no partial file
    with pytest.raises(FileExistsError):
        backup_database(source, source)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("normalize", "--db", "{tmp}/typo.db"), "no archive at"),
        (("status", "--db", "{tmp}/typo.db"), "no archive at"),
        (("backup", "{tmp}/copy.db", "--db", "{tmp}/typo.db"), "no archive at"),
        (("serve", "--db", "{tmp}/typo.db", "--port", "9"), "no archive at"),
        (("normalize", "--db", "{tmp}/junk.db"), "is not an SQLite archive"),
        (("status", "--db", "{tmp}/junk.db"), "is not an SQLite archive"),
        (("backup", "{tmp}/copy.db", "--db", "{tmp}/junk.db"), "is not an SQLite archive"),
        (("serve", "--db", "{tmp}/junk.db", "--port", "9"), "is not an SQLite archive"),
        (("crawl", "--sites", "{tmp}/sites.yml", "--site", "nosuch", "--db", "{tmp}/new.db"), "nosuch"),
        (("parse", "{tmp}/fifo"), "is a FIFO"),
        (("parse", "/dev/zero"), "is a character device"),
    ],
)
def test_errors_are_one_line_with_a_nonzero_exit(
    tmp_path: Path, args: tuple[str, ...], expected: str
) -> None:
    (tmp_path / "junk.db").write_text("not a database\n", encoding="utf-8")
    (tmp_path / "sites.yml").write_text("sites: []\n", encoding="utf-8")
    os.mkfifo(tmp_path / "fifo")
    result = nianbao(*(a.format(tmp=tmp_path) for a in args), timeout=60)
    lines = result.stderr.strip().splitlines()
    assert result.returncode != 0
    assert len(lines) == 1 and expected in lines[0] and lines[0].startswith("nianbao "), result.stderr
    assert not (tmp_path / "typo.db").exists() and not (tmp_path / "copy.db").exists()
