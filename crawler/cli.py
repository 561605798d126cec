"""The `nianbao` command line: one subcommand per stage of the pipeline (crawl, normalize, serve, ...)."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import click

DEFAULT_DB = "archive.db"
DEFAULT_SITES = "sites.yml"

db_option = click.option(
    "--db",
    "db_path",
    default=DEFAULT_DB,
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The archive (SQLite) file.",
)


class OneLineError(click.ClickException):
    """Printed as `nianbao <command>: <what is wrong>` on stderr, exit 1."""

    def show(self, file: object = None) -> None:
        click.echo(f"nianbao {self.format_message()}", err=True)


class OneLineErrors(click.Group):
    """Expected failures (a missing or damaged archive, an unknown site, an unreadable file) end in one line
    naming what is wrong and exit 1 — never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (sqlite3.Error, OSError, ValueError, LookupError) as exc:
            message = " ".join(str(exc).split()) or type(exc).__name__
            raise OneLineError(f"{ctx.invoked_subcommand}: {message}") from None


@click.group(cls=OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Nianbao: crawl, archive, normalize and publish 政府信息公开工作年度报告."""


@main.command()
@click.option(
    "--sites",
    "sites_path",
    default=DEFAULT_SITES,
    show_default=True,
    type=click.Path(exists=True),
    help="Sites registry (YAML).",
)
@click.option("--site", "site_ids", multiple=True, help="Only this registry id (repeatable).")
@db_option
@click.option(
    "--redis",
    "redis_url",
    default=None,
    help="Distributed mode: share the frontier through this Redis; captures go to `nianbao ingest`.",
)
def crawl(sites_path: str, site_ids: tuple[str, ...], db_path: str, redis_url: str | None) -> None:
    """Run the spiders over a sites registry into the archive."""
    from crawler.crawl.runner import run_crawl
    from crawler.registry import RegistryError

    try:
        summary = run_crawl(sites_path, db_path, site_ids=list(site_ids) or None, redis_url=redis_url)
    except RegistryError as exc:
        click.echo(f"nianbao crawl: {exc}", err=True)
        sys.exit(2)
    for line in summary.site_lines():
        click.echo(line)
    click.echo(summary.line())
    sys.exit(summary.exit_code)


@main.command()
@db_option
@click.option("--quiet", is_flag=True, help="No progress display.")
@click.option("--full", is_flag=True, help="Parse every capture again, not only new or changed ones.")
def normalize(db_path: str, quiet: bool, full: bool) -> None:
    """Derive reports, sections, statistics, checks and the search index from the raw captures.

    Only captures that are new, changed, or parsed by an older parser version are parsed; --full re-parses all.
    """
    from crawler.normalize import rebuild
    from crawler.store.files import require_archive

    require_archive(db_path)  # a typo must not create an empty archive and report success
    result = rebuild(db_path, full=full, progress=not quiet)
    click.echo(result.line())


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--year", type=int, default=None, help="Year covered, when the document does not say.")
@click.option("--agency", default=None, help="Agency name, when the document does not say.")
def parse(file: str, year: int | None, agency: str | None) -> None:
    """Normalize one local file (HTML, text, PDF, DOCX, DOC) and print the report as JSON."""
    from crawler.parse import ReportHints
    from crawler.parse.sandbox import parse_file_in_sandbox

    report = parse_file_in_sandbox(Path(file), hints=ReportHints(year=year, agency=agency))
    click.echo(json.dumps(report.to_contract(), ensure_ascii=False, indent=1))
    if report.parse_status in ("failed", "needs_ocr"):
        click.echo(f"nianbao parse: {file}: {report.parse_status}: {'; '.join(report.errors)}", err=True)
        sys.exit(1)


@main.command(name="eval")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("-v", "--verbose", is_flag=True, help="One line per case, with every wrong cell.")
def evaluate(directory: str, verbose: bool) -> None:
    """Score the normalizer on golden cases (<case>.<ext> beside <case>.expected.json)."""
    from crawler.parse.evaluate import evaluate_dir

    score = evaluate_dir(Path(directory), verbose=verbose, echo=click.echo)
    click.echo(score.line())
    sys.exit(0 if score.perfect else 1)


@main.command()
@db_option
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--snapshot",
    "snapshot_dir",
    default=None,
    type=click.Path(file_okay=False),
    help="Serve the current snapshot in this directory (immutable; see `nianbao snapshot`) instead of --db.",
)
def serve(db_path: str, port: int, host: str, snapshot_dir: str | None) -> None:
    """Serve the archive with Datasette (read-only), using datasette/metadata.yml."""
    from crawler.serve import serve as run_datasette

    run_datasette(db_path, port=port, host=host, snapshot_dir=snapshot_dir)


@main.command()
@click.argument("snapshot_dir", type=click.Path(file_okay=False))
@db_option
@click.option("--keep", default=2, show_default=True, help="Snapshots to keep (current included).")
def snapshot(snapshot_dir: str, db_path: str, keep: int) -> None:
    """Make a new immutable snapshot for Datasette (VACUUM INTO, facet counts, inspect) and switch to it."""
    from crawler.snapshot import make_snapshot

    click.echo(make_snapshot(db_path, snapshot_dir, keep=keep))


@main.command()
@click.option("--sites", "sites_path", default=DEFAULT_SITES, show_default=True, type=click.Path(exists=True))
@db_option
@click.option("--lock", "lock_path", default=None, help="Lock file (default: <db>.lock).")
@click.option(
    "--snapshot",
    "snapshot_dir",
    default=None,
    type=click.Path(file_okay=False),
    help="After normalize, make a new snapshot here for `nianbao serve --snapshot`.",
)
def nightly(sites_path: str, db_path: str, lock_path: str | None, snapshot_dir: str | None) -> None:
    """Crawl + normalize + one summary line. Exit 0 ok, 1 failed, 2 warnings, 75 locked by another run."""
    from crawler.nightly import run_nightly

    sys.exit(
        run_nightly(sites_path, db_path, lock_path=lock_path, snapshot_dir=snapshot_dir, echo=click.echo)
    )


@main.group()
def sites() -> None:
    """Work on the sites registry (onboard a site by URL)."""


@sites.command()
@click.argument("urls", nargs=-1, required=True)
@click.option("--write", is_flag=True, help="Append the entries (verified: false) to the registry file.")
@click.option(
    "--sites", "sites_path", default=DEFAULT_SITES, show_default=True, type=click.Path(dir_okay=False)
)
def probe(urls: tuple[str, ...], write: bool, sites_path: str) -> None:
    """Detect each district site's CMS, unit directory and 年报 columns from one URL (a portal root or any
    page; several URLs are probed side by side); print a sites.yml entry per site. Exit 1 when a site showed
    no column or could not be written."""
    from crawler.crawl.probe import probe as run_probe
    from crawler.crawl.probe_result import ProbeWriteError, append_entry

    try:
        results = run_probe(list(urls))
    except ValueError as exc:
        click.echo(f"nianbao sites probe: {exc}", err=True)
        sys.exit(2)
    ok = True
    for result in results:
        click.echo(result.text(), nl=False)
        ok = ok and bool(result.columns)
        if not write:
            continue
        try:
            append_entry(result, Path(sites_path))
        except ProbeWriteError as exc:
            click.echo(f"nianbao sites probe: {exc}", err=True)
            ok = False
        else:
            click.echo(f"# appended to {sites_path} as '{result.site_id}' (verified: false)")
    sys.exit(0 if ok else 1)


@main.command()
@db_option
@click.option("--limit", default=10, show_default=True, help="How many runs to show.")
def status(db_path: str, limit: int) -> None:
    """Print the last crawl runs and the sites that need attention."""
    from crawler.crawl.status import print_status
    from crawler.store.files import require_archive

    require_archive(db_path)
    print_status(db_path, limit=limit, echo=click.echo)


@main.command()
@click.option("--db", "db_path", default="demo.db", show_default=True, type=click.Path(dir_okay=False))
@click.option("--port", default=8001, show_default=True, type=int, help="Datasette port.")
@click.option("--no-serve", is_flag=True, help="Stop after building the archive.")
def demo(db_path: str, port: int, no_serve: bool) -> None:
    """Serve the bundled simulated district site on 127.0.0.1, crawl it, normalize, then serve Datasette."""
    from crawler.demo import run_demo

    run_demo(db_path, port=port, serve=not no_serve, echo=click.echo)


@main.command()
@click.argument("dest", type=click.Path(dir_okay=False))
@db_option
def backup(dest: str, db_path: str) -> None:
    """Make a consistent copy of the archive while crawls may be writing to it."""
    from crawler.store.backup import backup_database

    click.echo(backup_database(db_path, dest))


@main.command()
@click.argument("dest", type=click.Path(dir_okay=False))
@db_option
@click.option("--site", "site_id", default=None, help="Only this registry id's captures.")
@click.option("--since", default=None, help="Only captures fetched on or after this date (YYYY-MM-DD).")
def wacz(dest: str, db_path: str, site_id: str | None, since: str | None) -> None:
    """Export the archive as a WACZ web archive (WARC records, CDXJ index, pages.jsonl, datapackage.json)."""
    from crawler.wacz import export_wacz

    if not Path(db_path).exists():
        raise click.ClickException(f"no archive at {db_path}")
    click.echo(export_wacz(db_path, dest, site=site_id, since=since).line())


@main.command()
@click.option("--redis", "redis_url", required=True, help="Redis URL the distributed crawlers push to.")
@db_option
@click.option(
    "--idle-exit", default=0, type=float, help="Exit after this many idle seconds (0: run forever)."
)
def ingest(redis_url: str, db_path: str, idle_exit: float) -> None:
    """The single archive writer of a distributed crawl: move captures from Redis into archive.db."""
    from crawler.distributed.ingest import run_ingest

    click.echo(run_ingest(redis_url, db_path, idle_exit=idle_exit))


if __name__ == "__main__":
    main()
