"""Report detection, year extraction and URL canonicalization on real-world titles and URLs."""

from __future__ import annotations

import pytest

from crawler.crawl.reports import canonical_url, is_attachment_url, is_report_title, report_year


@pytest.mark.parametrize(
    "title",
    [
        "沙坡头区政务服务中心2024年政府信息公开工作年度报告",
        "平潭综合实验区2019年度政府信息公开工作年度报告",
        "沙坡头区政务服务中心 2024 年政府信息公开工作年度报告",
        "鄂尔多斯市2019年政府信息公开工作年度报告",
        "2023年鹿城区人民政府办公室政府信息公开工作年度报告",
        "大余县吉村镇人民政府2024年度政府信息公开年报",
        "沙坡头区自然资源局2022年政府信息公开工作年度报告（图片版）",
        "沙坡头区自然资源局2022年政府信息公开工作年度报告（超链版）",
        "舒兰市市场监督管理局2016年政务信息公开年度报告",
    ],
)
def test_report_titles(title: str) -> None:
    assert is_report_title(title)


@pytest.mark.parametrize(
    "title",
    [
        "一图读懂鹿城区人民政府办公室2024年政府信息公开工作年度报告",
        "文字解读：鹿城区人民政府办公室2024年政府信息公开工作年度报告",
        "鹿城区人民政府办公室2024年政府信息公开工作年度报告图文解读",
        "图解：2023年政府信息公开工作年度报告",
        "关于做好2024年政府信息公开工作年度报告编制和发布工作的通知",
        "中卫市沙坡头区2024年法治政府建设年度报告",
        "政府信息公开年报",  # the column name itself
        "关于做好2025年政务公开工作的通知",
        "恩格贝生态示范区召开2020年度工作会暨党风廉政建设会议",
    ],
)
def test_lookalikes_are_not_reports(title: str) -> None:
    assert not is_report_title(title)


def test_year_is_the_year_covered() -> None:
    assert report_year("平潭综合实验区2021年度政府信息公开工作年度报告") == 2021
    assert report_year("2022年大余县吉村镇人民政府政府信息公开工作年度报告") == 2022
    assert report_year("沙坡头区政务服务中心 2024 年政府信息公开工作年度报告") == 2024


def test_canonical_url_folds_duplicates() -> None:
    base = "http://www.spt.gov.cn/xxgk/xxgknb/202401/t20240125_4437998.html"
    assert canonical_url(base + "?utm_source=wechat&utm_medium=social") == base
    assert canonical_url(base + "?from=timeline&isappinstalled=0") == base
    assert canonical_url(base.replace(".html", "_wap.html")) == base
    assert canonical_url(base + "#top") == base
    hanweb = "http://x.gov.cn/module/download/downfile.jsp?filename=ab.pdf&classid=0"
    assert canonical_url(hanweb) == "http://x.gov.cn/module/download/downfile.jsp?classid=0&filename=ab.pdf"


def test_attachment_urls() -> None:
    assert is_attachment_url("http://a.gov.cn/xxgknb/202401/P020240808575593646209.pdf")
    assert is_attachment_url("http://a.gov.cn/module/download/downfile.jsp?filename=x.pdf")
    assert not is_attachment_url("http://a.gov.cn/xxgknb/202401/t20240808_1.html")
