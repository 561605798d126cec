"""HTTP plumbing: one threaded 127.0.0.1 server per simulated site, request/response types, request log."""

from __future__ import annotations

import email.utils
import hashlib
import http.server
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    """One parsed request as a site handler sees it."""

    method: str
    path: str  # path only, percent-decoded is NOT applied
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    host: str  # "127.0.0.1:port"
    raw_target: str = ""

    def arg(self, name: str, default: str = "") -> str:
        values = self.query.get(name)
        return values[0] if values else default

    def form(self) -> dict[str, str]:
        """The urlencoded POST body as a flat dict."""
        parsed = parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        return {k: v[0] for k, v in parsed.items()}

    def cookies(self) -> dict[str, str]:
        jar: dict[str, str] = {}
        for part in self.headers.get("cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name:
                jar[name] = value
        return jar


@dataclass
class Response:
    """What a site handler answers; `stream` (if set) is written instead of `body`."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = "text/html; charset=utf-8"
    stream: Iterable[bytes] | None = None
    stream_length: int | None = None
    delay: float = 0.0  # seconds to wait before answering (timeouts)
    lazy: Callable[[], bytes] | None = None  # body built outside the site lock (slow to make)
    etag: str | None = None
    last_modified: datetime | None = None

    @classmethod
    def html(
        cls, text: str, status: int = 200, charset: str = "utf-8", header_charset: bool = True
    ) -> Response:
        body = text.encode(charset, "xmlcharrefreplace")
        ctype = f"text/html; charset={charset}" if header_charset else "text/html"
        return cls(status=status, body=body, content_type=ctype)

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> Response:
        return cls(status=status, headers={"Location": location}, body=b"", content_type="text/html")

    @classmethod
    def not_found(cls) -> Response:
        page = "<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>"
        return cls(status=404, body=page.encode(), content_type="text/html; charset=iso-8859-1")

    def cacheable(self, modified: datetime, version: str | None = None) -> Response:
        """Give the response an ETag (from the body, or from `version` for lazy bodies) and a Last-Modified."""
        basis = version.encode() if version is not None else self.body
        self.etag = '"' + hashlib.sha1(basis).hexdigest()[:16] + '"'
        self.last_modified = modified
        return self


@dataclass(frozen=True)
class RequestRecord:
    """One served request, as kept in SimulatedSites.request_log."""

    site_id: str
    method: str
    path: str  # path + query as requested
    host: str
    status: int
    bytes: int
    headers: dict[str, str]
    timestamp: float


class RequestLog:
    """A thread-safe list of RequestRecord."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []

    def add(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)

    def snapshot(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()


Handler = Callable[[Request], Response]


def http_date(moment: datetime) -> str:
    return email.utils.format_datetime(moment.astimezone(UTC), usegmt=True)


def not_modified(req: Request, resp: Response) -> bool:
    """True when the request's validators match the response (conditional GET)."""
    if resp.status != 200 or req.method not in ("GET", "HEAD"):
        return False
    inm = req.headers.get("if-none-match")
    if inm and resp.etag:
        tags = {t.strip() for t in inm.split(",")}
        return resp.etag in tags or "*" in tags or f"W/{resp.etag}" in tags
    ims = req.headers.get("if-modified-since")
    if ims and resp.last_modified:
        try:
            since = email.utils.parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return resp.last_modified.replace(microsecond=0) <= since
    return False


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


class SiteServer:
    """Serves one site's handler on 127.0.0.1:<port> in a daemon thread."""

    def __init__(
        self, site_id: str, handler: Handler, log: RequestLog, stop_event: threading.Event, port: int = 0
    ) -> None:
        self.site_id = site_id
        self.handler = handler
        self.log = log
        self.stop_event = stop_event
        self._server = _Server(("127.0.0.1", port), self._make_handler_class())
        self.port: int = self._server.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True, name=self.site_id
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def _make_handler_class(self) -> type[http.server.BaseHTTPRequestHandler]:
        owner = self

        class _RequestHandler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "nginx"
            sys_version = ""

            def version_string(self) -> str:
                return "nginx"

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
                return

            def _handle(self) -> None:
                owner._serve(self)

            do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = do_OPTIONS = _handle  # noqa: N815

        return _RequestHandler

    def _serve(self, h: http.server.BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length > 0 else b""
        split = urlsplit(h.path)
        req = Request(
            method=h.command,
            path=split.path or "/",
            query=parse_qs(split.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in h.headers.items()},
            body=body,
            host=h.headers.get("Host") or f"127.0.0.1:{self.port}",
            raw_target=h.path,
        )
        try:
            resp = self.handler(req)
        except Exception as exc:  # a simulator bug must show up as a 500, not a dropped connection
            resp = Response(status=500, body=f"simulator error: {exc!r}".encode(), content_type="text/plain")
        sent = 0
        try:
            if resp.delay and self.stop_event.wait(resp.delay):
                h.close_connection = True
                return
            if resp.lazy is not None and not not_modified(req, resp):
                resp.body = resp.lazy()
            sent = self._write(h, req, resp)
        except (TimeoutError, BrokenPipeError, ConnectionResetError, ConnectionAbortedError, OSError):
            h.close_connection = True
        finally:
            self.log.add(
                RequestRecord(
                    site_id=self.site_id,
                    method=req.method,
                    path=h.path,
                    host=req.host,
                    status=resp.status if not not_modified(req, resp) else 304,
                    bytes=sent,
                    headers=dict(req.headers),
                    timestamp=time.time(),
                )
            )

    def _write(self, h: http.server.BaseHTTPRequestHandler, req: Request, resp: Response) -> int:
        status = 304 if not_modified(req, resp) else resp.status
        h.send_response(status)
        headers = dict(resp.headers)
        if resp.etag:
            headers["ETag"] = resp.etag
        if resp.last_modified:
            headers["Last-Modified"] = http_date(resp.last_modified)
        if status == 304:
            for name, value in headers.items():
                h.send_header(name, value)
            h.send_header("Content-Length", "0")
            h.end_headers()
            return 0
        if resp.content_type and "Content-Type" not in headers:
            headers["Content-Type"] = resp.content_type
        length = resp.stream_length if resp.stream is not None else len(resp.body)
        headers.setdefault("Content-Length", str(length))
        for name, value in headers.items():
            h.send_header(name, value)
        h.end_headers()
        if req.method == "HEAD":
            return 0
        if resp.stream is None:
            h.wfile.write(resp.body)
            return len(resp.body)
        sent = 0
        for chunk in resp.stream:
            if self.stop_event.is_set():
                h.close_connection = True
                break
            h.wfile.write(chunk)
            sent += len(chunk)
        return sent
