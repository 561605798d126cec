"""Full CMS article pages (TRS WCM, Hanweb, UCAP, gkmlpt fragment) carrying a report or an attachment stub."""

from __future__ import annotations

import html
import zlib
from dataclasses import dataclass

from .html_body import body_html
from .truth import ReportTruth

SITE_NAME = "中卫市沙坡头区人民政府"
SITE_DOMAIN = "www.spt.gov.cn"
SITE_ID = "6405020001"


@dataclass(frozen=True)
class Site:
    """The portal whose chrome (title suffix, metas, header, footer) wraps the article."""

    name: str = SITE_NAME
    domain: str = SITE_DOMAIN
    code: str = SITE_ID


SPT = Site()
COLUMN_NAME = "信息公开年报"

CMS_KINDS = ("trs", "hanweb", "ucap", "gkmlpt")


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def article_id(truth: ReportTruth) -> int:
    """A stable 7-digit document id for a report (same every run)."""
    return 3_900_000 + zlib.crc32(truth.key.encode()) % 1_200_000


def index_no(truth: ReportTruth) -> str:
    """索引号 as printed in the xxgk metadata table."""
    unit = zlib.crc32(truth.agency_slug.encode()) % 900 + 100
    return f"640502{unit}/{truth.publish_date[:4]}-{article_id(truth) % 100000:05d}"


def pub_time(truth: ReportTruth) -> str:
    """The PubDate meta value ("YYYY-MM-DD HH:MM"), stable per report."""
    minute = article_id(truth) % 50 + 5
    return f"{truth.publish_date} {9 + article_id(truth) % 8:02d}:{minute:02d}"


def _charset_meta(encoding: str, charset_style: str = "http-equiv", declared: str | None = None) -> str:
    """The charset declaration: ``charset_style`` "http-equiv", "meta" or "none"; ``declared`` may lie."""
    name = declared or ("gb2312" if encoding == "gbk" else "utf-8")
    if charset_style == "none":
        return ""
    if charset_style == "meta":
        return f'<meta charset="{name}">'
    if encoding == "gbk" or declared:
        return f'<meta http-equiv="Content-Type" content="text/html; charset={name}">'
    return f'<meta charset="{name}">\n<meta http-equiv="Content-Type" content="text/html; charset={name}">'


def _std_metas(truth: ReportTruth, url: str | None, column: str, site: Site) -> str:
    metas = [
        ("SiteName", site.name),
        ("SiteDomain", site.domain),
        ("SiteIDCode", site.code),
        ("ColumnName", column),
        ("ColumnType", "信息公开年报"),
        ("ArticleTitle", truth.title),
        ("PubDate", pub_time(truth)),
        ("ContentSource", truth.publisher or truth.agency),
        ("Keywords", "政府信息公开,年度报告"),
        ("Description", truth.title),
    ]
    if url:
        metas.append(("Url", url))
    return "\n".join(f'<meta name="{k}" content="{_e(v)}">' for k, v in metas)


_HEADER = (
    '<div class="header"><div class="top_bar"><span>欢迎访问{site}</span>'
    '<a href="/">首页</a> | <a href="javascript:;">无障碍</a> | <a href="javascript:;">长者模式</a></div>'
    '<div class="logo"><img src="/images/logo.png" alt="{site}"></div>'
    '<ul class="nav"><li><a href="/">首页</a></li><li><a href="/xxgk/">政务公开</a></li>'
    '<li><a href="/zwfw/">政务服务</a></li><li><a href="/hdjl/">互动交流</a></li>'
    '<li><a href="/zjspt/">走进沙坡头</a></li></ul></div>'
)
_FOOTER = (
    '<div class="footer"><p>主办单位：{site}办公室</p>'
    '<p>网站标识码：{sid}　<a href="https://beian.miit.gov.cn/">宁ICP备05001234号</a>　'
    '<img src="/images/gaba.png">宁公网安备 64050202000123号</p>'
    '<p><a href="http://bszs.conac.cn/sitename?method=show&amp;id=0A1B2C3D"><img src="/images/red.png"></a></p>'
    '<script id="_jiucuo_" sitecode="{sid}" src="http://pucha.kaipuyun.cn/exposure/jiucuo.js"></script></div>'
)


def _xxgk_table(truth: ReportTruth) -> str:
    rows = [
        ("索引号：", index_no(truth), "主题分类：", "政务公开"),
        ("发布机构：", truth.publisher or truth.agency, "发文字号：", ""),
        ("成文日期：", truth.publish_date, "发布日期：", truth.publish_date),
        ("名　　称：", truth.title, "有效性：", "有效"),
    ]
    trs = "".join(
        f'<tr><td class="t1">{a}</td><td class="t2">{_e(b)}</td><td class="t1">{c}</td><td class="t2">{_e(d)}</td></tr>'
        for a, b, c, d in rows
    )
    return f'<table class="xxgk_table" cellspacing="0" cellpadding="0"><tbody>{trs}</tbody></table>'


def _trs_page(truth: ReportTruth, body: str, charset: str, url: str | None, column: str, site: Site) -> str:
    return f"""<!DOCTYPE html>
<html>
<head>
{charset}
<title>{_e(truth.title)}_{column}_{site.name}</title>
{_std_metas(truth, url, column, site)}
<link rel="stylesheet" href="../../../../images/common.css">
<script src="../../../../js/jquery-1.12.4.min.js"></script>
</head>
<body>
{_HEADER.format(site=site.name)}
<div class="position">您现在的位置是：<a href="../../../../" class="CurrChnlCls">首页</a>&nbsp;&gt;&gt;&nbsp;<a href="../../../" class="CurrChnlCls">信息公开</a>&nbsp;&gt;&gt;&nbsp;<a href="../../" class="CurrChnlCls">{_e(truth.agency)}</a>&nbsp;&gt;&gt;&nbsp;<a href="../" class="CurrChnlCls">{column}</a></div>
<div class="xxgk_detail">
{_xxgk_table(truth)}
<div class="article">
<h1 class="article_title">{_e(truth.title)}</h1>
<div class="article_info"><span>发布时间：{pub_time(truth)}</span>　<span>来源：{_e(truth.publisher or truth.agency)}</span>　<span class="zh">字号：<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a></span></div>
<div class="article_content">
<div class="TRS_Editor"><style type="text/css">.TRS_Editor P{{margin-top:0px;margin-bottom:0px;line-height:2;font-family:宋体;font-size:12pt;}}</style><div class="Custom_UnionStyle">
{body}
</div></div>
</div>
<div class="article_attachment"></div>
<div class="article_btn"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>
</div>
</div>
{_FOOTER.format(sid=site.code, site=site.name)}
</body>
</html>
"""


def _hanweb_page(
    truth: ReportTruth, body: str, charset: str, url: str | None, column: str, site: Site
) -> str:
    aid = article_id(truth)
    source = _e(truth.publisher or truth.agency)
    return f"""<!DOCTYPE html>
<html>
<head>
{charset}
<title>{site.name} {column} {_e(truth.title)}</title>
<meta name='Maketime' content='{pub_time(truth)}:00'>
{_std_metas(truth, url, column, site)}
<meta name="i_columnid" content="{50000 + zlib.crc32(truth.agency_slug.encode()) % 9000}">
<meta name="i_articleid" content="{aid}">
<script src="/module/jslib/jquery/jquery.js"></script>
</head>
<body>
{_HEADER.format(site=site.name)}
<table width="100%" class="bt_table"><tr><td class="title">{_e(truth.title)}</td></tr>
<tr><td class="info">发布日期：{truth.publish_date}　信息来源：<!--<$[信息来源]>begin-->{source}<!--<$[信息来源]>end-->　浏览次数：<script>_showDynClicks("wbnews", 1, {aid})</script></td></tr></table>
<div id="zoom"><!--<$[信息内容]>begin--><!--ZJEG_RSS.content.begin--><meta name="ContentStart">
{body}
<meta name="ContentEnd"><!--ZJEG_RSS.content.end--><!--<$[信息内容]>end--></div>
{_FOOTER.format(sid=site.code, site=site.name)}
</body>
</html>
"""


def _ucap_page(truth: ReportTruth, body: str, charset: str, url: str | None, column: str, site: Site) -> str:
    return f"""<!DOCTYPE html>
<html>
<head>
{charset}
<title>{_e(truth.title)}</title>
{_std_metas(truth, url, column, site)}
</head>
<body>
{_HEADER.format(site=site.name)}
<table class="policyLibraryOverview_header"><tbody>
<tr><td class="left">索 引 号：</td><td>{index_no(truth)}</td><td class="left">主题分类：</td><td>政务公开</td></tr>
<tr><td class="left">发文机关：</td><td>{_e(truth.publisher or truth.agency)}</td><td class="left">成文日期：</td><td>{truth.publish_date}</td></tr>
<tr><td class="left">标　　题：</td><td colspan="3">{_e(truth.title)}</td></tr>
<tr><td class="left">发文字号：</td><td></td><td class="left">发布日期：</td><td>{truth.publish_date}</td></tr>
</tbody></table>
<div class="pages-title">{_e(truth.title)}</div>
<div id="UCAP-CONTENT"><div class="trs_editor_view TRS_UEDITOR trs_paper_default trs_word">
{body}
</div></div>
{_FOOTER.format(sid=site.code, site=site.name)}
</body>
</html>
"""


_PAGES = {"trs": _trs_page, "hanweb": _hanweb_page, "ucap": _ucap_page}


def _encode(text: str, encoding: str) -> bytes:
    return text.encode("gbk" if encoding == "gbk" else "utf-8", errors="xmlcharrefreplace")


def render_body_html(truth: ReportTruth, *, cms: str = "trs") -> str:
    """Only the article body (what sits inside the CMS content container), as text."""
    if cms not in CMS_KINDS:
        raise ValueError(f"unknown cms {cms!r}")
    indent = "\u3000\u3000" if cms in ("trs", "gkmlpt") else ""
    table_class = "MsoTableGrid" if cms == "hanweb" else "MsoNormalTable"
    return body_html(truth, indent=indent, table_class=table_class)


def render_article_html(
    truth: ReportTruth,
    *,
    cms: str = "trs",
    encoding: str | None = None,
    url: str | None = None,
    column: str = COLUMN_NAME,
    charset_style: str = "http-equiv",
    declared_charset: str | None = None,
    site: Site = SPT,
) -> bytes:
    """A whole article page for ``cms`` ("trs", "hanweb", "ucap"); "gkmlpt" returns the body fragment only.

    ``encoding`` ("utf-8" | "gbk") defaults to ``truth.encoding``. By default GBK pages declare gb2312 only in
    a ``<meta http-equiv>``; ``charset_style="meta"`` gives ``<meta charset=…>``, "none" declares nothing, and
    ``declared_charset`` declares a (possibly wrong) charset name regardless of the real encoding.
    ``site`` sets the portal chrome (name, domain, 网站标识码) without touching the report text.
    """
    enc = encoding or truth.encoding
    body = render_body_html(truth, cms=cms)
    if cms == "gkmlpt":
        return body.encode("utf-8")
    charset = _charset_meta(enc, charset_style, declared_charset)
    return _encode(_PAGES[cms](truth, body, charset, url, column, site), enc)


def render_attachment_stub_html(
    truth: ReportTruth,
    attachment_href: str,
    cms: str = "trs",
    *,
    encoding: str | None = None,
    url: str | None = None,
    column: str = COLUMN_NAME,
    charset_style: str = "http-equiv",
    declared_charset: str | None = None,
    site: Site = SPT,
) -> bytes:
    """An article page whose body is only "详见附件" and a link to the report file at ``attachment_href``."""
    enc = encoding or truth.encoding
    ext = attachment_href.rsplit(".", 1)[-1].lower() if "." in attachment_href.rsplit("/", 1)[-1] else "pdf"
    name = _e(f"{truth.title}.{ext}")
    href = _e(attachment_href)
    if cms == "hanweb":
        link = f'<p><a href="{href}" target="_blank">{name}</a></p>'
    else:
        link = (
            f'<p class="insertfileTag" style="line-height:16px;"><img src="/images/icon_{ext}.gif">'
            f'<a appendix="true" href="{href}" download="{name}">{name}</a></p>'
        )
    body = (
        '<p class="MsoNormal" style="text-indent:32pt"><span style="font-family:仿宋_GB2312;font-size:16pt;">'
        f"详见附件。</span></p>\n<p>附件：</p>\n{link}"
    )
    if cms == "gkmlpt":
        return body.encode("utf-8")
    if cms not in _PAGES:
        raise ValueError(f"unknown cms {cms!r}")
    charset = _charset_meta(enc, charset_style, declared_charset)
    return _encode(_PAGES[cms](truth, body, charset, url, column, site), enc)
