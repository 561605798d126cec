"""The codes of report-json.md: rows and columns of tables 2–4 with their official labels, in print order."""

from __future__ import annotations

# ---- table 2 主动公开政府信息情况 ---------------------------------------------------------------------------
TABLE2_ROW_LABELS: dict[str, str] = {
    "regulations": "规章",
    "normative_documents": "行政规范性文件",
    "licensing": "行政许可",
    "other_management": "其他对外管理服务事项",
    "penalty": "行政处罚",
    "coercion": "行政强制",
    "fees": "行政事业性收费",
    "procurement": "政府集中采购",
}
TABLE2_COLUMN_LABELS: dict[str, str] = {
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
    "new_made": "本年新制作数量",
    "new_published": "本年新公开数量",
    "total_published": "对外公开总数量",
    "prior_year_items": "上一年项目数量",
    "change": "本年增/减",
    "decisions": "本年处理决定数量",
    "amount_10k_yuan": "本年收费金额（万元）",
    "items": "采购项目数量",
    "amount": "采购总金额",
}
_DOCUMENTS_2021 = ("issued", "repealed", "in_force")
_DOCUMENTS_2019 = ("new_made", "new_published", "total_published")
_MANAGEMENT_2019 = ("prior_year_items", "change", "decisions")
# format → row → its columns, in print order
TABLE2_LAYOUTS: dict[str, dict[str, tuple[str, ...]]] = {
    "2021": {
        "regulations": _DOCUMENTS_2021,
        "normative_documents": _DOCUMENTS_2021,
        "licensing": ("decisions",),
        "penalty": ("decisions",),
        "coercion": ("decisions",),
        "fees": ("amount_10k_yuan",),
    },
    "2019": {
        "regulations": _DOCUMENTS_2019,
        "normative_documents": _DOCUMENTS_2019,
        "licensing": _MANAGEMENT_2019,
        "other_management": _MANAGEMENT_2019,
        "penalty": _MANAGEMENT_2019,
        "coercion": _MANAGEMENT_2019,
        "fees": ("prior_year_items", "change"),
        "procurement": ("items", "amount"),
    },
}

# ---- table 3 收到和处理政府信息公开申请情况 ---------------------------------------------------------------------
TABLE3_COLUMN_LABELS: dict[str, str] = {
    "natural_person": "自然人",
    "commercial": "商业企业",
    "research": "科研机构",
    "social_welfare": "社会公益组织",
    "legal_service": "法律服务机构",
    "other_org": "其他",
    "total": "总计",
}
TABLE3_COLUMNS: tuple[str, ...] = tuple(TABLE3_COLUMN_LABELS)
APPLICANT_COLUMNS: tuple[str, ...] = TABLE3_COLUMNS[:-1]

# code → (group label or None, item label); group = the 三（三）… heading a rowspan covers. Every row code of
# both formats: other_handling (the 2019 single row) follows the 2021 format's three other_* rows.
TABLE3_ROW_LABELS: dict[str, tuple[str | None, str]] = {
    "new_received": (None, "一、本年新收政府信息公开申请数量"),
    "carried_over": (None, "二、上年结转政府信息公开申请数量"),
    "granted": (None, "（一）予以公开"),
    "partially_granted": (None, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    "denied_state_secret": ("（三）不予公开", "1.属于国家秘密"),
    "denied_prohibited_by_law": ("（三）不予公开", "2.其他法律行政法规禁止公开"),
    "denied_three_securities": ("（三）不予公开", "3.危及“三安全一稳定”"),
    "denied_third_party": ("（三）不予公开", "4.保护第三方合法权益"),
    "denied_internal_affairs": ("（三）不予公开", "5.属于三类内部事务信息"),
    "denied_process_information": ("（三）不予公开", "6.属于四类过程性信息"),
    "denied_enforcement_files": ("（三）不予公开", "7.属于行政执法案卷"),
    "denied_administrative_query": ("（三）不予公开", "8.属于行政查询事项"),
    "unable_not_held": ("（四）无法提供", "1.本机关不掌握相关政府信息"),
    "unable_requires_creation": ("（四）无法提供", "2.没有现成信息需要另行制作"),
    "unable_unclear": ("（四）无法提供", "3.补正后申请内容仍不明确"),
    "declined_complaint": ("（五）不予处理", "1.信访举报投诉类申请"),
    "declined_repeated": ("（五）不予处理", "2.重复申请"),
    "declined_publication": ("（五）不予处理", "3.要求提供公开出版物"),
    "declined_excessive": ("（五）不予处理", "4.无正当理由大量反复申请"),
    "declined_confirmation": ("（五）不予处理", "5.要求行政机关确认或重新出具已获取信息"),
    "other_no_correction": (
        "（六）其他处理",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    ),
    "other_no_fee": (
        "（六）其他处理",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    ),
    "other_other": ("（六）其他处理", "3.其他"),
    "other_handling": (None, "（六）其他处理"),
    "results_total": (None, "（七）总计"),
    "carried_forward": (None, "四、结转下年度继续办理"),
}
TABLE3_ROWS: tuple[str, ...] = tuple(TABLE3_ROW_LABELS)


def _group(label: str) -> tuple[str, ...]:
    return tuple(code for code, (group, _) in TABLE3_ROW_LABELS.items() if group == label)


DENIED_ROWS = _group("（三）不予公开")
UNABLE_ROWS = _group("（四）无法提供")
DECLINED_ROWS = _group("（五）不予处理")
OTHER_ROWS_2021 = _group("（六）其他处理")
OTHER_ROW_SINGLE = "other_handling"

TABLE3_ROWS_2021: tuple[str, ...] = tuple(r for r in TABLE3_ROWS if r != OTHER_ROW_SINGLE)
TABLE3_ROWS_2019: tuple[str, ...] = tuple(r for r in TABLE3_ROWS if r not in OTHER_ROWS_2021)
# 三、本年度办理结果 （一）…（六）: the rows between 二、上年结转 and （七）总计
RESULT_ROWS: tuple[str, ...] = TABLE3_ROWS[2:-2]
RESULT_ROWS_2021: tuple[str, ...] = TABLE3_ROWS_2021[2:-2]
RESULT_ROWS_2019: tuple[str, ...] = TABLE3_ROWS_2019[2:-2]

# ---- table 4 政府信息公开行政复议、行政诉讼情况 -----------------------------------------------------------------
TABLE4_BLOCK_LABELS: dict[str, str] = {
    "review": "行政复议",
    "litigation_direct": "未经复议直接起诉",
    "litigation_after_review": "复议后起诉",
}
TABLE4_COLUMN_LABELS: dict[str, str] = {
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
    "total": "总计",
}
TABLE4_BLOCKS: tuple[str, ...] = tuple(TABLE4_BLOCK_LABELS)
TABLE4_COLUMNS: tuple[str, ...] = tuple(TABLE4_COLUMN_LABELS)
