"""Serving the archive: command line, metadata coverage, facets, canned queries, exports, read-only safety."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import yaml

from crawler.serve import METADATA, SETTINGS, datasette_command
from crawler.store.schema import connect

QUERIES = [
    "search",
    "applications",
    "refusal_grounds",
    "review_litigation",
    "failed_checks",
    "missing_reports",
    "late_reports",
    "year_over_year",
    "region_rollup",
    "edited_reports",
    "report_tables",
]


def _metadata() -> dict:
    return yaml.safe_load(METADATA.read_text("utf-8"))


def test_command_uses_absolute_repo_paths_and_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    cmd = datasette_command("x.db", port=9999, host="127.0.0.1")
    assert cmd[1:4] == ["-m", "datasette", "serve"]
    for flag in ("--metadata", "--plugins-dir", "--template-dir"):
        assert Path(cmd[cmd.index(flag) + 1]).is_absolute() and Path(cmd[cmd.index(flag) + 1]).exists()
    assert cmd[cmd.index("--static") + 1].startswith("assets:/")
    assert "-i" not in cmd and "--immutable" not in cmd
    settings = {cmd[i + 1]: cmd[i + 2] for i, part in enumerate(cmd) if part == "--setting"}
    assert {"sql_time_limit_ms", "max_returned_rows", "default_facet_size"} <= settings.keys()
    assert settings["allow_csv_stream"] == "on" and SETTINGS["max_returned_rows"] <= 5000


def test_every_table_and_column_is_described_in_both_languages(tmp_path: Path) -> None:
    db = connect(tmp_path / "schema.db")
    from crawler.search import build_search_index

    build_search_index(db)
    tables = _metadata()["databases"]["archive"]["tables"]
    names = [t for t in db.table_names() if not t.startswith(("reports_fts_", "sqlite_"))] + db.view_names()
    for table in names:
        assert table in tables, f"no metadata for table {table}"
        meta = tables[table]
        assert "/" in meta["description"], f"{table}: description needs Chinese / English"
        for column in (db[table] if table in db.table_names() else db.view(table)).columns_dict:
            text = str(meta.get("columns", {}).get(column, ""))
            assert text, f"{table}.{column} has no description"
            if column not in ("etag", "last_modified", "kind", "status"):
                assert any("\u4e00" <= ch <= "\u9fff" for ch in text), f"{table}.{column}: no Chinese"


def test_reports_default_facets_and_sort(served) -> None:
    data = served.json(f"/{served.db}/reports.json", _shape="objects")
    facets = set(data["facet_results"])
    assert {"year", "province", "city", "agency", "parse_status"} <= facets
    assert [row["year"] for row in data["rows"]] == sorted(
        (row["year"] for row in data["rows"]), reverse=True
    )
    years = {row["value"]: row["count"] for row in data["facet_results"]["year"]["results"]}
    assert years[2023] == 3


def test_pages_render(served) -> None:
    for path in (
        "/",
        f"/{served.db}",
        f"/{served.db}/reports",
        f"/{served.db}/captures",
        f"/{served.db}/checks",
    ):
        status, _, body = served.get(path)
        assert status == 200, (path, body[:500])
    status, _, body = served.get("/")
    assert "政府信息公开工作年度报告" in body and "Public government information" in body


@pytest.mark.parametrize("name", QUERIES)
def test_canned_queries_run_with_empty_parameters(served, name: str) -> None:
    params = {"q": "公开", "report_id": "101", "year": "", "region": "", "agency": "", "province": ""}
    status, _, body = served.get(f"/{served.db}/{name}.json", **params, _shape="array")
    assert status == 200, body[:1000]


def test_canned_queries_answer_the_questions(served) -> None:
    db = served.db
    failed = served.json(f"/{db}/failed_checks.json", year="", region="", _shape="array")
    assert [(r["report_id"], r["rule"]) for r in failed] == [(101, "table3.balance")]
    missing = served.json(f"/{db}/missing_reports.json", year="2023", region="", _shape="array")
    assert {r["agency_id"] for r in missing} == {"haidian/edu"}
    late = served.json(f"/{db}/late_reports.json", year="", region="", _shape="array")
    assert {r["report_id"] for r in late} == {103}  # 105 is a government's own report, due 31 March
    late = served.json(f"/{db}/late_reports.json", year="all", region="", _shape="array")
    assert {r["report_id"] for r in late} == {103}
    edited = served.json(f"/{db}/edited_reports.json", region="", year="", _shape="array")
    assert {r["report_id"] for r in edited} == {105}
    apps = served.json(
        f"/{db}/applications.json", year="2023", region="宁夏回族自治区", agency="", _shape="array"
    )
    assert {r["report_id"]: r["new_received"] for r in apps} == {101: 40, 103: 12}
    grounds = served.json(
        f"/{db}/refusal_grounds.json", year="2023", region="海淀区", agency="", _shape="array"
    )
    assert grounds[0]["label"].startswith("（三）不予公开") and len(grounds) == 11
    assert {g["reports"] for g in grounds} == {1} and {g["year"] for g in grounds} == {"2023"}
    every_year = served.json(
        f"/{db}/refusal_grounds.json", year="all", region="海淀区", agency="", _shape="array"
    )
    assert {g["reports"] for g in every_year} == {2} and {g["year"] for g in every_year} == {"全部年度"}
    yoy = served.json(
        f"/{db}/year_over_year.json", agency="沙坡头区人民政府", region="", year="2023", _shape="array"
    )
    assert [(r["applications_received"], r["previous_year"], r["change"]) for r in yoy] == [(40, 25, 15)]
    lost = served.json(f"/{db}/review_litigation.json", year="2023", region="", agency="", _shape="array")
    assert all(r["review_corrected"] == 1 and r["agency_lost"] == 1 for r in lost)
    rollup = served.json(f"/{db}/region_rollup.json", year="2023", province="", _shape="array")
    assert {(r["district"], r["reports"]) for r in rollup} == {("沙坡头区", 2), ("海淀区", 1)}


def test_csv_and_json_exports_for_tables_and_queries(served) -> None:
    status, headers, body = served.get(f"/{served.db}/reports.csv", _stream="on")
    assert (
        status == 200 and headers["content-type"].startswith("text/plain") or "csv" in headers["content-type"]
    )
    assert len(list(csv.DictReader(io.StringIO(body)))) == 6
    status, _, body = served.get(f"/{served.db}/report_tables.csv", report_id="101", _size="max")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert status == 200 and len(rows) == 198
    first = rows[0]
    assert first["table_name"] == "table2" and first["row_code"] == "regulations"
    assert any(
        r["row_code"] == "new_received" and r["col_code"] == "total" and r["value"] == "40" for r in rows
    )


def test_read_only_and_no_raw_body_download(served) -> None:
    assert served.get(f"/{served.db}", method="POST")[0] == 405
    assert served.get(f"/{served.db}/captures/103.blob", _blob_column="body")[0] == 403
    status, _, body = served.get(f"/{served.db}/captures/103")
    assert status == 200 and "/-/capture/" in body and ".blob" not in body
    rows = served.json(f"/{served.db}/captures.json", _shape="array")
    assert rows and "body" not in rows[0] and "url" in rows[0]
    status, _, body = served.get(f"/{served.db}.db")
    assert status in (403, 404)


def test_sql_time_limit_enforced(served) -> None:
    slow = "with recursive n(i) as (select 1 union all select i + 1 from n) select count(*) from n"
    status, _, body = served.get(f"/{served.db}.json", sql=slow)
    assert status == 400 and "interrupted" in body.lower() or "time limit" in body.lower()


def test_csp_on_pages_with_archived_content(served) -> None:
    _, headers, _ = served.get(f"/-/capture/{served.db}/103")
    csp = headers["content-security-policy"]
    assert "script-src 'none'" in csp and "sandbox" in csp
    _, headers, _ = served.get(f"/{served.db}/reports/103")
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "unsafe-inline" not in headers["content-security-policy"].split("script-src")[1].split(";")[0]


def test_capture_view_escapes_and_sanitizes(served) -> None:
    status, _, body = served.get(f"/-/capture/{served.db}/103")
    assert status == 200 and "本年度收到申请12件" in body
    lowered = body.lower()
    assert "window.__pwned" not in lowered and "onerror" not in lowered and "javascript:" not in lowered
    status, _, body = served.get(f"/-/capture/{served.db}/103", view="source")
    assert "&lt;script&gt;window.__pwned" in body and "<script>window.__pwned" not in body
    # the original page downloads as an opaque attachment: saved, never rendered on this origin
    status, headers, body = served.get(f"/-/capture/{served.db}/103", view="download")
    headers = {k.lower(): v for k, v in headers.items()}
    assert status == 200 and headers["content-type"] == "application/octet-stream"
    assert headers["content-disposition"].startswith("attachment;") and "<script>window.__pwned" in body
    assert served.get(f"/-/capture/{served.db}/99999")[0] == 404


def test_charts_render_svg(served) -> None:
    status, _, body = served.get(
        f"/-/charts/{served.db}", agency="shapotou/gov", region="宁夏回族自治区", year=""
    )
    assert status == 200
    assert body.count('class="nb-bar"') >= 2 + 1  # two years for the agency + at least one refusal ground
    assert "<script" not in body.split("<footer")[0].split("</nav>")[1]
