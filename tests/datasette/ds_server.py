"""Start a real Datasette subprocess over a test archive on a free port, and talk to it over HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from crawler.serve import datasette_command

REPO_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Served:
    """A running Datasette: base URL and database name, with small HTTP helpers."""

    base: str
    db: str

    def url(self, path: str, **params: str) -> str:
        query = ("?" + urllib.parse.urlencode(params)) if params else ""
        return self.base + urllib.parse.quote(path) + query

    def get(self, path: str, method: str = "GET", **params: str) -> tuple[int, dict[str, str], str]:
        request = urllib.request.Request(self.url(path, **params), method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode("utf-8", "replace")

    def json(self, path: str, **params: str) -> list | dict:
        status, _, body = self.get(path, **params)
        assert status == 200, body[:2000]
        return json.loads(body)


def start_datasette(db_path: Path, inspect_file: Path | None = None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    log_path = db_path.parent / f"datasette-{port}.log"
    with log_path.open("wb") as log:  # a file, not a pipe: access logs must never block the server
        proc = subprocess.Popen(
            datasette_command(db_path, port=port, host="127.0.0.1", inspect_file=inspect_file),
            cwd=db_path.parent,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120  # generous: the CI machine may be shared and loaded
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            output = log_path.read_text("utf-8", "replace")
            raise RuntimeError(f"datasette exited with {proc.returncode}:\n{output}")
        try:
            with urllib.request.urlopen(base + "/-/versions.json", timeout=2):
                return proc, base
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("datasette did not start within 120 s")


def stop_datasette(proc: subprocess.Popen) -> None:
    """Terminate a server started by start_datasette (killed if it does not stop within 10 s)."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@contextmanager
def serving(db_path: Path, inspect_file: Path | None = None) -> Iterator[Served]:
    """A real Datasette on db_path for the duration of the block."""
    proc, base = start_datasette(db_path, inspect_file=inspect_file)
    try:
        yield Served(base=base, db="archive")
    finally:
        stop_datasette(proc)
