"""Article-page extraction for the crawler: body text (for change detection), title, date and attachment links."""

from __future__ import annotations

import hashlib
import html as html_lib
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from parsel import Selector

from crawler.crawl.reports import ATTACHMENT_EXTENSIONS, is_attachment_url

BODY_SELECTORS = (
    "#zoom",
    ".TRS_Editor",
    ".TRS_UEDITOR",
    ".trs_editor_view",
    "#UCAP-CONTENT",
    "ucapcontent",
    ".pages_content",
    ".article_content",
    "#ivs_content",
    ".article-content",
    "#vsb_content",
    ".v_news_content",
    "#content",
    ".content",
    "article",
)
_DOC_WRITE_HREF = re.compile(
    r"""href\s*=\s*\\?["']([^"'\\]+\.(?:pdf|docx?|xlsx?|wps|et|ofd|zip|rar))\\?["']""", re.I
)
_VOLATILE = re.compile(
    r"(浏览次数|访问量|阅读次数|点击数|访问次数|浏览量|阅读量)\s*[:：]?\s*\d+|\d{4}-\d{2}-\d{2}\s+\d{2}:\d{2}(:\d{2})?"
)


@dataclass
class Article:
    """What the crawler needs from a report page (the normalizer does the real parsing later)."""

    title: str | None
    pub_date: str | None
    text: str
    images: list[str] = field(default_factory=list)
    attachments: list[tuple[str, str]] = field(default_factory=list)  # (absolute URL, link text)

    @property
    def content_hash(self) -> str:
        return content_hash(self.text, self.images, [u for u, _ in self.attachments])


def content_hash(text: str, images: list[str] | None = None, links: list[str] | None = None) -> str:
    """Hash of normalized content: whitespace and volatile counters/timestamps removed."""
    norm = re.sub(r"\s+", "", _VOLATILE.sub("", text))
    extra = "\n".join(sorted(set(images or [])) + sorted(set(links or [])))
    return hashlib.sha256(f"{norm}\n--\n{extra}".encode()).hexdigest()


def bytes_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


_TEXT = ".//text()[not(ancestor::script) and not(ancestor::style)]"


def _raw_text(node: Selector) -> str:
    # straight from lxml: parsel's ::text would wrap every text node in a Selector (most of the cost)
    root = node.root
    return root.xpath("string()") if hasattr(root, "xpath") else str(root)


def _body_node(sel: Selector) -> Selector:
    for css in BODY_SELECTORS:
        nodes = sel.css(css)
        if nodes:
            lengths = [len(_raw_text(n)) for n in nodes]
            best = nodes[lengths.index(max(lengths))]
            if _raw_text(best).strip() or best.css("img"):
                return best
    body = sel.css("body")
    return body[0] if body else sel


def node_text(node: Selector) -> str:
    root = node.root
    parts = root.xpath(_TEXT) if hasattr(root, "xpath") else [str(root)]
    return re.sub(r"\s+", " ", " ".join(parts)).strip()


def extract_article(html: str, url: str) -> Article:
    """Body text, images and attachment links of an article page (TRS/Hanweb/UCAP/VSB markup)."""
    sel = Selector(text=html)
    title = (
        sel.css('meta[name="ArticleTitle"]::attr(content)').get()
        or sel.css("h1::text").get()
        or sel.css("title::text").get()
    )
    pub_date = (
        sel.css('meta[name="PubDate"]::attr(content)').get()
        or sel.css('meta[name="Maketime"]::attr(content)').get()
    )
    node = _body_node(sel)
    text = node_text(node)
    images = [urljoin(url, s) for s in node.css("img::attr(src)").getall() if s.strip()]
    return Article(
        title=title.strip() if title else None,
        pub_date=pub_date.strip() if pub_date else None,
        text=text,
        images=images,
        attachments=attachment_links(sel, url, node),
    )


ATTACHMENT_BLOCKS = (".article_attachment", ".insertfileTag", ".attachment", ".fujian", "#fujian", ".xgfj")


def attachment_links(sel: Selector, url: str, body: Selector | None = None) -> list[tuple[str, str]]:
    """Attachment links in the body and attachment blocks, including <script>document.write() ones."""
    found: dict[str, str] = {}
    scopes = [body if body is not None else sel] + [n for css in ATTACHMENT_BLOCKS for n in sel.css(css)]
    anchors = [a for scope in scopes for a in scope.css("a[href]")]
    for a in anchors:
        href = (a.attrib.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        absolute = urljoin(url, href)
        if is_attachment_url(absolute):
            label = a.root.xpath("normalize-space()") or a.attrib.get("title", "")
            found.setdefault(absolute, label)
    for script in sel.css("script::text").getall():
        if "document.write" not in script:
            continue
        for href in _DOC_WRITE_HREF.findall(script):
            absolute = urljoin(url, html_lib.unescape(href))
            if absolute.lower().endswith(ATTACHMENT_EXTENSIONS):
                found.setdefault(absolute, "")
    return list(found.items())
