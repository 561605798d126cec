"""A replay server for crawler tests: serves saved (or generated) pages by their original URL path on 127.0.0.1.

Pages are keyed by path + query exactly as the original site's URL had them (``/xxgk/index.html``,
``/module/web/jpage/dataproxy.jsp?startrecord=1&...`` matches on path only when no query variant is saved).
Anything else answers 404, so a request the spider should not have made is visible in ``log``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Page:
    body: bytes
    content_type: str = "text/html"  # no charset unless the saved page's server sent one
    status: int = 200
    delay: float = 0.0  # seconds before answering


class ReplayServer:
    """`with ReplayServer(pages) as server:` → `server.url("/path")`; `server.log` lists (method, path) served."""

    def __init__(self, pages: dict[str, Page]) -> None:
        self.pages = dict(pages)
        self.log: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        handler = self._handler()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"http://{self.host}{path}"

    def paths(self) -> list[str]:
        with self._lock:
            return [path for _, path in self.log]

    def __enter__(self) -> ReplayServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _lookup(self, target: str) -> Page | None:
        return self.pages.get(target) or self.pages.get(urlsplit(target).path)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                with server._lock:
                    server.log.append((self.command, self.path))
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                page = server._lookup(self.path) or Page(b"<h1>404 Not Found</h1>", status=404)
                if page.delay:
                    time.sleep(page.delay)
                self.send_response(page.status)
                self.send_header("Content-Type", page.content_type)
                self.send_header("Content-Length", str(len(page.body)))
                self.end_headers()
                self.wfile.write(page.body)

            do_GET = _serve
            do_POST = _serve

            def log_message(self, *args: object) -> None:
                pass

        return Handler
