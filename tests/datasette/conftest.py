"""Fixtures for the publishing tests: a controlled archive.db and a real Datasette subprocess serving it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ds_fixture_db import build_db  # noqa: E402
from ds_real_db import build_real_db  # noqa: E402
from ds_server import REPO_ROOT, Served, serving  # noqa: E402
from rank_fixture import build_rank_db  # noqa: E402

ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"  # Debian's chromium (make setup installs it); no browser download
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def archive_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_db(tmp_path_factory.mktemp("archive") / "archive.db")


@pytest.fixture(scope="session")
def served(archive_path: Path) -> Iterator[Served]:
    with serving(archive_path) as served:
        yield served


@pytest.fixture(scope="session")
def real_archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """Two real reports (a PDF and an HTML page) normalized by the real pipeline; report ids by file."""
    path = tmp_path_factory.mktemp("real") / "archive.db"
    return path, build_real_db(path)


@pytest.fixture(scope="session")
def real_served(real_archive: tuple[Path, dict[str, int]]) -> Iterator[Served]:
    with serving(real_archive[0]) as served:
        yield served


@pytest.fixture(scope="session")
def rank_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Datasette over the fixture with the rankings, deadline and feed cases (tests/datasette/rank_fixture.py)."""
    with serving(build_rank_db(tmp_path_factory.mktemp("rank") / "archive.db")) as served:
        yield served


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """A real headless Chromium, driven by Playwright."""
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} missing: `make setup` installs Debian's chromium"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
