"""Pytest fixtures for the crawler tests (helpers live in crawl_helpers.py)."""

from __future__ import annotations

import pytest
from crawl_helpers import MemorySink


@pytest.fixture
def sink() -> MemorySink:
    return MemorySink()
