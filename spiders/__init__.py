"""Nianbao's Scrapy spiders, one per CMS archetype, keyed by the registry's `cms` field."""

from __future__ import annotations

from spiders.base import NianbaoSpider


def spider_for(cms: str) -> type[NianbaoSpider]:
    """The spider class for a registry `cms` kind (unknown kinds fall back to the generic static spider)."""
    from spiders.gkmlpt import GkmlptSpider
    from spiders.hanweb import HanwebSpider
    from spiders.static import StaticSpider
    from spiders.trs import TrsSpider
    from spiders.ucap import UcapSpider

    classes: dict[str, type[NianbaoSpider]] = {
        "trs": TrsSpider,
        "hanweb": HanwebSpider,
        "ucap": UcapSpider,
        "gkmlpt": GkmlptSpider,
        "static": StaticSpider,
    }
    return classes.get(cms, StaticSpider)
