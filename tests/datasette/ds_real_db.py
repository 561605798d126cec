"""An archive.db built by the real pipeline from two real published reports (tests/fixtures/reports):
淮安市人民政府 2024 (the original PDF) and 平潭综合实验区 2021 (the archived HTML page), each stored as a capture
and turned into reports / statistics / checks by `nianbao normalize` (crawler.normalize.rebuild)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crawler.normalize import rebuild
from crawler.store.captures import CaptureRecord, write_capture
from crawler.store.schema import connect

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reports"


@dataclass(frozen=True)
class RealReport:
    """One real report and how it was published (URLs from /work/shared/corpus/README.md; the Huaian PDF's
    URL path is the file name it was found under, szfgs2024.pdf, on the city portal — labelled invented)."""

    file: str
    url: str
    content_type: str
    site: dict
    agency: tuple[str, str]
    title: str
    year: int
    listed: str


HUAIAN = RealReport(
    file="huaian-szf-2024.pdf",
    url="https://www.huaian.gov.cn/col/zfxxgknb/szfgs2024.pdf",  # invented path, real file name
    content_type="application/pdf",
    site={
        "id": "jiangsu-huaian",
        "name": "淮安市人民政府",
        "province": "江苏省",
        "city": "淮安市",
        "district": None,
        "region_code": "320800",
        "cms": "static",
    },
    agency=("jiangsu-huaian/szf", "淮安市人民政府"),
    title="淮安市人民政府2024年政府信息公开工作年度报告",
    year=2024,
    listed="2025-01-20",
)
PINGTAN = RealReport(
    file="pingtan-2021.html",
    url="https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202202/t20220208_80613.htm",
    content_type="text/html; charset=utf-8",
    site={
        "id": "fujian-pingtan",
        "name": "平潭综合实验区管委会",
        "province": "福建省",
        "city": "平潭综合实验区",
        "district": None,
        "region_code": "350128",
        "cms": "trs",
    },
    agency=("fujian-pingtan/gwh", "平潭综合实验区管委会"),
    title="平潭综合实验区2021年度政府信息公开工作年度报告",
    year=2021,
    listed="2022-02-08",
)
REAL_REPORTS = (HUAIAN, PINGTAN)


def build_real_db(path: Path) -> dict[str, int]:
    """Store both reports as captures, normalize them, and return report id by fixture file name."""
    db = connect(path)
    ids: dict[str, int] = {}
    for spec in REAL_REPORTS:
        db["sites"].insert({**spec.site, "portal_url": spec.url.rsplit("/", 1)[0] + "/"})
        agency_id, agency_name = spec.agency
        db["agencies"].insert({"id": agency_id, "site_id": spec.site["id"], "name": agency_name})
        db["documents"].insert(
            {
                "url": spec.url,
                "site_id": spec.site["id"],
                "agency_id": agency_id,
                "kind": "page",
                "title": spec.title,
                "listed_date": spec.listed,
                "year": spec.year,
                "versions": 1,
            }
        )
        record = CaptureRecord(
            url=spec.url,
            final_url=spec.url,
            method="GET",
            status=200,
            headers={"Content-Type": spec.content_type},
            fetched_at=f"{spec.listed}T08:00:00Z",
            body=(FIXTURES / spec.file).read_bytes(),
            content_type=spec.content_type,
            kind="report",
            site_id=spec.site["id"],
            agency_id=agency_id,
            link_text=spec.title,
        )
        ids[spec.file] = write_capture(db, record)[0]
    db["crawl_runs"].insert(
        {
            "site_id": HUAIAN.site["id"],
            "started_at": "2025-01-21T02:00:00Z",
            "ended_at": "2025-01-21T02:05:00Z",
            "status": "ok",
        }
    )
    db.conn.commit()
    rebuild(path, progress=False)
    return ids
