"""Publish archive.db with Datasette 0.65: read-only, Nianbao metadata, plugins, templates and static assets."""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from crawler.store.files import require_archive

REPO_ROOT = Path(__file__).resolve().parent.parent
DATASETTE_DIR = REPO_ROOT / "datasette"
METADATA = DATASETTE_DIR / "metadata.yml"
PLUGINS_DIR = DATASETTE_DIR / "plugins"
TEMPLATES_DIR = DATASETTE_DIR / "templates"
STATIC_DIR = DATASETTE_DIR / "static"

# Datasette --setting values. Time and row limits keep a public, read-only instance responsive.
SETTINGS: dict[str, str | int] = {
    "sql_time_limit_ms": 3000,
    "max_returned_rows": 2000,
    "default_facet_size": 30,
    "facet_time_limit_ms": 1000,
    "suggest_facets": "off",  # suggestions run a query per column per page view: too slow on 100k reports
    "truncate_cells_html": 200,
    "allow_download": "off",  # no whole-database download; per-table/query CSV and JSON stay on
    "allow_csv_stream": "on",
    "allow_facet": "on",
    "default_page_size": 50,
}


def _uri_safe(path: Path) -> Path:
    """Datasette opens the file through an unquoted `file:` URI, where '#', '?' and '%' end or change the name:
    such a path is served through a symlink with a plain name (SQLite follows it to the real file and its
    WAL, so readers see every write)."""
    if not any(ch in str(path) for ch in "#?%"):
        return path
    link = Path(tempfile.mkdtemp(prefix="nianbao-serve-")) / re.sub(r"[#?%]", "_", path.name)
    link.symlink_to(path)
    return link


def datasette_args(
    db_path: str | Path, port: int = 8001, host: str = "127.0.0.1", *, inspect_file: str | Path | None = None
) -> list[str]:
    """Arguments of `datasette serve` for the archive (no write endpoints: no canned writes, no uploads).

    With ``inspect_file`` (a snapshot, crawler/snapshot.py) the file is served immutable (``-i``): no locking,
    no change checks, table counts from the inspect file."""
    path = str(_uri_safe(Path(db_path).resolve()))
    args = ["serve", "-i", path, "--inspect-file", str(inspect_file)] if inspect_file else ["serve", path]
    args += [
        "--port",
        str(port),
        "--host",
        host,
        "--metadata",
        str(METADATA),
        "--plugins-dir",
        str(PLUGINS_DIR),
        "--template-dir",
        str(TEMPLATES_DIR),
        "--static",
        f"assets:{STATIC_DIR}",
    ]
    for name, value in SETTINGS.items():
        args += ["--setting", name, str(value)]
    return args


def datasette_command(
    db_path: str | Path, port: int = 8001, host: str = "127.0.0.1", *, inspect_file: str | Path | None = None
) -> list[str]:
    """The full command line that starts Datasette on the archive (used by tests and benchmarks)."""
    return [
        sys.executable,
        "-m",
        "datasette",
        *datasette_args(db_path, port, host, inspect_file=inspect_file),
    ]


def serve(
    db_path: str | Path, *, port: int = 8001, host: str = "127.0.0.1", snapshot_dir: str | Path | None = None
) -> None:
    """Run Datasette in this process until interrupted: on the live archive, or on the current snapshot."""
    inspect_file = None
    if snapshot_dir is not None:
        from crawler.snapshot import current_snapshot

        db_path, inspect_file = current_snapshot(snapshot_dir)
    require_archive(db_path)
    from datasette.cli import cli

    cli.main(args=datasette_args(db_path, port, host, inspect_file=inspect_file), prog_name="datasette")
