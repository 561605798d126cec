"""Benchmark the published archive: build a synthetic archive.db of N reports, publish it as a snapshot, serve
it, time search/facets/rankings/pages.

    python -m bench.datasette [--reports 100000] [--db path] [--requests 40] [--live]

The archive is published the way production serves it: `nianbao snapshot` (crawler/snapshot.py: a VACUUM INTO
copy with precomputed facet counts and `datasette inspect` counts) served immutable (`datasette -i`); a snapshot
newer than the archive is reused. ``--live`` serves the archive file itself instead (the old way). Prints
p50/p95 latency over HTTP for each scenario, next to a plain primary-key lookup measured in the same run (the
baseline), and the ratio of each to it. Target: p95 < 300 ms for search, facets and rankings.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

from crawler.contract import APPLICANT_COLUMNS, RESULT_ROWS_2021, TABLE4_BLOCKS, TABLE4_COLUMNS
from crawler.search import build_search_index, segment
from crawler.serve import datasette_command
from crawler.snapshot import CURRENT, current_snapshot, make_snapshot, write_facet_counts, write_inspect
from crawler.store.schema import connect
from crawler.summary import refresh_summary

TARGET_MS = 300.0
YEARS = list(range(2015, 2025))
PROVINCES = [
    "北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省", "上海市", "江苏省",
    "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "广西壮族自治区",
    "海南省", "重庆市", "四川省", "贵州省", "云南省", "西藏自治区", "陕西省", "甘肃省", "青海省",
    "宁夏回族自治区", "新疆维吾尔自治区",
]  # fmt: skip
CITY_NAMES = ["东城", "西岭", "南湖", "北山", "中原", "长河", "清水", "白云", "金沙", "青松", "红岩", "绿洲"]
DEPARTMENTS = ["人民政府", "教育局", "公安局", "民政局", "财政局", "自然资源局", "生态环境局", "住房和城乡建设局",
               "交通运输局", "卫生健康委员会", "市场监督管理局", "政务服务中心"]  # fmt: skip
# (sentence, share of reports that contain it): like real reports, 公开 is everywhere, other words are rarer.
SENTENCES: list[tuple[str, float]] = [
    ("{agency}认真贯彻落实《中华人民共和国政府信息公开条例》，全年主动公开政府信息{n}条。", 1.0),
    ("本年度共收到政府信息公开申请{n}件，其中予以公开{n}件，部分公开{n}件。", 0.95),
    ("全年发生政府信息公开行政复议{n}件，行政诉讼{n}件，均已依法办结。", 0.5),
    ("对涉及国家秘密、商业秘密和个人隐私的信息依法不予公开，并向申请人说明理由。", 0.1),
    ("信访举报投诉类申请已告知申请人通过相应渠道办理。", 0.15),
    ("主要问题是信息公开的及时性和规范性有待提高，部分栏目更新不够及时。", 0.6),
    ("下一步将加强业务培训，提升依申请公开答复质量，完善政府信息公开指南。", 0.6),
    ("本机关不掌握相关政府信息的申请{n}件，已告知申请人。", 0.3),
    ("政府网站共发布政策解读{n}篇，回应社会关切{n}次。", 0.4),
    ("召开新闻发布会{n}场，政务新媒体发布信息{n}条。", 0.4),
    ("本年度未收取任何费用。", 0.2),
    ("申请人对答复不服申请复议{n}件，复议机关维持原答复。", 0.05),
]
COMMON_TERMS = ["公开", "申请"]  # in (nearly) every report: the worst case for facets over search results
SELECTIVE_TERMS = ["复议", "诉讼", "行政复议", "不予公开", "国家秘密", "信访", "政策解读", "收费"]


class Synth:
    """Deterministic synthetic regions, agencies and report texts (pre-segmented sentence pieces)."""

    def __init__(self, reports: int, seed: int = 20261128) -> None:
        self.rng = random.Random(seed)
        self.reports = reports
        agencies_needed = max(1, reports // len(YEARS))
        self.agencies: list[dict] = []
        district_no = 0
        while len(self.agencies) < agencies_needed:
            province = PROVINCES[district_no % len(PROVINCES)]
            city = CITY_NAMES[(district_no // len(PROVINCES)) % len(CITY_NAMES)] + "市"
            district = f"{CITY_NAMES[district_no % len(CITY_NAMES)]}{district_no}区"
            site_id = f"site-{district_no}"
            code = f"{110000 + district_no * 7 % 889999:06d}"
            for dept in DEPARTMENTS:
                if len(self.agencies) >= agencies_needed:
                    break
                name = district + dept
                self.agencies.append(
                    {"id": f"{site_id}/{len(self.agencies)}", "site_id": site_id, "name": name,
                     "province": province, "city": city, "district": district, "region_code": code}
                )  # fmt: skip
            district_no += 1
        self.pieces = [self._pieces(s) for s, _ in SENTENCES]

    @staticmethod
    def _pieces(template: str) -> list[tuple[str, str]]:
        """Split a sentence into (literal, its segmentation) pieces around {n} / {agency} slots."""
        out: list[tuple[str, str]] = []
        rest = template
        while rest:
            cut = min((i for i in (rest.find("{n}"), rest.find("{agency}")) if i >= 0), default=-1)
            if cut < 0:
                out.append((rest, segment(rest)))
                break
            if cut:
                out.append((rest[:cut], segment(rest[:cut])))
            slot = "{n}" if rest.startswith("{n}", cut) else "{agency}"
            out.append((slot, slot))
            rest = rest[cut + len(slot) :]
        return out

    def text(self, agency: dict, agency_tokens: str) -> tuple[str, str]:
        chosen = [i for i, (_, share) in enumerate(SENTENCES) if self.rng.random() < share]
        words: list[str] = []
        tokens: list[str] = []
        for _ in range(3):  # real reports are long: repeat the paragraph a few times
            for index in chosen:
                for literal, segmented in self.pieces[index]:
                    if literal == "{n}":
                        number = str(self.rng.randint(0, 500))
                        words.append(number)
                        tokens.append(number)
                    elif literal == "{agency}":
                        words.append(agency["name"])
                        tokens.append(agency_tokens)
                    else:
                        words.append(literal)
                        tokens.append(segmented)
                words.append("\n")
        return "".join(words), " ".join(tokens)


def _stat(report_id: int, table: str, row: str, col: str, value: int) -> tuple:
    return (report_id, table, row, col, float(value), str(value), 0)


def statistics_rows(rng: random.Random, report_id: int, received: int, full: bool) -> list[tuple]:
    rows = [_stat(report_id, "table3", "new_received", "total", received)]
    split = [
        received // 2,
        received // 4,
        0,
        0,
        received // 8,
        received - received // 2 - received // 4 - received // 8,
    ]
    rows += [
        _stat(report_id, "table3", "new_received", c, v)
        for c, v in zip(APPLICANT_COLUMNS, split, strict=True)
    ]
    left = received
    for row in RESULT_ROWS_2021:
        value = rng.randint(0, max(0, left // 4)) if left > 0 else 0
        left -= value
        rows.append(_stat(report_id, "table3", row, "total", value))
        if full:
            rows += [_stat(report_id, "table3", row, c, 0) for c in APPLICANT_COLUMNS]
    rows.append(_stat(report_id, "table3", "results_total", "total", received - left))
    rows.append(_stat(report_id, "table3", "carried_forward", "total", left))
    rows.append(_stat(report_id, "table3", "carried_over", "total", 0))
    for block in TABLE4_BLOCKS:
        values = [rng.randint(0, 3), rng.randint(0, 1), 0, 0]
        for col, value in zip(TABLE4_COLUMNS, [*values, sum(values)], strict=True):
            rows.append(_stat(report_id, "table4", block, col, value))
    return rows


def build_archive(
    path: Path, reports: int, *, full_tables: bool = False, echo: Callable[[str], None] = print
) -> None:
    """Write a synthetic archive with `reports` reports (sections, statistics, checks, captures) to `path`."""
    started = time.monotonic()
    synth = Synth(reports)
    db = connect(path)
    db.execute("PRAGMA synchronous=OFF")
    conn = db.conn
    with conn:
        sites = {a["site_id"]: a for a in synth.agencies}
        conn.executemany(
            "insert into sites (id, name, province, city, district, region_code, verified) values (?,?,?,?,?,?,1)",
            [(s, a["district"] + "人民政府", a["province"], a["city"], a["district"], a["region_code"])
             for s, a in sites.items()],
        )  # fmt: skip
        conn.executemany(
            "insert into agencies (id, site_id, name) values (?,?,?)",
            [(a["id"], a["site_id"], a["name"]) for a in synth.agencies],
        )
    agency_tokens = {a["id"]: segment(a["name"]) for a in synth.agencies}
    rng = synth.rng
    batch: dict[str, list[tuple]] = {
        "captures": [],
        "reports": [],
        "sections": [],
        "statistics": [],
        "checks": [],
    }
    report_id = 0
    for year in YEARS:
        for agency in synth.agencies:
            if report_id >= reports:
                break
            report_id += 1
            _add_report(batch, synth, rng, report_id, year, agency, agency_tokens[agency["id"]], full_tables)
            if report_id % 2000 == 0:
                _flush(conn, batch)
                echo(f"  {report_id:,} reports ({time.monotonic() - started:.0f} s)")
    _flush(conn, batch)
    echo(f"  indexing ({time.monotonic() - started:.0f} s)")
    build_search_index(db)
    refresh_summary(db)  # the league tables, as normalize leaves them
    db.conn.commit()
    db.conn.close()
    echo(
        f"built {reports:,} reports in {time.monotonic() - started:.0f} s: {path.stat().st_size / 1e6:.0f} MB"
    )


def _add_report(
    batch: dict[str, list[tuple]],
    synth: Synth,
    rng: random.Random,
    report_id: int,
    year: int,
    agency: dict,
    tokens: str,
    full_tables: bool,
) -> None:
    text, search_text = synth.text(agency, tokens)
    title = f"{agency['name']}{year}年政府信息公开工作年度报告"
    search_text = segment(title) + " " + search_text
    url = f"http://example.gov.cn/{agency['id']}/{year}.html"
    body = f"<html><body><h1>{title}</h1><pre>{text}</pre></body></html>".encode()
    batch["captures"].append(
        (report_id, url, url, "GET", 200, f"2025-02-01T00:00:{report_id % 60:02d}Z", f"sha{report_id}",
         "text/html; charset=utf-8", len(body), body, "identity", "report", agency["site_id"], agency["id"])
    )  # fmt: skip
    received = rng.randint(0, 400)
    month_day = rng.choice(["01-10", "01-20", "01-28", "01-31", "02-15", "03-20"])
    publish_date = f"{year + 1}-{month_day}"
    late = int(publish_date > f"{year + 1}-01-31")
    fails = int(rng.random() < 0.05)
    batch["reports"].append(
        (report_id, report_id, url, 1 + int(rng.random() < 0.02), 1, agency["site_id"], agency["id"], agency["name"],
         agency["province"], agency["city"], agency["district"], agency["region_code"], year, title, publish_date,
         late, url, "html", "2021" if year >= 2021 else "2019", "ok" if rng.random() < 0.9 else "partial", "[]",
         f"h{report_id}", fails, received, text, search_text)
    )  # fmt: skip
    lines = text.split("\n")
    for no in range(1, 7):
        batch["sections"].append((report_id, no, f"第{no}部分", lines[no % len(lines)]))
    batch["statistics"] += statistics_rows(rng, report_id, received, full_tables)
    cells = json.dumps(["table3.new_received.total", "table3.results_total.total"])
    batch["checks"].append((report_id, 0, "table3.balance", 1 - fails, "synthetic", cells))
    batch["checks"].append((report_id, 1, "table4.block_totals", 1, "ok", "[]"))


INSERTS = {
    "captures": "insert into captures (id, url, final_url, method, status, fetched_at, sha256, content_type, size, "
    "body, body_codec, kind, site_id, agency_id) values (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    "reports": "insert into reports (id, capture_id, document_url, version, is_latest, site_id, agency_id, agency, "
    "province, city, district, region_code, year, title, publish_date, published_late, source_url, source_format, "
    "format, parse_status, errors, content_hash, checks_failed, applications_received, text, search_text) "
    "values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    "sections": "insert into sections (report_id, no, title, text) values (?,?,?,?)",
    "statistics": "insert into statistics (report_id, table_name, row_code, col_code, value, value_text, blank) "
    "values (?,?,?,?,?,?,?)",
    "checks": "insert into checks (report_id, seq, rule, ok, detail, cells) values (?,?,?,?,?,?)",
}


def _flush(conn, batch: dict[str, list[tuple]]) -> None:
    with conn:
        for table in ("captures", "reports", "sections", "statistics", "checks"):
            conn.executemany(INSERTS[table], batch[table])
            batch[table].clear()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: HTTP {response.status}")
    return (time.perf_counter() - started) * 1000


def _reason(exc: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(exc.read()).get("error", ""))[:120]
    except (ValueError, OSError):
        return exc.reason or ""


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def scenarios(db: str, reports: int, rng: random.Random) -> dict[str, Callable[[], str]]:
    """Scenario name -> a function returning the next URL path (with query) to fetch."""

    def q(path: str, **params: str) -> str:
        return urllib.parse.quote(path) + "?" + urllib.parse.urlencode(params)

    def rid() -> str:
        return str(rng.randint(1, reports))

    agencies = [a["id"] for a in Synth(reports).agencies]

    return {
        "baseline: pk lookup (sql)": lambda: q(
            f"/{db}.json", sql="select id, title from reports where id = :id", id=rid()
        ),
        "search: canned, ranked": lambda: q(f"/{db}/search", q=rng.choice(SELECTIVE_TERMS + COMMON_TERMS)),
        "search: box+default facets, selective": lambda: q(
            f"/{db}/reports", _search=rng.choice(SELECTIVE_TERMS)
        ),
        "search: box+default facets, common": lambda: q(f"/{db}/reports", _search=rng.choice(COMMON_TERMS)),
        "facets: reports (all)": lambda: f"/{db}/reports",
        "facets: year filter": lambda: q(f"/{db}/reports", year=str(rng.choice(YEARS))),
        "facets: province filter": lambda: q(f"/{db}/reports", province=rng.choice(PROVINCES)),
        "rankings: a year": lambda: q(f"/-/rankings/{db}", year=str(rng.choice(YEARS))),
        "rankings: a year by refusal rate": lambda: q(
            f"/-/rankings/{db}", year=str(rng.choice(YEARS)), sort="refusal_rate"
        ),
        "rankings: all years": lambda: f"/-/rankings/{db}",
        "rankings: a province, a year": lambda: q(
            f"/-/rankings/{db}", year=str(rng.choice(YEARS)), region=rng.choice(PROVINCES)
        ),
        "rankings: refusals by ground, a year": lambda: q(
            f"/-/rankings/{db}", view="grounds", year=str(rng.choice(YEARS))
        ),
        "agency page": lambda: f"/-/agency/{db}/{rng.choice(agencies)}",
        "report page": lambda: f"/{db}/reports/{rid()}",
    }


def publish(db_path: Path, echo: Callable[[str], None] = print) -> tuple[Path, Path]:
    """The current snapshot of the archive (made now unless one newer than the archive exists)."""
    root = db_path.parent / f"{db_path.stem}-snapshots"
    current = root / CURRENT
    if not current.exists() or current.resolve().stat().st_mtime < db_path.stat().st_mtime:
        db = connect(db_path)  # migrations, and the league tables if the archive predates them
        if not db.execute("select count(*) from agency_year_stats").fetchone()[0]:
            refresh_summary(db)
        db.conn.close()
        echo(make_snapshot(db_path, root))
    return current_snapshot(root)


def publish_in_place(db_path: Path, echo: Callable[[str], None] = print) -> tuple[Path, Path]:
    """What `nianbao snapshot` does after its copy, done to the archive file itself (it is not written again):
    saves the VACUUM INTO copy of a many-GB synthetic archive; the copy's cost is measured at 100k reports."""
    inspect_file = db_path.with_suffix(".inspect.json")
    if inspect_file.exists() and inspect_file.stat().st_mtime > db_path.stat().st_mtime:
        return db_path, inspect_file
    started = time.monotonic()
    db = connect(db_path)
    if not db.execute("select count(*) from agency_year_stats").fetchone()[0]:
        refresh_summary(db)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("PRAGMA journal_mode=DELETE")
    counts = write_facet_counts(db.conn)
    db.conn.close()
    write_inspect(db_path, inspect_file)
    echo(f"published in place: {db_path} ({counts} facet counts, {time.monotonic() - started:.0f}s)")
    return db_path, inspect_file


def run_benchmark(
    db_path: Path,
    reports: int,
    requests: int,
    echo: Callable[[str], None] = print,
    *,
    live: bool = False,
    in_place: bool = False,
    env: dict[str, str] | None = None,
    only: str | None = None,
) -> dict:
    port = _free_port()
    inspect_file = None
    if in_place:
        db_path, inspect_file = publish_in_place(db_path, echo)
    elif not live:
        db_path, inspect_file = publish(db_path, echo)
    log = (db_path.parent / "bench-datasette.log").open("wb")
    command = datasette_command(db_path, port=port, inspect_file=inspect_file)
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base, proc)
        db = db_path.stem
        rng = random.Random(7)
        results: dict[str, dict[str, float]] = {}
        for name, next_path in scenarios(db, reports, rng).items():
            if only and not name.startswith("baseline") and not re.search(only, name):
                continue
            times: list[float] = []
            errors: list[str] = []
            for i in range(3 + requests):  # the first 3 warm the caches
                try:
                    elapsed = _get(base + next_path())
                except urllib.error.HTTPError as exc:  # e.g. 400 when a query hits sql_time_limit_ms
                    errors.append(f"HTTP {exc.code}: {_reason(exc)}")
                    continue
                if i >= 3:
                    times.append(elapsed)
            if not times:
                times = [float("nan")]
            results[name] = {"p50": statistics.median(times), "p95": _pct(times, 0.95), "max": max(times)}
            results[name].update(errors=len(errors), error=errors[0] if errors else "")
        _report(results, echo)
        return results
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def _wait(base: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 180  # a loaded shared machine can take a minute to start it
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("datasette exited; see bench-datasette.log")
        try:
            _get(base + "/-/versions.json")
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("datasette did not start")


def _report(results: dict[str, dict[str, float]], echo: Callable[[str], None]) -> None:
    base = next(v for k, v in results.items() if k.startswith("baseline"))
    echo(f"{'scenario':40} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'p50/base':>9} {'p95/base':>9}  target")
    for name, r in results.items():
        target = ""
        if name.startswith(("search", "facets", "rankings", "agency")):
            target = "ok" if r["p95"] < TARGET_MS else f"MISS (> {TARGET_MS:.0f} ms)"
        if r.get("errors"):
            target = f"FAIL: {r['errors']} errors ({r['error']})"
        echo(
            f"{name:40} {r['p50']:8.1f} {r['p95']:8.1f} {r['max']:8.1f} {r['p50'] / base['p50']:9.1f} "
            f"{r['p95'] / base['p95']:9.1f}  {target}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40, help="Timed requests per scenario.")
    parser.add_argument(
        "--db", type=Path, default=None, help="Reuse/create this archive (default: a temp file)."
    )
    parser.add_argument("--full-tables", action="store_true", help="Every table3 cell, not just the totals.")
    parser.add_argument("--live", action="store_true", help="Serve the archive itself, not a snapshot.")
    parser.add_argument(
        "--in-place",
        action="store_true",
        help="Prepare the archive file itself as the snapshot (no VACUUM INTO copy; for the 16 GB 1M archive).",
    )
    parser.add_argument(
        "--compare-live",
        action="store_true",
        help="First serve the live archive as before snapshots (facets counted over every search match), then "
        "the snapshot; print the p95 ratio per scenario (robust to a loaded machine).",
    )
    parser.add_argument(
        "--only", default=None, help="Run only the scenarios matching this regex (and the baseline)."
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-") as tmp:
        path = args.db or Path(tmp) / "archive.db"
        if not path.exists():
            print(f"building a synthetic archive of {args.reports:,} reports at {path}")
            build_archive(path, args.reports, full_tables=args.full_tables)
        before = None
        if args.compare_live:
            print("== live archive, facets over every search match (as before snapshots)")
            unbounded = {"NIANBAO_SEARCH_FACET_SAMPLE": str(10**12)}
            before = run_benchmark(
                path, args.reports, args.requests, live=True, env=unbounded, only=args.only
            )
            print("== snapshot")
        after = run_benchmark(
            path, args.reports, args.requests, live=args.live, in_place=args.in_place, only=args.only
        )
        if before:
            print(f"{'scenario':40} {'p95 live':>9} {'p95 snap':>9} {'snap/live':>9}")
            for name, r in after.items():
                if name in before:
                    print(
                        f"{name:40} {before[name]['p95']:9.1f} {r['p95']:9.1f} {r['p95'] / before[name]['p95']:9.2f}"
                    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
