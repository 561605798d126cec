"""Row and column codes of the statistics tables (shared/report-json.md) with their Chinese labels, in print order."""

from __future__ import annotations

TABLE3_COLUMNS: list[tuple[str, str]] = [
    ("natural_person", "自然人"),
    ("commercial", "商业企业"),
    ("research", "科研机构"),
    ("social_welfare", "社会公益组织"),
    ("legal_service", "法律服务机构"),
    ("other_org", "其他"),
    ("total", "总计"),
]

# (code, group label or None, item label) in print order; group = the 三（三）… heading a rowspan covers.
TABLE3_ROWS: list[tuple[str, str | None, str]] = [
    ("new_received", None, "一、本年新收政府信息公开申请数量"),
    ("carried_over", None, "二、上年结转政府信息公开申请数量"),
    ("granted", None, "（一）予以公开"),
    ("partially_granted", None, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ("denied_state_secret", "（三）不予公开", "1.属于国家秘密"),
    ("denied_prohibited_by_law", "（三）不予公开", "2.其他法律行政法规禁止公开"),
    ("denied_three_securities", "（三）不予公开", "3.危及“三安全一稳定”"),
    ("denied_third_party", "（三）不予公开", "4.保护第三方合法权益"),
    ("denied_internal_affairs", "（三）不予公开", "5.属于三类内部事务信息"),
    ("denied_process_information", "（三）不予公开", "6.属于四类过程性信息"),
    ("denied_enforcement_files", "（三）不予公开", "7.属于行政执法案卷"),
    ("denied_administrative_query", "（三）不予公开", "8.属于行政查询事项"),
    ("unable_not_held", "（四）无法提供", "1.本机关不掌握相关政府信息"),
    ("unable_requires_creation", "（四）无法提供", "2.没有现成信息需要另行制作"),
    ("unable_unclear", "（四）无法提供", "3.补正后申请内容仍不明确"),
    ("declined_complaint", "（五）不予处理", "1.信访举报投诉类申请"),
    ("declined_repeated", "（五）不予处理", "2.重复申请"),
    ("declined_publication", "（五）不予处理", "3.要求提供公开出版物"),
    ("declined_excessive", "（五）不予处理", "4.无正当理由大量反复申请"),
    ("declined_confirmation", "（五）不予处理", "5.要求行政机关确认或重新出具已获取信息"),
    (
        "other_no_correction",
        "（六）其他处理",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    ),
    (
        "other_no_fee",
        "（六）其他处理",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    ),
    ("other_other", "（六）其他处理", "3.其他"),
    ("other_handling", None, "（六）其他处理"),
    ("results_total", None, "（七）总计"),
    ("carried_forward", None, "四、结转下年度继续办理"),
]
RESULT_HEADING = "三、本年度办理结果"
RESULT_CODES = {code for code, _, _ in TABLE3_ROWS[2:-1]}

TABLE4_BLOCKS: list[tuple[str, str]] = [
    ("review", "行政复议"),
    ("litigation_direct", "未经复议直接起诉"),
    ("litigation_after_review", "复议后起诉"),
]
TABLE4_COLUMNS: list[tuple[str, str]] = [
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
]

TABLE2_ROWS: list[tuple[str, str]] = [
    ("regulations", "规章"),
    ("normative_documents", "行政规范性文件"),
    ("licensing", "行政许可"),
    ("other_management", "其他对外管理服务事项"),
    ("penalty", "行政处罚"),
    ("coercion", "行政强制"),
    ("fees", "行政事业性收费"),
    ("procurement", "政府集中采购"),
]
TABLE2_COLUMNS: list[tuple[str, str]] = [
    ("issued", "本年制发件数"),
    ("repealed", "本年废止件数"),
    ("in_force", "现行有效件数"),
    ("new_made", "本年新制作数量"),
    ("new_published", "本年新公开数量"),
    ("total_published", "对外公开总数量"),
    ("prior_year_items", "上一年项目数量"),
    ("change", "本年增/减"),
    ("decisions", "本年处理决定数量"),
    ("amount_10k_yuan", "本年收费金额（万元）"),
    ("items", "采购项目数量"),
    ("amount", "采购总金额"),
]

TABLE_TITLES = {
    "table2": "二、主动公开政府信息情况",
    "table3": "三、收到和处理政府信息公开申请情况",
    "table4": "四、政府信息公开行政复议、行政诉讼情况",
}


def _labels() -> dict[str, dict[str, str]]:
    t3 = {code: (f"{group} {item}" if group else item) for code, group, item in TABLE3_ROWS}
    t3.update(dict(TABLE3_COLUMNS))
    t4 = dict(TABLE4_BLOCKS) | dict(TABLE4_COLUMNS)
    t2 = dict(TABLE2_ROWS) | dict(TABLE2_COLUMNS)
    return {"table2": t2, "table3": t3, "table4": t4}


def _orders() -> dict[str, dict[str, int]]:
    def index(*lists: list) -> dict[str, int]:
        order: dict[str, int] = {}
        for items in lists:
            for item in items:
                order.setdefault(item[0], len(order))
        return order

    return {
        "table2": index(TABLE2_ROWS, TABLE2_COLUMNS),
        "table3": index(TABLE3_ROWS, TABLE3_COLUMNS),
        "table4": index(TABLE4_BLOCKS, TABLE4_COLUMNS),
    }


LABELS = _labels()
ORDERS = _orders()


def code_label(table: str | None, code: str | None) -> str | None:
    """Chinese label of a row or column code (None when unknown)."""
    return LABELS.get(table or "", {}).get(code or "")


def code_order(table: str | None, code: str | None) -> int:
    """Print position of a row or column code; unknown codes sort last."""
    return ORDERS.get(table or "", {}).get(code or "", 999)
