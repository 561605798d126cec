"""Archetype placeholder for hanweb (filled in below)."""

from __future__ import annotations

from spiders.base import NianbaoSpider


class HanwebSpider(NianbaoSpider):
    name = "hanweb"
    cms = "hanweb"
