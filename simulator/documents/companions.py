"""Look-alike and unrelated articles that share a 年报 column with the real reports (not reports)."""

from __future__ import annotations

import html
from dataclasses import dataclass


@dataclass(frozen=True)
class Companion:
    """One non-report article: title, publish date and a simple HTML body fragment."""

    title: str
    publish_date: str
    body_html: str
    kind: str  # "interpretation" | "infographic" | "notice" | "news"


def _p(text: str) -> str:
    return f'<p style="text-indent:2em;">{html.escape(text, quote=False)}</p>'


def companion_articles(agency: str, year: int) -> list[Companion]:
    """Articles a crawler must NOT take for ``agency``'s report on ``year`` (published in ``year + 1``)."""
    y1 = year + 1
    return [
        Companion(
            f"{agency}{year}年政府信息公开工作年度报告图文解读",
            f"{y1}-01-{28 if year % 2 else 27}",
            _p(f"为便于公众理解，现将{agency}{year}年政府信息公开工作年度报告以图文形式解读如下。")
            + f'<p style="text-align:center;"><img src="./W0{y1}0128000000000001.png" alt="图解{year}年报"></p>',
            "interpretation",
        ),
        Companion(
            f"一图读懂{agency}{year}年政府信息公开工作年度报告",
            f"{y1}-02-03",
            f'<p style="text-align:center;"><img src="./W0{y1}0203000000000002.jpg" alt="一图读懂"></p>',
            "infographic",
        ),
        Companion(
            f"关于做好{y1}年政务公开工作的通知",
            f"{y1}-03-12",
            _p("各相关单位：为深入贯彻落实政务公开工作要点，现就有关事项通知如下。")
            + _p("一、高度重视政府信息公开年度报告编制发布工作。二、按时报送工作总结。"),
            "notice",
        ),
        Companion(
            f"{agency}召开{year}年度政务公开工作推进会",
            f"{year}-11-{15 + year % 10}",
            _p(f"近日，{agency}召开政务公开工作推进会，总结{year}年工作，部署下一阶段任务。"),
            "news",
        ),
        Companion(
            f"文字解读：{agency}{year}年政府信息公开工作年度报告",
            f"{y1}-01-30",
            _p(f"{year}年，{agency}坚持以公开为常态，年度报告主要包括六个部分，现解读如下。"),
            "interpretation",
        ),
    ]
