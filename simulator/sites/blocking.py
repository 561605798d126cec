"""Pages that block or mislead a crawler: WAF/anti-bot challenges (瑞数, 加速乐, 网防G01, 安全狗) and soft 404s."""

from __future__ import annotations

import hashlib

from simulator.sites import chrome
from simulator.sites.server import Response

JSL_COOKIE = "__jsl_clearance_s"
WANGFANG_SIZE = 4644  # bytes of the real nx.gov.cn 网防G01 page


def ruishu(status: int = 412) -> Response:
    """瑞数: 412 with an inline `$_ts` script, meta r='m' and an external challenge script; 202 = tiny variant."""
    if status == 202:
        body = (
            "<html><head><meta r='m'><script r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts=window['$_ts']={};"
            "$_ts.nsd=37415;</script></head></html>"
        )
    else:
        body = (
            '<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
            '<meta id="9DhefwqGPrzGxEp9hPaoag" content="' + "lqfpEtWv3mZ1vQ8d" * 12 + "\" r='m'>"
            "<script type=\"text/javascript\" r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts=window['$_ts']={};"
            '$_ts.nsd=80716;$_ts.cd="' + "qxrcrrAlEqWGcGlmqqAqaq" * 10 + '";</script>'
            '<script type="text/javascript" charset="utf-8" src="/4QbVtADbnLVIc/d.FxJzG50F.dfe1675.js" '
            "r='m'></script></head><body></body></html>"
        )
    return Response(
        status=status,
        body=body.encode(),
        content_type="text/html",
        headers={"Set-Cookie": "FSSBBIl1UgzbN7NS=5Xk7vq0cH3Ppn4zdzBQ; Path=/; HttpOnly"},
    )


def wangfang() -> Response:
    """网防G01: 405 with a 4 644-byte block page."""
    head = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>网防G01提示</title><style>'
        "body{margin:0;background:#f3f3f3;font-family:微软雅黑}.box{width:600px;margin:120px auto;background:#fff}"
    )
    tail = (
        '</style></head><body><div class="box"><h2>网防G01</h2><p>您的访问请求可能对网站造成安全威胁，'
        "请求已被拦截。</p><p>如有疑问请联系网站管理员。</p></div></body></html>"
    )
    pad = WANGFANG_SIZE - len((head + tail).encode()) - 4
    body = (head + "/*" + "x" * max(0, pad) + "*/" + tail).encode()
    return Response(status=405, body=body, content_type="text/html; charset=utf-8")


def safedog() -> Response:
    """安全狗: 200 with an empty body and its cookie."""
    return Response(
        body=b"",
        content_type="text/html",
        headers={"Set-Cookie": "safedog-flow-item=6A3F0B8C21D; path=/", "X-Powered-By": "WAF/2.0"},
    )


def jsl_challenge(token: str, path: str, seed: int) -> Response:
    """知道创宇 加速乐: 521 + a script that sets __jsl_clearance_s and reloads."""
    script = (
        f"<script>document.cookie='{JSL_COOKIE}={token};max-age=3600;path=/';"
        "location.href=location.pathname+location.search</script>"
    )
    jsluid = hashlib.md5(f"{path}:{seed}".encode()).hexdigest()
    return Response(
        status=521,
        body=script.encode(),
        content_type="text/html",
        headers={"Set-Cookie": f"__jsluid_s={jsluid}; max-age=31536000; path=/; HttpOnly"},
    )


def soft_404(brand: chrome.Brand) -> Response:
    """200 OK whose page says the page does not exist."""
    body = '<div class="error"><h2>抱歉，您访问的页面不存在或已被删除！</h2></div>'
    return Response.html(chrome.page(brand, "页面不存在", body))
