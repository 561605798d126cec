"""`nianbao status`: the last crawl runs and the sites that need attention (from crawl_runs / site_health)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from crawler.crawl.ledger import ledger_line
from crawler.store.schema import connect


def _errors(text: str | None) -> str:
    try:
        data = json.loads(text or "{}")
    except json.JSONDecodeError:
        return text or ""
    return " ".join(f"{k}={v}" for k, v in sorted(data.items())) or "-"


def _warnings(text: str | None) -> list[str]:
    try:
        data = json.loads(text or "[]")
    except json.JSONDecodeError:
        return [text or ""]
    return [f"{w.get('kind')}: {w.get('detail')}" if isinstance(w, dict) else str(w) for w in data]


def print_status(db_path: str | Path, *, limit: int = 10, echo: Callable[[str], object] = print) -> None:
    """Print the last `limit` runs (one line each) and every site whose health needs attention."""
    if not Path(db_path).exists():
        echo(f"{db_path}: no archive yet (run `nianbao crawl` first)")
        return
    db = connect(db_path)
    rows = db.execute(
        """SELECT id, site_id, started_at, ended_at, status, requests, bytes, new_reports, changed_reports,
                  unchanged_reports, errors, blocked, warnings FROM crawl_runs ORDER BY id DESC LIMIT ?""",
        [limit],
    ).fetchall()
    if not rows:
        echo("no crawl runs yet")
    else:
        echo(f"last {len(rows)} runs:")
    for r in rows:
        (
            run_id,
            site,
            started,
            ended,
            status,
            requests,
            size,
            new,
            changed,
            unchanged,
            errors,
            blocked,
            warns,
        ) = r
        echo(
            f"  #{run_id} {site} {started} → {ended or 'running'} {status}: {requests or 0} req, "
            f"{(size or 0) // 1024} KiB, reports {new or 0} new / {changed or 0} changed / {unchanged or 0} "
            f"unchanged, errors {_errors(errors)}, blocked {blocked or 0}, {len(_warnings(warns))} warnings"
        )
        ledger = db.execute(
            "SELECT outcome, COUNT(*) FROM discovery WHERE run_id = ? GROUP BY outcome", [run_id]
        ).fetchall()
        if ledger:
            echo(f"    {ledger_line(dict(ledger))}")
    attention = db.execute(
        "SELECT site_id, health, last_run_at, last_errors, last_warnings, documents, discovery FROM site_health "
        "WHERE needs_attention = 1 ORDER BY site_id"
    ).fetchall()
    if not attention:
        echo("no site needs attention")
        return
    echo(f"{len(attention)} sites need attention:")
    for site, health, last_run, errors, warns, documents, discovery in attention:
        echo(f"  {site}: {health} (last run {last_run or 'never'}, {documents} documents)")
        if discovery:
            echo(f"    {discovery}")
        if errors and errors != "{}":
            echo(f"    errors: {_errors(errors)}")
        for w in _warnings(warns)[:10]:
            echo(f"    warning: {w}")
    db.conn.close()
