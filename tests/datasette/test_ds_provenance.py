"""Every number to its source: report cells link to the archived original at that table / row / column (HTML
highlighted, PDF page drawn with the cell's box), and the original downloads under its own name."""

from __future__ import annotations

import hashlib
import re
import urllib.parse
import urllib.request

import lxml.html
import pytest
from ds_real_db import FIXTURES, HUAIAN, PINGTAN


def _page(served, path: str) -> lxml.html.HtmlElement:
    status, _, body = served.get(path)
    assert status == 200, body[:500]
    return lxml.html.fromstring(body)


def _cell_link(page: lxml.html.HtmlElement, address: str) -> str:
    links = page.xpath(f"//td[@data-cell='{address}']/a/@href")
    assert len(links) == 1, address
    return links[0]


def _get_href(served, href: str) -> lxml.html.HtmlElement:
    status, _, body = served.get(
        urllib.parse.unquote(href.split("#")[0].split("?")[0]),
        **dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(href).query)),
    )
    assert status == 200, body[:500]
    return lxml.html.fromstring(body)


def test_every_read_number_links_to_its_source(real_served, real_archive) -> None:
    _, ids = real_archive
    for spec in (HUAIAN, PINGTAN):
        page = _page(real_served, f"/{real_served.db}/reports/{ids[spec.file]}")
        numbers = page.xpath("//td[contains(@class,'nb-num') and normalize-space(.) != '']")
        assert len(numbers) > 100
        assert all(td.xpath("./a[contains(@href, '/-/capture/')]") for td in numbers), spec.file


def test_html_cell_is_highlighted_in_the_archived_page(real_served, real_archive) -> None:
    # pingtan-2021.html, table 3 一、本年新收 总计: 70 (read by hand from the page; corpus README)
    _, ids = real_archive
    page = _page(real_served, f"/{real_served.db}/reports/{ids[PINGTAN.file]}")
    href = _cell_link(page, "table3.new_received.total")
    assert href.endswith("#nb-cell") and "view=html" in href
    archived = _get_href(real_served, href)
    marked = archived.xpath("//*[@id='nb-cell']")
    assert len(marked) == 1 and marked[0].tag == "td" and marked[0].text_content().strip() == "70"
    row = marked[0].getparent().text_content()
    assert "本年新收政府信息公开申请数量" in row
    assert "70" in archived.xpath("string(//div[@class='nb-source-cell'])")


def test_pdf_cell_is_boxed_on_the_page_image(real_served, real_archive) -> None:
    # huaian-szf-2024.pdf page 4, table 3 一、本年新收 总计: 3119 (read by hand from the PDF), in the right-most
    # (总计) column, about half-way down the page.
    _, ids = real_archive
    page = _page(real_served, f"/{real_served.db}/reports/{ids[HUAIAN.file]}")
    href = _cell_link(page, "table3.new_received.total")
    assert "/page?" in href and "page=4" in href
    shown = _get_href(real_served, href)
    image = shown.xpath("//img[@class='nb-page-image']/@src")
    assert image and image[0].startswith("data:image/png;base64,")
    style = shown.xpath("//div[@id='nb-cell']/@style")[0]
    box = {k: float(v) for k, v in re.findall(r"(left|top|width|height): ([\d.]+)%", style)}
    assert box["left"] > 75 and 40 < box["top"] < 70 and 0 < box["width"] < 15 and 0 < box["height"] < 5
    assert "第 4" in shown.xpath("string(//h1)")


def test_original_downloads_with_its_name_and_full_sha256(real_served, real_archive) -> None:
    _, ids = real_archive
    capture = ids[HUAIAN.file]
    _, headers, _ = real_served.get(f"/-/capture/{real_served.db}/{capture}")
    assert "allow-downloads" in headers["content-security-policy"]
    with urllib.request.urlopen(
        real_served.url(f"/-/capture/{real_served.db}/{capture}") + "?view=download"
    ) as r:
        data, disposition = r.read(), r.headers["Content-Disposition"]
    assert data == (FIXTURES / HUAIAN.file).read_bytes()
    assert disposition.startswith("attachment;") and "filename*=UTF-8''szfgs2024.pdf" in disposition
    digest = hashlib.sha256(data).hexdigest()
    report = _page(real_served, f"/{real_served.db}/reports/{ids[HUAIAN.file]}")
    assert report.xpath("string(//code[@class='nb-sha'])") == digest
    assert report.xpath("//a[@class='nb-download']/@download") == ["szfgs2024.pdf"]


def test_download_names_follow_the_server_then_the_url() -> None:
    import sys

    from crawler.serve import PLUGINS_DIR

    sys.path.insert(0, str(PLUGINS_DIR))
    from nianbao_web.capture import content_disposition, download_name

    row = {"id": 7, "url": "https://x.gov.cn/a/b?id=3", "content_type": "application/pdf", "headers": "{}"}
    assert download_name(row) == "b.pdf"
    row["headers"] = '{"Content-Disposition": "attachment; filename*=UTF-8\'\'%E5%B9%B4%E6%8A%A5.docx"}'
    assert download_name(row) == "年报.docx"
    assert content_disposition("年报.docx", 7) == (
        "attachment; filename=\"capture-7.docx\"; filename*=UTF-8''%E5%B9%B4%E6%8A%A5.docx"
    )
    assert download_name({"id": 9, "url": "https://x.gov.cn/", "content_type": "application/msword"}) == (
        "capture-9.doc"
    )


@pytest.mark.parametrize(
    "name",
    [
        HUAIAN.file,  # real; read by the ruled-table reader (pdfplumber)
        "fpdf-unruled-2022.pdf",  # constructed (simulator), no rules: read line by line (pypdfium2 text)
    ],
)
def test_pdf_boxes_hold_exactly_the_printed_numbers(monkeypatch, name: str) -> None:
    """For cells of every table, the text pdfium finds inside the box is the number the parser read there
    (value_text): the box is that number's cell, not a neighbour — for both ways the parser reads a PDF."""
    import functools
    import sys

    import pypdfium2

    import crawler.parse.pdf_source as pdf_source
    from crawler.parse import parse_bytes
    from crawler.serve import PLUGINS_DIR

    sys.path.insert(0, str(PLUGINS_DIR))
    from nianbao_web.pdfpage import cell_box

    monkeypatch.setattr(pdf_source, "read_pdf", functools.lru_cache(maxsize=1)(pdf_source.read_pdf))
    data = (FIXTURES / name).read_bytes()
    cells = parse_bytes(data, filename=name, content_type="application/pdf").cells
    sample = [
        c for table in ("table2", "table3", "table4") for c in [x for x in cells if x.table == table][::9]
    ]
    assert len(sample) >= 20
    doc = pypdfium2.PdfDocument(data)
    for cell in sample:
        box = cell_box(data, cell.src_page, cell.src_table, cell.src_row, cell.src_col)
        assert box is not None, cell
        height = doc[cell.src_page - 1].get_size()[1]
        inside = (
            doc[cell.src_page - 1]
            .get_textpage()
            .get_text_bounded(box[0], height - box[3], box[2], height - box[1])
        )
        assert inside.split() == (cell.value_text or "").split(), (cell.table, cell.row_code, cell.col_code)


def test_pdf_page_renderers_run_at_most_two_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Six page views at once start real renderer processes, never more than CONCURRENT_RENDERS together."""
    import asyncio
    import sys
    from concurrent.futures import ThreadPoolExecutor

    from crawler.serve import PLUGINS_DIR

    sys.path.insert(0, str(PLUGINS_DIR))
    from nianbao_web import pdfpage

    live, peak = 0, 0
    real_exec = asyncio.create_subprocess_exec

    class Counted:
        def __init__(self, proc: asyncio.subprocess.Process) -> None:
            self.proc = proc
            self.returncode = None

        async def communicate(self, data: bytes) -> tuple[bytes, bytes]:
            nonlocal live
            try:
                out = await self.proc.communicate(data)
            finally:
                live -= 1
            self.returncode = self.proc.returncode
            return out

        def kill(self) -> None:
            self.proc.kill()

        async def wait(self) -> int:
            return await self.proc.wait()

    async def counting_exec(*args, **kwargs):  # the real child process, counted while it runs
        nonlocal live, peak
        proc = await real_exec(*args, **kwargs)
        live += 1
        peak = max(peak, live)
        return Counted(proc)

    monkeypatch.setattr(pdfpage.asyncio, "create_subprocess_exec", counting_exec)
    data = (FIXTURES / HUAIAN.file).read_bytes()

    async def six_views() -> list[dict]:
        pdfpage._RENDER_SLOTS = asyncio.Semaphore(pdfpage.CONCURRENT_RENDERS)
        return await asyncio.gather(*(pdfpage.render_limited(data, 1, None) for _ in range(6)))

    # a thread of its own: the session's Playwright browser (browser tests) keeps a loop running in this one
    with ThreadPoolExecutor(1) as pool:
        results = pool.submit(asyncio.run, six_views()).result()
    assert all(r.get("png") for r in results), [r.get("error") for r in results]
    assert peak == pdfpage.CONCURRENT_RENDERS == 2
