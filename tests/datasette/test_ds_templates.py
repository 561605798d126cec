"""Upgrade safety: Nianbao's templates extend Datasette's by block, and fail here when the installed defaults drift."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from crawler.serve import PLUGINS_DIR, TEMPLATES_DIR

sys.path.insert(0, str(PLUGINS_DIR))
from nianbao_web import overrides  # noqa: E402

EXTENDS = re.compile(r'{%-?\s*extends\s+"([^"]+)"')


def _nianbao_templates() -> dict[str, str]:
    return {path.name: path.read_text("utf-8") for path in sorted(TEMPLATES_DIR.glob("*.html"))}


@pytest.mark.parametrize("name", sorted(_nianbao_templates()))
def test_no_copied_datasette_template(name: str) -> None:
    """A template that shares a name with a Datasette default must extend it (block overrides), never copy it."""
    text = _nianbao_templates()[name]
    default = overrides.DEFAULT_TEMPLATES / name
    found = EXTENDS.search(text)
    if default.exists():
        # a page extends Datasette's by block; a partial (no blocks) may wrap it with an include instead
        wraps = re.search(r'{%-?\s*include\s+"default:' + re.escape(name) + '"', text)
        assert (found and found.group(1) == f"default:{name}") or wraps, (
            f"{name} copies Datasette's: extend it"
        )
        assert name in overrides.BASE_SHA256, f"record the sha256 of default:{name} in overrides.BASE_SHA256"
    else:  # Nianbao's own pages and partials: named as such, pages on Datasette's base layout
        assert name.startswith(("nianbao_", "_nianbao_")), name
        assert not found or found.group(1) == "base.html", name


@pytest.mark.parametrize("name", sorted(overrides.BASE_SHA256))
def test_overridden_defaults_are_the_ones_written_against(name: str) -> None:
    """Fails when the installed Datasette's template changed: review the override, then record the new hash."""
    assert overrides.template_sha256(name) == overrides.BASE_SHA256[name], (
        f"Datasette's default {name} changed since Nianbao's override was written: check the blocks and "
        f"overrides.TEXT[{name!r}], then update overrides.BASE_SHA256"
    )


@pytest.mark.parametrize("name", sorted(overrides.TEXT))
def test_every_translated_text_is_found_in_the_installed_default(name: str) -> None:
    assert name in overrides.BASE_SHA256
    source = (overrides.DEFAULT_TEMPLATES / name).read_text("utf-8")
    translated, missing = overrides.translate(name, source)
    assert missing == [] and translated != source


def test_drift_is_detected(tmp_path: Path) -> None:
    """The checks above can fail: an edited default loses its hash and the text that no longer matches."""
    source = (overrides.DEFAULT_TEMPLATES / "table.html").read_text("utf-8").replace("Next page", "More")
    _, missing = overrides.translate("table.html", source)
    assert missing == ['<a href="{{ next_url }}">Next page</a>']


def test_plugins_use_no_private_datasette_attributes() -> None:
    """Plugins use Datasette's public API only (no datasette._x, db._x, request._x)."""
    private = re.compile(r"\b(?:datasette|db|database|request|self\.ds|ds)\._[a-z]")
    hits = [
        f"{path.name}: {line.strip()}"
        for path in sorted(PLUGINS_DIR.rglob("*.py"))
        for line in path.read_text("utf-8").splitlines()
        if private.search(line) or "_metadata_local" in line
    ]
    assert hits == []


def test_english_default_text_is_not_shown(served) -> None:
    """Datasette's English labels are replaced on the pages readers use."""
    pages = {
        f"/{served.db}/reports": ("Next page", "Apply", "This data as", "Advanced export", "- column -"),
        f"/{served.db}/late_reports": ("Custom SQL query", "Query parameters", "Run SQL", "0 results"),
        f"/{served.db}": ("Custom SQL query", "Queries", "hidden table"),
        f"/{served.db}/captures/104": ("Links from other tables", "This data as"),
        "/": ("Powered by", "Data license"),
    }
    for path, english in pages.items():
        status, _, body = served.get(path, _size="2") if path.endswith("reports") else served.get(path)
        assert status in (200, 404), path
        shown = [text for text in english if text in body]
        assert shown == [], (path, shown)
