"""A tiny TRS-style site on 127.0.0.1 for crawler tests that must not depend on the full simulator."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

COLUMN = "/xxgk/bmxxgkml/sptzwfwzx/xxgknb_51966/"


def _article(title: str, body: str, extra: str = "") -> str:
    return (
        f'<html><head><meta charset="utf-8"><meta name="ArticleTitle" content="{title}">'
        f'<meta name="PubDate" content="2025-01-20 10:00"></head><body><h1>{title}</h1>'
        f'<p>浏览次数：{{visits}}</p><div class="TRS_Editor"><p>{body}</p>{extra}</div></body></html>'
    )


def _listing(rows: list[tuple[str, str, str]], pages: int, current: int) -> str:
    lis = "".join(f'<li><a href="{h}" title="{t}">{t}</a><span>{d}</span></li>' for h, t, d in rows)
    return (
        f'<html><head><meta charset="utf-8"></head><body><a href="../../../">首页</a><ul class="list">{lis}</ul>'
        f'<script>createPageHTML({pages}, {current}, "index", "html");</script></body></html>'
    )


class MiniSite:
    """Pages keyed by path; `pages` may be edited between runs; every request is logged in `log`."""

    def __init__(self) -> None:
        self.log: list[tuple[str, str]] = []
        self.visits = 0
        self.pages: dict[str, tuple[int, str, bytes]] = {}
        self.reset()

    def reset(self) -> None:
        html = "text/html; charset=utf-8"
        p = self.pages
        p["/robots.txt"] = (200, "text/plain", b"User-agent: *\nDisallow: /private/\n")
        p["/xxgk/bmxxgkml/"] = (
            200,
            html,
            '<html><body><a href="./sptzwfwzx/">沙坡头区政务服务中心</a><a href="./sptjyj/">沙坡头区教育局</a>'
            "</body></html>".encode(),
        )
        p["/xxgk/bmxxgkml/sptzwfwzx/"] = (
            200,
            html,
            '<html><body><a href="./fdzdgknr_51950/">法定主动公开内容</a>'
            '<a href="./xxgknb_51966/">政府信息公开年报</a></body></html>'.encode(),
        )
        rows0 = [
            (
                "./202501/t20250120_5000001.html",
                "沙坡头区政务服务中心2024年政府信息公开工作年度报告",
                "2025-01-20",
            ),
            (
                "./202501/t20250121_5000002.html",
                "沙坡头区政务服务中心2024年政府信息公开工作年度报告解读",
                "2025-01-21",
            ),
            (
                "./202401/t20240125_4000001_wap.html",
                "沙坡头区政务服务中心2023年度政府信息公开年报",
                "2024-01-25",
            ),
        ]
        rows1 = [
            (
                "./202301/t20230120_3000001.html",
                "沙坡头区政务服务中心2022年政府信息公开工作年度报告（图片版）",
                "2023-01-20",
            ),
            ("./202305/t20230501_3000009.html", "关于召开工作会议的通知", "2023-05-01"),
            ("http://10.0.0.5/evil.html", "沙坡头区政务服务中心2021年政府信息公开工作年度报告", "2022-01-20"),
        ]
        p[COLUMN] = (200, html, _listing(rows0, 2, 0).encode())
        p[COLUMN + "index.html"] = p[COLUMN]
        p[COLUMN + "index_1.html"] = (200, html, _listing(rows1, 2, 1).encode())
        p[COLUMN + "202501/t20250120_5000001.html"] = (
            200,
            html,
            _article(
                "沙坡头区政务服务中心2024年政府信息公开工作年度报告",
                "一、总体情况 本年度主动公开信息16条。",
                '<a href="./P020250120123456789012.pdf">附件：年度报告.pdf</a>',
            ).encode(),
        )
        p[COLUMN + "202501/P020250120123456789012.pdf"] = (
            200,
            "application/pdf",
            b"%PDF-1.4 fake report\n%%EOF",
        )
        p[COLUMN + "202501/t20250121_5000002.html"] = (200, html, _article("解读", "解读正文").encode())
        p[COLUMN + "202401/t20240125_4000001.html"] = (
            200,
            html,
            _article("沙坡头区政务服务中心2023年度政府信息公开年报", "二〇二三年报告正文。").encode(),
        )
        p[COLUMN + "202301/t20230120_3000001.html"] = (
            200,
            html,
            _article("2022年报告（图片版）", "", '<img src="./W020230120.jpg">').encode(),
        )

    def edit(self, path: str, new_body_text: str) -> None:
        status, ctype, body = self.pages[path]
        self.pages[path] = (
            status,
            ctype,
            body.replace("本年度主动公开信息16条".encode(), new_body_text.encode()),
        )

    def handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                path = self.path.split("?")[0]
                site.log.append(("GET", self.path))
                if path not in site.pages:
                    self.send_response(404)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.end_headers()
                    self.wfile.write("<html>页面不存在</html>".encode())
                    return
                status, ctype, body = site.pages[path]
                site.visits += 1
                body = body.replace(b"{visits}", str(site.visits).encode())
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    def __enter__(self) -> MiniSite:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler())
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def write_registry(self, path: Path, *, with_column: bool = False) -> None:
        agency: dict[str, str] = {"name": "沙坡头区政务服务中心", "slug": "zwfwzx"}
        if with_column:
            agency["column"] = self.root + COLUMN
        entry = {
            "id": "mini-spt",
            "name": "沙坡头区人民政府",
            "region": {
                "province": "宁夏回族自治区",
                "city": "中卫市",
                "district": "沙坡头区",
                "code": "640502",
            },
            "portal": self.root + "/",
            "cms": "trs",
            "directory": self.root + "/xxgk/bmxxgkml/",
            "politeness": {"delay": 0, "max_pages": 5, "revalidate_days": 7},
            "agencies": [agency],
        }
        path.write_text(yaml.safe_dump({"sites": [entry]}, allow_unicode=True), encoding="utf-8")
