"""Which images of a report page to archive: those the parser would OCR as the report's tables.

A report page whose statistics tables are published as `<img>` is read by the parser's OCR only when it is
given the images' bytes. The crawler asks the parser's own HTML reader (`html_source.table_image_srcs`) for them, so
both agree on what the report body is: images are fetched only when the body holds no report table and the
reader marks the tables as images. Site chrome that can sit inside a body container (logos, icons, banners,
attachment-type icons, QR codes, counters) is left out by name; at most `MAX_IMAGES_PER_PAGE` are fetched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from crawler.parse.html_source import table_image_srcs

MAX_IMAGES_PER_PAGE = 12  # a report has 3 tables; a page printed as images page by page rarely has more
_CHROME = re.compile(
    r"(logo|icon|ico[_\-.\d]|banner|btn|button|arrow|qrcode|ewm|erweima|wx|weixin|weibo|share|print|close|"
    r"gaba|beian|conac|/red\.png|jiucuo|blank|spacer|loading|bg[_\-.\d]|line[_\-.\d]|dot[_\-.\d])",
    re.I,
)
_SCHEMES = ("http", "https")


@dataclass
class PageImages:
    """The body images to fetch (absolute URLs, as the page resolves them) and what was left out."""

    urls: list[str] = field(default_factory=list)
    chrome: list[str] = field(default_factory=list)  # left out by name (logos, icons …)
    capped: list[str] = field(default_factory=list)  # past MAX_IMAGES_PER_PAGE


def is_chrome(url: str) -> bool:
    """True for an image whose path names site chrome (logo, icon, banner, button, QR code, filing badge)."""
    return bool(_CHROME.search(urlsplit(url).path))


def report_images(html: str, page_url: str, limit: int = MAX_IMAGES_PER_PAGE) -> PageImages:
    """The images a report page shows in place of its tables, resolved against the page URL."""
    found = PageImages()
    seen: set[str] = set()
    for src in table_image_srcs(html):
        url = urljoin(page_url, src)
        if url in seen or urlsplit(url).scheme not in _SCHEMES:
            continue  # data: URIs carry their bytes in the page itself; nothing to fetch
        seen.add(url)
        if is_chrome(url):
            found.chrome.append(url)
        elif len(found.urls) >= limit:
            found.capped.append(url)
        else:
            found.urls.append(url)
    return found
