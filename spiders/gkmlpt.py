"""Archetype placeholder for gkmlpt (filled in below)."""

from __future__ import annotations

from spiders.base import NianbaoSpider


class GkmlptSpider(NianbaoSpider):
    name = "gkmlpt"
    cms = "gkmlpt"
