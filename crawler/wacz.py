"""`nianbao wacz`: the archive as a standard WACZ (WARC records by warcio, CDXJ index and datapackage by `wacz`).

Every capture becomes a WARC request record and a response record (WARC-Date = the capture time, payload = the
archived body byte for byte, the response headers as archived). The crawler archives bodies after Scrapy
removed the transfer coding and any Content-Encoding it decoded, and Scrapy drops the decoded
Content-Encoding header itself; two headers would then no longer describe the stored bytes, so they are
renamed rather than lost: ``Transfer-Encoding`` → ``X-Archive-Orig-Transfer-Encoding`` and a
``Content-Length`` that differs from the body → ``X-Archive-Orig-Content-Length`` (plus the real length).
Request headers were not archived beyond the Referer; the request record carries Host and Referer.
The report pages and attachments go into ``pages/pages.jsonl`` with their report titles.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.store.bodies import decode_body
from crawler.store.schema import connect

CAPTURES_SQL = """
select c.id, c.url, c.final_url, c.method, c.status, c.headers, c.fetched_at, c.body, c.body_codec, c.kind,
       c.referer, c.failure_kind, c.link_text,
       (select r.title from reports r where r.capture_id = c.id) as report_title,
       (select d.title from documents d where d.url = c.url) as document_title
from captures c
where (:site is null or c.site_id = :site) and (:since is null or c.fetched_at >= :since)
order by c.fetched_at, c.id
"""
PAGE_KINDS = ("report", "attachment")


@dataclass
class WaczResult:
    path: Path
    captures: int = 0
    pages: int = 0
    body_bytes: int = 0  # archived bodies as received
    seconds: float = 0.0

    def line(self) -> str:
        size = self.path.stat().st_size
        rate = self.body_bytes / 1e6 / self.seconds if self.seconds else 0.0
        return (
            f"wacz: {self.path} — {self.captures} captures, {self.pages} pages; {self.body_bytes / 1e6:.1f} MB of "
            f"bodies → {size / 1e6:.1f} MB ({size / max(self.body_bytes, 1):.0%}); {self.seconds:.1f}s "
            f"({rate:.1f} MB/s)"
        )


def _response_headers(status: int, stored: dict[str, str], body: bytes) -> StatusAndHeaders:
    headers: list[tuple[str, str]] = []
    for name, value in stored.items():
        lower = name.lower()
        if lower == "transfer-encoding" or (lower == "content-length" and value.strip() != str(len(body))):
            headers.append((f"X-Archive-Orig-{name}", value))
        elif lower != "content-length":
            headers.append((name, value))
    headers.append(("Content-Length", str(len(body))))
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    return StatusAndHeaders(f"{status} {reason}".strip(), headers, protocol="HTTP/1.1")


def _request_headers(method: str, url: str, referer: str | None) -> StatusAndHeaders:
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = [("Host", parts.netloc)] + ([("Referer", referer)] if referer else [])
    return StatusAndHeaders(f"{method or 'GET'} {target} HTTP/1.1", headers, is_http_request=True)


def write_warc(db_path: str | Path, out, *, site: str | None, since: str | None) -> Iterator[dict[str, Any]]:
    """Write every selected capture as request + response records; yield one summary dict per capture."""
    db = connect(db_path, readonly=True)
    writer = WARCWriter(out, gzip=True)
    try:
        for row in db.query(CAPTURES_SQL, {"site": site, "since": since}):
            body = decode_body(row["body"], row["body_codec"])
            url = row["final_url"] or row["url"]
            date = {"WARC-Date": row["fetched_at"]}
            response = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body),
                length=len(body),
                http_headers=_response_headers(row["status"], json.loads(row["headers"] or "{}"), body),
                warc_headers_dict=date,
            )
            request = writer.create_warc_record(
                url,
                "request",
                http_headers=_request_headers(row["method"], url, row["referer"]),
                warc_headers_dict={**date, "WARC-Concurrent-To": response.rec_headers["WARC-Record-ID"]},
            )
            writer.write_record(response)
            writer.write_record(request)
            yield {**row, "body_bytes": len(body), "target": url}
    finally:
        db.conn.close()


def _page(row: dict[str, Any]) -> dict[str, str] | None:
    if row["kind"] not in PAGE_KINDS or row["status"] != 200 or row["failure_kind"]:
        return None
    title = row["report_title"] or row["document_title"] or row["link_text"] or row["target"]
    return {"url": row["target"], "ts": row["fetched_at"], "title": title}


def export_wacz(
    db_path: str | Path, dest: str | Path, *, site: str | None = None, since: str | None = None
) -> WaczResult:
    """Write the archive (or one site's captures, or those fetched since a date) to the WACZ file ``dest``."""
    from wacz.main import main as wacz_main

    started = time.monotonic()
    result = WaczResult(Path(dest))
    with tempfile.TemporaryDirectory(prefix="nianbao-wacz-") as tmp:
        warc, pages_path = Path(tmp) / "nianbao.warc.gz", Path(tmp) / "pages.jsonl"
        pages = [{"format": "json-pages-1.0", "id": "pages", "title": "Nianbao report pages"}]
        with warc.open("wb") as out:
            for row in write_warc(db_path, out, site=site, since=since):
                result.captures += 1
                result.body_bytes += row["body_bytes"]
                page = _page(row)
                if page:
                    pages.append(page)
        result.pages = len(pages) - 1
        pages_path.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pages), "utf-8")
        args = ["create", "-o", str(dest), str(warc), "--title", "Nianbao archive"]
        if result.pages:
            args += ["-p", str(pages_path)]
        chatter = io.StringIO()  # the wacz package prints its progress; keep it for errors only
        with contextlib.redirect_stdout(chatter):
            code = wacz_main(args)
        if code:
            raise RuntimeError(f"wacz create failed: {chatter.getvalue()[-2000:]}")
    result.seconds = time.monotonic() - started
    return result
