"""The published-items model shared by all archetypes: units (agencies), their column items, dates, ids, edits."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from simulator.sites import content

CST = timezone(timedelta(hours=8))

NEWS_TITLES = [
    "{agency}召开{year}年度政务公开工作推进会",
    "关于调整{agency}政府信息公开工作领导小组成员的通知",
    "{agency}开展“政府开放日”活动",
    "{agency}{year}年政务公开工作要点",
    "{agency}关于做好{year}年政府信息公开工作的通知",
    "{agency}组织开展政务公开业务培训",
]

_CONTAINER = re.compile(
    r"class=[\"']?(TRS_Editor|trs_editor_view|TRS_UEDITOR|Custom_UnionStyle)|id=[\"']?(zoom|UCAP-CONTENT)|<ucapcontent",
    re.I,
)


@dataclass
class Item:
    """One row of a column listing: a report (with its truth), a companion or a news item."""

    key: str
    kind: str  # "report" | "companion" | "news"
    title: str
    list_date: date  # shown in the listing and in meta PubDate (the real publish date)
    url_date: date  # used in the URL (sometimes months later: re-imported documents)
    truth: Any = None
    year: int | None = None
    form: str = "html"  # html | pdf | docx | html+pdf (reports only)
    body_html: str | None = None  # companions / news: the body fragment
    docid: int = 0
    edits: list[str] = field(default_factory=list)
    modified: datetime | None = None
    wap: bool = False  # a _wap mobile duplicate exists and is linked
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def last_modified(self) -> datetime:
        if self.modified:
            return self.modified
        return datetime(self.url_date.year, self.url_date.month, self.url_date.day, 10, 20, tzinfo=CST)

    def touch(self) -> None:
        now = datetime.now(UTC).replace(microsecond=0)
        self.modified = max(now, self.last_modified + timedelta(seconds=1))


@dataclass
class Unit:
    """One agency's 年报 column on a site."""

    site_id: str
    slug: str  # globally unique across simulated sites; also the registry slug
    name: str
    items: list[Item] = field(default_factory=list)
    encoding: str = "utf-8"
    extra: dict[str, Any] = field(default_factory=dict)

    def ordered(self) -> list[Item]:
        """Newest first, as listings show them."""
        return sorted(self.items, key=lambda i: (i.list_date, i.docid), reverse=True)

    def reports(self) -> list[Item]:
        return [i for i in self.items if i.kind == "report"]

    def report(self, year: int) -> Item:
        for item in self.items:
            if item.kind == "report" and item.year == year:
                return item
        raise KeyError(f"{self.slug} has no report for {year}")


def build_unit_items(
    unit: Unit,
    truths: list[Any],
    rng: random.Random,
    *,
    forms: dict[int, str] | None = None,
    reimported: set[int] | frozenset[int] = frozenset(),
    companion_years: set[int] | frozenset[int] | None = None,
    news: int = 0,
) -> None:
    """Fill a unit with its reports, their companions (for `companion_years`, default all) and news filler."""
    for truth in truths:
        published = date.fromisoformat(truth.publish_date)
        url_date = published + timedelta(days=rng.randint(90, 200)) if truth.year in reimported else published
        unit.items.append(
            Item(
                key=f"{unit.slug}/{truth.year}",
                kind="report",
                title=truth.title,
                list_date=published,
                url_date=url_date,
                truth=truth,
                year=truth.year,
                form=(forms or {}).get(truth.year, truth.source_format),
            )
        )
        if companion_years is not None and truth.year not in companion_years:
            continue
        for n, comp in enumerate(content.companions(unit.name, truth.year)):
            day = date.fromisoformat(comp.publish_date)
            unit.items.append(
                Item(
                    key=f"{unit.slug}/{truth.year}/c{n}",
                    kind="companion",
                    title=comp.title,
                    list_date=day,
                    url_date=day,
                    year=truth.year,
                    body_html=comp.body_html,
                    extra={"companion_kind": comp.kind},
                )
            )
    years = [t.year for t in truths] or [2023]
    for n in range(news):
        year = rng.choice(years) + 1
        day = date(year, rng.randint(4, 12), rng.randint(1, 28))
        title = rng.choice(NEWS_TITLES).format(agency=unit.name, year=year)
        unit.items.append(
            Item(
                key=f"{unit.slug}/news{n}",
                kind="news",
                title=title,
                list_date=day,
                url_date=day,
                body_html=news_body(unit.name, day),
            )
        )


def assign_docids(items: list[Item], rng: random.Random, start: int) -> int:
    """Site-global increasing ids in URL-date order; returns the next free id."""
    docid = start
    for item in sorted(items, key=lambda i: (i.url_date, i.key)):
        docid += rng.randint(3, 400)
        item.docid = docid
    return docid + 1


def news_body(agency: str, day: date) -> str:
    return (
        f'<p style="text-indent:2em;">{day:%Y年%m月%d日}，{agency}召开会议，研究部署政务公开工作。</p>'
        '<p style="text-indent:2em;">会议要求，各股室要严格落实政府信息公开工作要求。</p>'
    )


def apply_edits(html: str, edits: list[str]) -> str:
    """Insert edit paragraphs inside the article body container (after its first paragraph)."""
    if not edits:
        return html
    added = "".join(f"<p>{e}</p>" for e in edits)
    m = _CONTAINER.search(html)
    start = m.end() if m else 0
    close = html.find("</p>", start)
    if close < 0:
        idx = html.rfind("</body>")
        return html[:idx] + added + html[idx:] if idx >= 0 else html + added
    close += len("</p>")
    return html[:close] + added + html[close:]


def edited_bytes(data: bytes, edits: list[str]) -> bytes:
    """Attachments cannot be re-rendered with edits: append a trailer so the bytes (and ETag) change."""
    if not edits:
        return data
    return data + b"\n%" + "|".join(edits).encode("utf-8") + b"\n"
