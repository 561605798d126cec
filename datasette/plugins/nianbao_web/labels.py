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
    "relevance": "相关度（最高 100）",
    "q": "检索词",
    "publish_date": "发布日期",
    "days_late": "逾期天数",
    "deadline": "法定期限",
    "deadline_rule": "适用规定",
    "publisher_kind": "机关类型",
    "on_time": "是否按期",
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
    "row_code": "行代码",
    "capture_id": "来源存档",
    "src_table": "出处：表格",
    "src_row": "出处：行",
    "src_col": "出处：列",
    "src_page": "出处：页码",
    "ocr_confidence": "OCR 置信度",
    "content_hash": "正文哈希",
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


# Names of the tables and views, for crumbs, related-row lists and facets.
TABLE_LABELS: dict[str, str] = {
    "reports": "年度报告",
    "sections": "报告正文各部分",
    "statistics": "统计表数字",
    "checks": "核验",
    "sites": "站点",
    "agencies": "机关",
    "captures": "存档",
    "documents": "文档",
    "crawl_runs": "抓取批次",
    "site_health": "站点健康状况",
    "fetches": "请求日志",
    "crawl_events": "抓取事件",
    "capture_id": "来源存档",
    "src_table": "出处：表格",
    "src_row": "出处：行",
    "src_col": "出处：列",
    "src_page": "出处：页码",
    "ocr_confidence": "OCR 置信度",
    "report_id": "报告",
}

RULE_LABELS: dict[str, str] = {
    "table3.balance": "表三：新收 + 上年结转 = 办理结果总计 + 结转下年",
    "table3.row_totals": "表三：各类申请人之和 = 总计",
    "table3.results_sum": "表三：各项办理结果之和 = 办理结果总计",
    "table4.block_totals": "表四：维持 + 纠正 + 其他 + 尚未审结 = 总计",
    "text.applications": "正文所述申请数与表三一致",
    "meta.period_year": "标题年度与统计期一致",
    "meta.format_year": "统计表格式与年度相符",
}

# column -> stored value -> what a reader sees (exports keep the stored value).
VALUE_LABELS: dict[str, dict[str, str]] = {
    "parse_status": {
        "ok": "完整读取",
        "partial": "部分读取",
        "failed": "未能读取",
        "needs_ocr": "需要文字识别（图片）",
    },
    "format": {"2021": "2021 版格式", "2019": "2019 版格式", "other": "其他格式"},
    "table_name": {"table2": "表二 主动公开", "table3": "表三 依申请公开", "table4": "表四 复议诉讼"},
    "rule": RULE_LABELS,
    "ok": {"1": "通过", "0": "未通过"},
    "health": {
        "ok": "正常",
        "warning": "警告",
        "failed": "失败",
        "blocked": "被拦截",
        "never crawled": "从未抓取",
    },
    "kind": {
        "listing": "栏目页",
        "report": "报告",
        "attachment": "附件",
        "discovery": "目录页",
        "robots": "robots.txt",
        "other": "其他",
        "page": "网页",
    },
    "source_format": {"html": "网页", "text": "文本", "pdf": "PDF", "docx": "Word", "doc": "Word（旧版）"},
}
YES_NO_COLUMNS = {"verified", "needs_attention", "is_latest", "blank", "table_is_image", "published_late"}


def value_label(value: object, column: str, code_label: object = None) -> str:
    """What a reader sees for a stored code (a facet value, a cell); the value itself when it is no code."""
    text = "" if value is None else str(value)
    if column in YES_NO_COLUMNS and text in ("0", "1"):
        return "是" if text == "1" else "否"
    known = VALUE_LABELS.get(column, {}).get(text)
    if known:
        return known
    if column in ("row_code", "col_code") and callable(code_label):
        for table in ("table3", "table4", "table2"):
            label = code_label(table, text)
            if label:
                return label
    return text


# Datasette's filter operators as shown in the filter row.
LOOKUP_LABELS: dict[str, str] = {
    "=": "等于",
    "!=": "不等于",
    "contains": "包含",
    "ends with": "结尾是",
    "starts with": "开头是",
    ">": "大于",
    "\u2265": "大于或等于",
    "<": "小于",
    "\u2264": "小于或等于",
    "like": "匹配（like）",
    "not like": "不匹配（not like）",
    "glob": "匹配（glob）",
    "in": "属于（逗号分隔）",
    "not in": "不属于（逗号分隔）",
    "array contains": "列表包含",
    "array does not contain": "列表不包含",
    "date": "日期为",
    "is null": "为空（null）",
    "is not null": "不为空",
    "is blank": "为空白",
    "is not blank": "不为空白",
}
