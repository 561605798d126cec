"""Short Chinese column labels for table and query headers (the English column name stays underneath)."""

from __future__ import annotations

import re
from collections.abc import Mapping

# Columns of the canned queries and their parameters; table columns fall back to their metadata descriptions.
LABELS: dict[str, str] = {
    "report_id": "报告",
    "title": "标题",
    "agency": "机关",
    "agency_id": "机关编号",
    "year": "年度",
    "province": "省",
    "city": "市",
    "district": "区县",
    "region": "地区",
    "format": "表格格式",
    "excerpt": "摘录",
    "relevance": "相关度",
    "q": "检索词",
    "publish_date": "发布日期",
    "days_late": "逾期天数",
    "column_url": "年报栏目",
    "new_received": "新收申请",
    "carried_over": "上年结转",
    "granted": "予以公开",
    "partially_granted": "部分公开",
    "denied": "不予公开",
    "unable": "无法提供",
    "declined": "不予处理",
    "other_handling": "其他处理",
    "results_total": "办理结果总计",
    "carried_forward": "结转下年",
    "row_code": "代码",
    "label": "理由",
    "applications": "申请（件）",
    "reports": "报告数",
    "review_total": "复议总数",
    "review_corrected": "复议纠正",
    "review_upheld": "复议维持",
    "litigation_total": "诉讼总数",
    "litigation_corrected": "诉讼纠正",
    "litigation_upheld": "诉讼维持",
    "agency_lost": "被纠正合计",
    "rule": "核验规则",
    "detail": "说明",
    "cells": "涉及单元格",
    "applications_received": "新收申请（件）",
    "previous_year": "上一年度",
    "change": "变化",
    "change_pct": "变化 %",
    "agencies": "机关数",
    "published_late": "逾期发布",
    "reports_with_failed_checks": "核验未通过的报告",
    "version": "版本",
    "versions": "版本数",
    "document_url": "网址",
    "first_seen": "首次发现",
    "last_checked": "最近检查",
    "table_name": "表",
    "col_code": "列代码",
    "row_name": "行",
    "col_name": "列",
    "value": "数值",
    "value_text": "原文",
    "blank": "空白",
    "row_label": "原文行标题",
    "col_label": "原文列标题",
    "checks_failed": "核验未通过",
    "source_url": "原文网址",
    "parse_status": "解析状态",
    "id": "编号",
    "region_code": "区划代码",
    "is_latest": "最新版本",
    "site_id": "站点",
    "source_format": "原文格式",
    "errors": "解析问题",
    "warnings": "解析假设",
    "table_is_image": "表格为图片",
    "text": "全文",
    "search_text": "分词索引",
    "ok": "通过",
    "seq": "序号",
    "health": "健康状况",
    "needs_attention": "需处理",
    "status": "状态",
    "kind": "类型",
    "fetched_at": "抓取时间",
    "last_errors": "最近失败",
    "last_warnings": "最近警告",
    "last_ok_at": "最近成功",
    "verified": "已核实",
    "config": "注册表条目",
    "headers": "响应头",
    "body": "响应体",
    "link_text": "链接文字",
    "report_tables": "统计表",
}
_PARENS = re.compile(r"[（(][^）)]*[）)]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def short_label(description: str | None, limit: int = 8) -> str:
    """The Chinese half of a bilingual description ('发布机关 / Publishing agency' -> '发布机关'), if short."""
    if not description or " / " not in description:
        return ""
    zh = _PARENS.sub("", description.split(" / ", 1)[0]).strip().rstrip("：:")
    if not zh or len(zh) > limit or not _CJK.search(zh) or zh[0].isdigit() or "：" in zh:
        return ""
    return zh


def label_for(name: str, description: str | None = None, labels: Mapping[str, str] = LABELS) -> str:
    """A column's Chinese label: from its own description first, else the shared list; '' when none."""
    return short_label(description) or labels.get(name, "")
