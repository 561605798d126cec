"""Datasette plugin: one request must not take the public server down (issue 14 item 1).

* SQLite's own limits on every connection: no value over VALUE_LIMIT bytes (`zeroblob`, `printf('%.*c')`,
  `replace(hex(...))` fail inside SQLite before Python sees them), no more than COLUMN_LIMIT result columns.
* A byte budget per query over every value it fetches (a row factory): a query returning many large values
  is refused with a clear message once it passes RESULT_LIMIT, before it is rendered.
* `captures.body` reads as NULL except on the capture route (/-/capture/<db>/<id>, which streams one archived
  original): raw bodies are never returned by `?sql=` or table pages.
* A cap on every response body; debug pages (/-/threads, /-/messages, /-/allow-debug, /-/actor, ...) are not
  public, and /-/databases names the files without their directories.

The per-request allowance travels from the ASGI wrapper to the SQL threads in a context variable; Datasette's
executor is replaced by one that runs each task in the submitting request's context.
"""

from __future__ import annotations

import contextvars
import re
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from datasette import hookimpl

MB = 1024 * 1024
VALUE_LIMIT = 1 * MB  # any one value (report texts are tens of KB; 1 MB is ~350,000 Chinese characters)
COLUMN_LIMIT = 64  # columns in a result (the widest view has 44); a row holds at most 64 × 1 MB
RESULT_LIMIT = 8 * MB  # all values one query fetches (JSON may escape them to 6x; CSV streams: per chunk)
BODY_LIMIT = 64 * MB  # one response body (a streamed CSV is cut there, with a line saying so)
CAPTURE_VALUE_LIMIT = (
    80 * MB
)  # the capture route returns one archived original (downloads are capped at 64 MB)
CAPTURE_ROUTE = re.compile(r"^/-/capture/[^/]+/[0-9]+(/page)?$")  # the original; a PDF page drawn from it
DATABASES = re.compile(r"^/-/databases(\.json)?$")  # shown with file names only, never where they live
PRIVATE = re.compile(
    r"^/-/(threads|messages|allow-debug|actor|permissions|create-token|auth-token|logout|patterns)"
    r"(\.json)?$"
)
VALUE_TOO_BIG = (
    "值过大：单个值超过 {limit} MB 上限，请缩小查询；原始文件请在 /-/capture/<库>/<编号> 下载 / "
    "A value is over the {limit} MB limit: narrow the query; download archived originals on "
    "/-/capture/<db>/<id>."
)
RESULT_TOO_BIG = (
    "结果过大：单个查询的数据超过 {limit} MB 上限，请减少行数（_size）或列（_col） / "
    "The result is over the {limit} MB limit: ask for fewer rows (_size) or columns (_col)."
)
FUNCTION_DENIED = (
    "printf/format 在公开查询中不可用（宽度与精度在 SQLite 内无界循环） / printf and format are not available "
    "in public queries (their width and precision loop unbounded inside SQLite)."
)
DENIED_FUNCTIONS = {"printf", "format"}  # '%.*c' with a huge precision loops for seconds past any time limit
BODY_TOO_BIG = "响应过大，已截断 / Response over the {limit} MB limit; cut here.\n"


class Allowance:
    """What one request may fetch: the largest value, all values of one query, the response body.

    (Not a dataclass: Datasette loads --plugins-dir modules without registering them in sys.modules.)"""

    def __init__(self, limit: int = VALUE_LIMIT, *, read_bodies: bool = False) -> None:
        self.value_limit = limit
        self.result_limit = RESULT_LIMIT if limit == VALUE_LIMIT else limit
        self.body_limit = BODY_LIMIT if limit == VALUE_LIMIT else limit
        self.read_bodies = read_bodies


_allowance: contextvars.ContextVar[Allowance | None] = contextvars.ContextVar(
    "nianbao_allowance", default=None
)
_fetched: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("nianbao_fetched", default=None)


class ResultTooLarge(sqlite3.DataError):
    """Raised from the row factory: Datasette reports it like any SQL error, with this message."""


class ContextExecutor(ThreadPoolExecutor):
    """A thread pool that runs each task in the context of the code that submitted it (the request)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        context = contextvars.copy_context()
        return super().submit(context.run, _limited(fn), *args, **kwargs)


_connections: dict[int, list[sqlite3.Connection]] = {}  # thread id -> the connections it opened


def _limited(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Apply the request's value limit to this thread's connections, then run the task with a fresh budget."""

    def run(*args: Any, **kwargs: Any) -> Any:
        _fetched.set([0])  # each task runs in its own copy of the request's context
        for conn in _connections.get(threading.get_ident(), []):
            _apply(conn)
        return fn(*args, **kwargs)

    return run


def _apply(conn: sqlite3.Connection) -> None:
    allowance = _allowance.get() or Allowance()
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, allowance.value_limit)


def _row(cursor: sqlite3.Cursor, values: tuple[Any, ...]) -> sqlite3.Row:
    allowance, fetched = _allowance.get(), _fetched.get()
    if allowance is not None and fetched is not None:
        fetched[0] += sum(len(v) for v in values if isinstance(v, str | bytes))
        if fetched[0] > allowance.result_limit:
            raise ResultTooLarge(RESULT_TOO_BIG.format(limit=allowance.result_limit // MB))
    return sqlite3.Row(cursor, values)


def _authorize(action: int, table: str | None, column: str | None, _db: str | None, view: str | None) -> int:
    if action == sqlite3.SQLITE_FUNCTION and column in DENIED_FUNCTIONS and view is None:
        return sqlite3.SQLITE_DENY  # the archive's own views (site_health) may use printf; a query may not
    if action == sqlite3.SQLITE_READ and table == "captures" and column == "body":
        allowance = _allowance.get()
        if allowance is None or not allowance.read_bodies:
            return sqlite3.SQLITE_IGNORE  # the column reads as NULL
    return sqlite3.SQLITE_OK


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    conn.setlimit(sqlite3.SQLITE_LIMIT_COLUMN, COLUMN_LIMIT)
    _apply(conn)
    conn.row_factory = _row
    conn.set_authorizer(_authorize)
    _connections.setdefault(threading.get_ident(), []).append(conn)


@hookimpl
def startup(datasette: Any) -> None:
    if datasette.executor is not None:
        workers = datasette.executor._max_workers
        datasette.executor.shutdown(wait=False)
        datasette.executor = ContextExecutor(max_workers=workers)


async def _refuse(send: Callable, status: int, message: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain; charset=utf-8")],
        }
    )
    await send({"type": "http.response.body", "body": message.encode("utf-8")})


def _explain(body: bytes, allowance: Allowance) -> bytes:
    """SQLite's own words for a refusal, followed by what they mean here (in Chinese and English)."""
    too_big = VALUE_TOO_BIG.format(limit=allowance.value_limit // MB)
    body = body.replace(b"string or blob too big", b"string or blob too big: " + too_big.encode("utf-8"))
    for name in DENIED_FUNCTIONS:
        sqlite_says = b"not authorized to use function: " + name.encode()
        body = body.replace(sqlite_says, sqlite_says + b": " + FUNCTION_DENIED.encode("utf-8"))
    return body


def _hide_directories(datasette: Any, body: bytes) -> bytes:
    for database in datasette.databases.values():
        if database.path:
            body = body.replace(str(Path(database.path).resolve().parent).encode() + b"/", b"")
    return body


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable:
    def wrap(app: Callable) -> Callable:
        async def guarded(scope: dict, receive: Callable, send: Callable) -> None:
            if scope.get("type") != "http":
                return await app(scope, receive, send)
            path = scope.get("path", "")
            if PRIVATE.match(path):
                return await _refuse(send, 404, "未公开 / Not public.")
            if CAPTURE_ROUTE.match(path):
                allowance = Allowance(CAPTURE_VALUE_LIMIT, read_bodies=True)
            else:
                allowance = Allowance()
            token = _allowance.set(allowance)
            hide = bool(DATABASES.match(path))
            sent = 0
            status = 200

            async def send_bounded(event: dict) -> None:
                nonlocal sent, status
                if event["type"] == "http.response.start":
                    status = event["status"]
                    if status >= 400 or hide:  # its body may be rewritten below: its length is not known yet
                        headers = [
                            (k, v) for k, v in event.get("headers", []) if k.lower() != b"content-length"
                        ]
                        event = {**event, "headers": headers}
                elif event["type"] == "http.response.body":
                    body = event.get("body", b"")
                    if status >= 400:
                        body = _explain(body, allowance)
                    if hide:
                        body = _hide_directories(datasette, body)
                    if sent + len(body) > allowance.body_limit:
                        cut = BODY_TOO_BIG.format(limit=allowance.body_limit // MB).encode("utf-8")
                        body = body[: max(0, allowance.body_limit - sent)] + cut
                        sent = allowance.body_limit + 1
                        await send({"type": "http.response.body", "body": body, "more_body": False})
                        raise ResponseTooLarge
                    sent += len(body)
                    event = {**event, "body": body}
                elif sent > allowance.body_limit:
                    return
                await send(event)

            try:
                await app(scope, receive, send_bounded)
            except ResponseTooLarge:
                pass
            finally:
                _allowance.reset(token)

        return guarded

    return wrap


class ResponseTooLarge(Exception):
    """Stops the app once the body cap was reached and the response was closed."""
