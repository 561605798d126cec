"""Nianbao's Scrapy spiders, one per CMS archetype, keyed by the registry's `cms` field."""

from __future__ import annotations

from typing import TYPE_CHECKING

from spiders.base import NianbaoSpider

if TYPE_CHECKING:
    from crawler.registry import Site


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


def spider_for_site(site: Site) -> type[NianbaoSpider]:
    """The spider class for a site; a site whose agencies override `cms` gets a class mixing those platforms."""
    kinds = [site.cms, *sorted({a.cms for a in site.agencies if a.cms and a.cms != site.cms})]
    if len(kinds) == 1:
        return spider_for(site.cms)
    from spiders.mixed import MixedSpider

    platforms = {cms: spider_for(cms) for cms in kinds}
    bases = (MixedSpider, *dict.fromkeys(platforms.values()))
    return type(f"Mixed_{'_'.join(kinds)}", bases, {"platforms": platforms, "cms": site.cms, "name": "mixed"})
