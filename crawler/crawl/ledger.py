"""The discovery ledger: one row per candidate link of a unit directory per run, each with its outcome.

Outcomes: `column_found` (a unit whose 年报 column is known), `no_column` (a unit page without one),
`not_a_unit` (navigation, a file, a page that is no unit's), `blocked` (WAF / robots.txt / 403), `error`
(404, timeout, DNS …) and `capped` (not visited: the site's `max_pages` discovery budget was spent).
No candidate is dropped without a row; those still unanswered when the run ends are written as `error`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from crawler.crawl.context import RunContext, utcnow

OUTCOMES = ("column_found", "no_column", "not_a_unit", "blocked", "error", "capped")
_WORDS = {
    "column_found": "columns",
    "no_column": "without a column",
    "blocked": "blocked",
    "error": "errors",
    "capped": "not visited (max_pages)",
    "not_a_unit": "not units",
}


def ledger_line(counts: dict[str, int]) -> str:
    """'directory lists 41 links: 37 columns, 3 without a column, 1 blocked' (zero parts left out)."""
    total = sum(counts.values())
    parts = [f"{counts[k]} {_WORDS[k]}" for k in OUTCOMES if counts.get(k)]
    return f"directory lists {total} links: {', '.join(parts) or 'none'}"


@dataclass
class Ledger:
    """A run's discovery ledger for one site: pending candidates and the rows written for them."""

    ctx: RunContext
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)  # url -> row fields
    counts: Counter[str] = field(default_factory=Counter)
    decided: set[str] = field(default_factory=set)

    def known(self, url: str) -> bool:
        return url in self.pending or url in self.decided

    def expect(self, url: str, **fields: Any) -> None:
        """A candidate that will be visited: its row is written when its outcome is known."""
        self.pending[url] = fields

    def record(self, url: str, outcome: str, detail: str = "", **fields: Any) -> None:
        """Write the candidate's row (once per URL and run)."""
        if url in self.decided:
            return
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown discovery outcome {outcome!r}")
        row = {**self.pending.pop(url, {}), **fields}
        self.decided.add(url)
        self.counts[outcome] += 1
        self.ctx.sink.discovery(
            {
                "run_id": self.ctx.run_id,
                "site_id": self.ctx.site_id,
                "directory_url": row.get("directory_url"),
                "url": url,
                "link_text": row.get("link_text"),
                "agency_id": row.get("agency_id"),
                "outcome": outcome,
                "column_url": row.get("column_url"),
                "detail": detail[:500],
                "at": utcnow(),
            }
        )

    def finish(self, reason: str) -> None:
        """Candidates never answered (the run ended first) still get their row."""
        for url in list(self.pending):
            self.record(url, "error", f"no answer before the run ended ({reason})")

    def line(self) -> str | None:
        return ledger_line(dict(self.counts)) if self.counts else None
