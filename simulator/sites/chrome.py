"""Site chrome shared by the archetypes: national meta tags, header, breadcrumb, footer with 网站标识码."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Brand:
    """What a site says about itself in metas and footer."""

    site_name: str
    domain: str
    site_code: str  # 网站标识码 (10 chars, first 6 = 行政区划码)
    icp: str = "宁ICP备05001234号"
    sponsor: str = ""


def head(brand: Brand, title: str, *, column: str = "", charset: str = "utf-8", extra: str = "") -> str:
    metas = [
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">',
        f'<meta name="SiteName" content="{escape(brand.site_name)}">',
        f'<meta name="SiteDomain" content="{brand.domain}">',
        f'<meta name="SiteIDCode" content="{brand.site_code}">',
    ]
    if column:
        metas += [
            f'<meta name="ColumnName" content="{escape(column)}">',
            f'<meta name="ColumnDescription" content="{escape(column)}">',
            f'<meta name="ColumnKeywords" content="{escape(column)}">',
            f'<meta name="ColumnType" content="{escape(column)}">',
        ]
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n"
        + "\n".join(metas)
        + f"\n<title>{escape(title)}</title>\n"
        + '<link rel="stylesheet" type="text/css" href="/images/common.css">\n'
        + extra
        + "</head>\n"
    )


def header(brand: Brand, nav: list[tuple[str, str]]) -> str:
    links = "".join(f'<li><a href="{href}">{escape(text)}</a></li>' for text, href in nav)
    return (
        '<div class="header"><div class="logo"><a href="/"><img src="/images/logo.png" alt="'
        + escape(brand.site_name)
        + f'"></a></div><ul class="nav">{links}</ul></div>\n'
    )


def breadcrumb(parts: list[tuple[str, str]]) -> str:
    inner = "&nbsp;&gt;&gt;&nbsp;".join(
        f'<a href="{href}" class="CurrChnlCls">{escape(t)}</a>' for t, href in parts
    )
    return f'<div class="pos">您现在的位置是：{inner}</div>\n'


def footer(brand: Brand) -> str:
    sponsor = brand.sponsor or brand.site_name
    return (
        '<div class="footer"><p>主办单位：'
        + escape(sponsor)
        + f"</p><p><span>网站标识码：{brand.site_code}</span> <span>{brand.icp}</span> "
        + '<span><a href="http://www.beian.gov.cn/" target="_blank">公安备案号：64050202000123</a></span></p>'
        + '<span id="_ideConac"><img src="/images/red.png" alt="党政机关"></span>'
        + f'<script id="_jiucuo_" sitecode="{brand.site_code}" src="http://pucha.kaipuyun.cn/exposure/jiucuo.js"></script>'
        + "</div>\n"
    )


def page(
    brand: Brand,
    title: str,
    body: str,
    *,
    column: str = "",
    charset: str = "utf-8",
    nav: list[tuple[str, str]] | None = None,
    extra_head: str = "",
) -> str:
    return (
        head(brand, title, column=column, charset=charset, extra=extra_head)
        + "<body>\n"
        + header(brand, nav or [("首页", "/")])
        + body
        + footer(brand)
        + "</body>\n</html>\n"
    )


_CONTAINERS = {
    "trs": ('<div class="TRS_Editor"><div class="Custom_UnionStyle">', "</div></div>"),
    "hanweb": (
        '<div id="zoom"><!--<$[信息内容]>begin--><!--ZJEG_RSS.content.begin--><meta name="ContentStart">',
        '<meta name="ContentEnd"><!--ZJEG_RSS.content.end--><!--<$[信息内容]>end--></div>',
    ),
    "ucap": ('<div id="UCAP-CONTENT"><div class="trs_editor_view TRS_UEDITOR">', "</div></div>"),
}


def article(
    brand: Brand,
    title: str,
    pub_date: str,
    source: str,
    body_html: str,
    *,
    cms: str = "trs",
    column: str = "信息公开年报",
    charset: str = "utf-8",
) -> str:
    """A non-report article page (companion, notice, news) in the CMS's usual body container."""
    metas = (
        f'<meta name="ArticleTitle" content="{escape(title)}">\n'
        f'<meta name="PubDate" content="{pub_date} 10:00">\n'
        f'<meta name="ContentSource" content="{escape(source)}">\n'
    )
    start, end = _CONTAINERS[cms]
    body = (
        f'<div class="article"><h1 class="article_title">{escape(title)}</h1>'
        f'<div class="article_info"><span>发布时间：{pub_date}</span>　<span>来源：{escape(source)}</span></div>\n'
        f"{start}\n{body_html}\n{end}</div>\n"
    )
    return page(brand, f"{title}_{column}", body, column=column, charset=charset, extra_head=metas)
