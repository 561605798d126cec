"""`nianbao nightly`: crawl + normalize under a lock, then one summary line and an exit code for cron."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_WARNINGS, EXIT_LOCKED = 0, 1, 2, 75  # 75 = EX_TEMPFAIL: try again later


def run_nightly(
    sites_path: str,
    db_path: str,
    *,
    lock_path: str | None = None,
    snapshot_dir: str | None = None,
    echo: Callable[[str], None] = print,
) -> int:
    """Run one nightly pass (and, with ``snapshot_dir``, publish a new snapshot); never two at once.

    The lock is keyed on the archive's real file (symlinks resolved): `--db link.db` and `--db archive.db`
    take the same lock."""
    lock_file = Path(lock_path).resolve() if lock_path else Path(f"{Path(db_path).resolve()}.lock")
    with lock_file.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            echo(f"nightly: another run holds {lock_file}; nothing done")
            return EXIT_LOCKED
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        from crawler.crawl.runner import run_crawl
        from crawler.normalize import rebuild

        try:
            crawl = run_crawl(sites_path, db_path, site_ids=None, redis_url=None)
            derived = rebuild(db_path, progress=False)
            published = ""
            if snapshot_dir:
                from crawler.snapshot import make_snapshot

                published = " | " + make_snapshot(db_path, snapshot_dir)
        except Exception as exc:
            echo(f"nightly: FAILED: {type(exc).__name__}: {exc}")
            return EXIT_FAILED
    for line in crawl.site_lines():
        echo(line)
    echo(f"nightly: {crawl.line()} | {derived.line()}{published}")
    return crawl.exit_code
