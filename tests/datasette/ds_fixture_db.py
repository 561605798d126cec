"""A small archive.db whose reports, texts, statistics, checks and captures the publishing tests control."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import sqlite_utils

from crawler.contract import APPLICANT_COLUMNS, RESULT_ROWS_2019, RESULT_ROWS_2021
from crawler.deadlines import report_columns
from crawler.search import build_search_index
from crawler.store.schema import connect
from crawler.summary import refresh_summary

MALICIOUS_HTML = """<!doctype html><html><head><title>恶意页面</title>
<script>window.__pwned = 1; document.title = "PWNED";</script></head>
<body onload="window.__pwned = 2">
<h1>沙坡头区政务服务中心2023年政府信息公开工作年度报告</h1>
<p>本年度收到申请12件。</p>
<img src="x" onerror="window.__pwned = 3; document.title = 'PWNED'">
<a id="jslink" href="javascript:window.__pwned=4">点击查看</a>
<iframe src="javascript:parent.__pwned=5"></iframe>
<svg onload="window.__pwned=6"></svg>
<table><tr><td>一、本年新收政府信息公开申请数量</td><td>12</td></tr></table>
</body></html>"""

# id -> (agency_id, agency, site_id, year, format, title, text, extra)
REPORTS: dict[int, dict] = {
    101: {
        "agency_id": "shapotou/gov",
        "agency": "沙坡头区人民政府",
        "site_id": "ningxia-zhongwei-shapotou",
        "year": 2023,
        "format": "2021",
        "publish_date": "2024-01-20",
        "text": "本机关依法办理政府信息公开申请。全年发生行政复议3件，行政诉讼1件。"
        "涉及国家秘密的信息依法不予公开。",
        "received": 40,
    },
    102: {
        "agency_id": "shapotou/gov",
        "agency": "沙坡头区人民政府",
        "site_id": "ningxia-zhongwei-shapotou",
        "year": 2022,
        "format": "2021",
        "publish_date": "2023-01-28",
        "text": "本年度发生行政复议1件，未发生诉讼案件。主动公开文件120件。",
        "received": 25,
    },
    103: {
        "agency_id": "shapotou/zwfw",
        "agency": "沙坡头区政务服务中心",
        "site_id": "ningxia-zhongwei-shapotou",
        "year": 2023,
        "format": "2021",
        "publish_date": "2024-03-05",
        "text": "申请人对答复不服申请复议，复议机关维持。复议结论为维持，再次复议仍维持。"
        "行政处罚决定书均已主动公开，群众可以查询。",
        "received": 12,
        "capture_html": MALICIOUS_HTML,
    },
    104: {
        "agency_id": "haidian/gov",
        "agency": "海淀区人民政府",
        "site_id": "beijing-haidian",
        "year": 2023,
        "format": "2021",
        "publish_date": "2024-01-15",
        "text": "对不符合条件的申请不予受理，其余予以公开。",
        "received": 300,
    },
    105: {
        "agency_id": "haidian/gov",
        "agency": "海淀区人民政府",
        "site_id": "beijing-haidian",
        "year": 2022,
        "format": "2019",
        "publish_date": "2023-02-10",
        "text": "本年度发生诉讼案件2件，依法不予公开2件。",
        "received": 280,
        "version": 2,
    },
    106: {
        "agency_id": "haidian/gov",
        "agency": "海淀区人民政府",
        "site_id": "beijing-haidian",
        "year": 2018,
        "format": "other",
        "publish_date": "2019-01-30",
        "title": "海淀区人民政府2018年工作年度报告",
        "text": "本年度统计数据见附件。",
        "received": None,
        "parse_status": "partial",
        "table_is_image": True,
        "warnings": ["table3: column header not fully readable; standard column order assumed"],
    },
}

SITES = {
    "ningxia-zhongwei-shapotou": ("沙坡头区人民政府", "宁夏回族自治区", "中卫市", "沙坡头区", "640502"),
    "beijing-haidian": ("海淀区人民政府", "北京市", "北京市", "海淀区", "110108"),
}
AGENCIES = {
    "shapotou/gov": ("ningxia-zhongwei-shapotou", "沙坡头区人民政府"),
    "shapotou/zwfw": ("ningxia-zhongwei-shapotou", "沙坡头区政务服务中心"),
    "haidian/gov": ("beijing-haidian", "海淀区人民政府"),
    "haidian/edu": ("beijing-haidian", "海淀区教育委员会"),  # in the registry, never published a report
}

# What the search tests expect: query -> report ids that contain it.
EXPECTED_SEARCH = {
    "复议": {101, 102, 103},
    "诉讼": {101, 102, 105},
    "公开": {101, 102, 103, 104, 105},
    "行政复议": {101, 102},
    "不予公开": {101, 105},
}


def _title(spec: dict) -> str:
    return spec.get("title") or f"{spec['agency']}{spec['year']}年政府信息公开工作年度报告"


SHARES = {"granted": 0.5, "denied_state_secret": 0.1, "denied_third_party": 0.1, "unable_not_held": 0.2}
# table4 block -> (upheld, corrected, other, pending)
TABLE4 = {"review": (2, 1, 0, 0), "litigation_direct": (1, 0, 0, 1), "litigation_after_review": (0, 0, 0, 0)}


def _table3(received: int, fmt: str, shares: dict[str, float] = SHARES) -> dict[str, dict[str, int]]:
    """A balanced table3: new_received spread over columns, results spread over the result rows."""
    rows = RESULT_ROWS_2021 if fmt == "2021" else RESULT_ROWS_2019
    table: dict[str, dict[str, int]] = {}

    def put(row: str, per_col: list[int]) -> None:
        table[row] = dict(zip(APPLICANT_COLUMNS, per_col, strict=True)) | {"total": sum(per_col)}

    natural = received - received // 4
    put("new_received", [natural, received // 4, 0, 0, 0, 0])
    put("carried_over", [2, 0, 0, 0, 0, 0])
    left = [natural + 2, received // 4, 0, 0, 0, 0]
    for row in rows:
        share = shares.get(row, 0.0)
        per_col = [int(v * share) for v in left]
        put(row, per_col)
    results = [sum(table[r][c] for r in rows) for c in APPLICANT_COLUMNS]
    carried = [1, 0, 0, 0, 0, 0]
    # Whatever is left over becomes partially granted, so the table balances exactly.
    extra = [left[i] - results[i] - carried[i] for i in range(6)]
    put(
        "partially_granted",
        [table["partially_granted"][c] + extra[i] for i, c in enumerate(APPLICANT_COLUMNS)],
    )
    put("results_total", [sum(table[r][c] for r in rows) for c in APPLICANT_COLUMNS])
    put("carried_forward", carried)
    return table


def _statistics(report_id: int, spec: dict) -> list[dict]:
    if spec["received"] is None:
        return []
    rows: list[dict] = []
    t3 = _table3(spec["received"], spec["format"], spec.get("shares", SHARES))
    if report_id == 101:  # a misprint the balance check catches
        t3["results_total"]["total"] += 5
    for row_code, cols in t3.items():
        for col_code, value in cols.items():
            rows.append(_stat(report_id, "table3", row_code, col_code, value))
    for block, (upheld, corrected, other, pending) in spec.get("table4", TABLE4).items():
        values = {"upheld": upheld, "corrected": corrected, "other": other, "pending": pending}
        values["total"] = upheld + corrected + other + pending
        for col_code, value in values.items():
            rows.append(_stat(report_id, "table4", block, col_code, value))
    for row_code in ("regulations", "normative_documents"):
        for col_code, value in (("issued", 1), ("repealed", 0), ("in_force", 7)):
            rows.append(_stat(report_id, "table2", row_code, col_code, value))
    rows.append(_stat(report_id, "table2", "licensing", "decisions", 1520))
    rows.append(_stat(report_id, "table2", "fees", "amount_10k_yuan", 12.5))
    return rows


def _stat(report_id: int, table: str, row: str, col: str, value: float) -> dict:
    text = str(int(value)) if float(value).is_integer() else str(value)
    return {
        "report_id": report_id,
        "table_name": table,
        "row_code": row,
        "col_code": col,
        "value": value,
        "value_text": text,
        "row_label": None,
        "col_label": None,
        "blank": 0,
    }


def _capture_html(spec: dict) -> str:
    return spec.get("capture_html") or (
        f"<html><head><title>{_title(spec)}</title></head><body><h1>{_title(spec)}</h1>"
        f"<p>{spec['text']}</p></body></html>"
    )


def build_db(
    path: Path,
    reports: dict[int, dict] = REPORTS,
    sites: dict[str, tuple] = SITES,
    agencies: dict[str, tuple[str, str]] = AGENCIES,
) -> Path:
    """Create archive.db at ``path`` with the reports above (or those given), then build the search index."""
    db: sqlite_utils.Database = connect(path)
    for site_id, (name, province, city, district, code) in sites.items():
        db["sites"].insert(
            {
                "id": site_id,
                "name": name,
                "province": province,
                "city": city,
                "district": district,
                "region_code": code,
                "portal_url": f"http://127.0.0.1:9/{site_id}/",
                "cms": "static",
                "verified": 1,
                "config": "{}",
            }
        )
    for agency_id, (site_id, name) in agencies.items():
        db["agencies"].insert({"id": agency_id, "site_id": site_id, "name": name})
    for report_id, spec in reports.items():
        _insert_report(db, report_id, spec, sites)
    db.conn.commit()
    build_search_index(db)
    refresh_summary(db)
    db.conn.commit()
    db.conn.close()
    return path


def _insert_report(db: sqlite_utils.Database, report_id: int, spec: dict, sites: dict[str, tuple]) -> None:
    site = sites[spec["site_id"]]
    url = f"http://127.0.0.1:9/{spec['agency_id']}/{spec['year']}.html"
    html = _capture_html(spec).encode("utf-8")
    body = zlib.compress(html)
    db["captures"].insert(
        {
            "id": report_id,
            "url": url,
            "final_url": url,
            "method": "GET",
            "status": 200,
            "headers": json.dumps({"Content-Type": "text/html; charset=utf-8"}),
            "fetched_at": spec.get("fetched_at", "2024-04-01T00:00:00Z"),
            "sha256": f"sha-{report_id}",
            "content_type": "text/html; charset=utf-8",
            "size": len(html),
            "body": body,
            "body_codec": "zlib",
            "kind": "report",
            "site_id": spec["site_id"],
            "agency_id": spec["agency_id"],
            "link_text": _title(spec),
        }
    )
    version = spec.get("version", 1)
    if spec.get("previous"):  # a new version of an earlier report at the same URL (a silent edit)
        db.execute("update reports set is_latest = 0 where id = ?", [spec["previous"]])
        db.execute(
            "update documents set versions = ?, latest_capture_id = ? where url = ?",
            [version, report_id, url],
        )
    else:
        db["documents"].insert(
            {
                "url": url,
                "site_id": spec["site_id"],
                "agency_id": spec["agency_id"],
                "kind": "page",
                "title": _title(spec),
                "year": spec["year"],
                "latest_capture_id": report_id,
                "versions": version,
            }
        )
    deadline = report_columns(spec["year"], spec["publish_date"], spec["agency"], _title(spec))
    stats = _statistics(report_id, spec)
    checks = _checks(report_id)
    db["reports"].insert(
        {
            "id": report_id,
            "capture_id": report_id,
            "document_url": url,
            "version": version,
            "is_latest": 1,
            "site_id": spec["site_id"],
            "agency_id": spec["agency_id"],
            "agency": spec["agency"],
            "province": site[1],
            "city": site[2],
            "district": site[3],
            "region_code": site[4],
            "year": spec["year"],
            "title": _title(spec),
            "publish_date": spec["publish_date"],
            **deadline,
            "source_url": url,
            "source_format": "html",
            "format": spec["format"],
            "parse_status": spec.get("parse_status", "ok"),
            "errors": json.dumps(spec.get("errors", [])),
            "warnings": json.dumps(spec.get("warnings", [])),
            "table_is_image": int(spec.get("table_is_image", False)),
            "checks_failed": sum(1 for c in checks if not c["ok"]),
            "applications_received": spec["received"],
            "text": spec["text"],
        }
    )
    # The six sections of the 2021 template; tables 2-4 belong inside sections 二-四 on the report page.
    # Report 105 (2019 form) numbers the requests section 3 but words it differently; 106 has two sections.
    sections = [
        ("总体情况", spec["text"]),
        ("主动公开政府信息情况", "见下表。"),
        ("收到和处理政府信息公开申请情况" if report_id != 105 else "依申请公开政府信息情况", ""),
        ("政府信息公开行政复议、行政诉讼情况", ""),
        ("存在的主要问题及改进情况", "无。"),
        ("其他需要报告的事项", "无。"),
    ]
    if report_id == 106:
        sections = sections[:2]
    if "capture_html" in spec:  # text extracted from a hostile page must stay text on the report page
        sections[5] = (
            "其他需要报告的事项",
            '<script>window.__pwned = 7</script><img src=x onerror="window.__pwned = 8">',
        )
    for no, (title, text) in enumerate(sections, start=1):
        db["sections"].insert({"report_id": report_id, "no": no, "title": title, "text": text})
    if stats:
        db["statistics"].insert_all(stats)
        db["checks"].insert_all(checks)


def _checks(report_id: int) -> list[dict]:
    if report_id not in (101, 102, 103, 104, 105):
        return []
    balance_ok = report_id != 101
    return [
        {
            "report_id": report_id,
            "seq": 0,
            "rule": "table3.balance",
            "ok": int(balance_ok),
            "detail": "40 + 2 ≠ 46 + 1" if not balance_ok else "ok",
            "cells": json.dumps(
                [
                    "table3.new_received.total",
                    "table3.carried_over.total",
                    "table3.results_total.total",
                    "table3.carried_forward.total",
                ]
            ),
        },
        {
            "report_id": report_id,
            "seq": 1,
            "rule": "table4.block_totals",
            "ok": 1,
            "detail": "ok",
            "cells": "[]",
        },
    ]
