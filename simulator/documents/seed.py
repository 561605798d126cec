"""The seed report (沙坡头区政务服务中心 2024) transcribed by hand from /work/shared/seeds/."""

from __future__ import annotations

from crawler.contract import TABLE3_COLUMNS, TABLE3_ROWS_2021, TABLE4_BLOCKS, TABLE4_COLUMNS

from .truth import STANDARD_SECTION_TITLES, ReportTruth

SEED_TITLE = "沙坡头区政务服务中心 2024 年政府信息公开工作年度报告"

SEED_PREAMBLE = (
    "根据《中华人民共和国政府信息公开条例》（以下简称“条例”）规定和《国务院办公厅政府信息与政务公开办公室"
    "关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（国办公开办函〔2021〕30号）要求，现发布"
    "《沙坡头区政务服务中心 2024 年政府信息公开工作年度报告》，本报告统计从 2024 年 1 月 1 日至 2024 年 12 月 31 日。"
)

_S1 = [
    "（一）主动公开政府信息情况。2024 年，沙坡头区政务服务中心主动公开部门动态信息 16 条、文件 13 条，其中主动"
    "公开文件包括政府信息公开年报 1 条、机构职能 1 条、计划总结 2 条、部门预决算 2 条、法治政府建设 1 条、普法宣传 "
    "1 条、政策解读 1 条、政府开放日 4 条，在沙坡头区政务服务中心微博主动公开信息 196 条。",
    "（二）依申请公开政府信息情况。2024 年，沙坡头区政务服务中心未收到依申请公开政府信息。",
    # The seed text breaks this paragraph in two (a page-break artefact); kept as two paragraphs.
    "（三）政府信息管理情况。认真贯彻落实沙坡头区政府网站和政务新媒体政务信息发布审查的相关要求，按照以“公开为常态，"
    "不公开为例外”的要求，严格执行“三审三校”制度，从源头上依法依规进行信息来源、保密核查和公开属性审核，确保信息",
    "的准确性、完整性、安全性，不断提升政府信息公开工作的能力和水平。",
    "（四）政府信息公开平台建设情况。对接图解公司制作并公开《沙坡头区全面推进“高效办成一件事”进一步提高行政工作质效"
    "实施方案》图文解读，并以“政策公开讲”为依托，详细向企业和群众讲透政策重点，提供“政策+解读+办事”的综合解读服务。"
    "设立政务公开专区，在政策超市处定期更新政府公报及沙坡头区相关政策文件、政策解读等纸质文档和书籍，设立政府信息"
    "查阅点，方便群众进行相关内容查询，提升群众对政务公开的了解，加强政府与群众交流。",
    "（五）监督保障情况。认真贯彻政府信息公开工作责任，构建主要领导牵头、分管领导负责、专职人员落实的工作体系，依托"
    "政务新媒体监测管理平台，及时纠正新媒体上的错误及敏感信息，有效保障了信息公开工作的质量与公信力。同时，加强对"
    "信息公开工作的日常检查，通过不定期自查及时发现和纠正工作中存在的问题，不断提高政府信息公开工作质效。2024年本"
    "单位未出现因政府信息公开问题追究责任的情况。",
]

_S5 = [
    "今年以来，政务公开工作虽然取得一定成绩，但也存在着一些不足：一是信息公开渠道较为单一，形式不够多样化。二是政策"
    "解读方式还需进一步丰富。三是对发布信息内容审核仍需加强。",
    "对此，沙坡头区政务服务中心将认真落实政务公开的各项规定，紧密结合单位实际情况，重点从以下几个方面加强优化：一是"
    "进一步拓宽信息公开渠道。充分发挥政务大厅电子屏、政府官方网站以及微博等平台作用，及时发布各类信息，全力推进更多"
    "政务服务事项“就近办、网上办、掌上办”，让企业、群众满意度和获得感稳步提升，切实感受到政务服务的便捷与高效。二是"
    "进一步丰富政策解读形式。严格落实“三审三校”，加强信息发布审查力度，对企业和群众关心的热点问题采取多种形式进行"
    "政策解读，包括图文解读、视频解读等，确保政策信息传达准确、通俗易懂。三是进一步提升政务服务效能。以政民互动为"
    "基本形式、公开透明为基本原则，积极推进开放式政务服务，及时回应群众关切，以“政府开放日”活动为载体，鼓励群众"
    "积极参与政务公开工作，提出建设性意见和建议，形成政府与群众的良性互动，让群众通过“零距离”接触，提高群众对政务"
    "公开工作的认识。",
]

_S6 = [
    "本年度未收取信息处理费。",
    "本报告电子版可在中卫市沙坡头区人民政府网站（http://www.spt.gon.cn/）下载。如有疑问和建议，请与中卫市沙坡头区"
    "政务服务中心联系（地址：中卫市沙坡头区丰安东路9号；邮编：755000；联系电话：0955-8597622；电子邮箱："
    "sptqzwzx@163.com）。",
]


def _zeros(cols: tuple[str, ...]) -> dict[str, int]:
    return dict.fromkeys(cols, 0)


def seed_truth() -> ReportTruth:
    """沙坡头区政务服务中心 2024: every number is 0 in the seed; texts verbatim (markdown ** and <> removed)."""
    texts = ["\n".join(_S1), "", "", "", "\n".join(_S5), "\n".join(_S6)]
    return ReportTruth(
        agency="沙坡头区政务服务中心",
        agency_slug="sptqzwfwzx",
        year=2024,
        title=SEED_TITLE,
        publish_date="2025-01-20",
        format="2021",
        sections=[(i + 1, STANDARD_SECTION_TITLES[i], texts[i]) for i in range(6)],
        table2={
            "regulations": {"issued": 0, "repealed": 0, "in_force": 0},
            "normative_documents": {"issued": 0, "repealed": 0, "in_force": 0},
            "licensing": {"decisions": 0},
            "penalty": {"decisions": 0},
            "coercion": {"decisions": 0},
            "fees": {"amount_10k_yuan": 0},
        },
        table3={row: _zeros(TABLE3_COLUMNS) for row in TABLE3_ROWS_2021},
        table4={block: _zeros(TABLE4_COLUMNS) for block in TABLE4_BLOCKS},
        preamble=SEED_PREAMBLE,
        label_style="halfwidth",
        publisher="沙坡头区政务服务中心",
    )
