"""What `nianbao sites probe` saw on a site, and the sites.yml entry it makes of it (printed or appended)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from pypinyin import lazy_pinyin

# GB/T 2260: the first two digits of an administrative division code name the province.
PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区", "21": "辽宁省",
    "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省",
    "35": "福建省", "36": "江西省", "37": "山东省", "41": "河南省", "42": "湖北省", "43": "湖南省",
    "44": "广东省", "45": "广西壮族自治区", "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省",
    "53": "云南省", "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省",
    "64": "宁夏回族自治区", "65": "新疆维吾尔自治区",
}  # fmt: skip
_PLACE = re.compile(r"^(?P<city>.+?市|.+?自治州|.+?地区|.+?盟)?(?P<district>.+?(?:区|县|旗|市))$")


_PROVINCE_SUFFIX = re.compile(r"(壮族|回族|维吾尔)?(自治区|特别行政区|省|市)$")
_CITY_SUFFIX = re.compile(r"((?:[^族]{1,4}族)+)?(自治州|地区|市|盟)$")
_DISTRICT_SUFFIX = re.compile(r"((?:[^族]{1,4}族)+)?(自治县|自治旗|区|县|旗|市)$")


def _short(name: str, suffix: re.Pattern[str]) -> str:
    """宁夏回族自治区 → 宁夏, 中卫市 → 中卫, 沙坡头区 → 沙坡头 (a two-character name such as 城区 stays whole)."""
    short = suffix.sub("", name)
    return short if len(short) >= 2 else name


@dataclass
class Column:
    """A unit whose 年报 column was found."""

    name: str
    slug: str
    unit_url: str
    column: str
    reports_seen: int = 0  # report-titled entries on the column's first page (0 for JS shells)


@dataclass
class ProbeResult:
    """Everything the probe saw; `entry()` is the registry entry, `text()` the commented YAML."""

    url: str
    portal: str
    cms: str = "static"
    evidence: list[str] = field(default_factory=list)
    site_name: str | None = None
    site_code: str | None = None  # 网站标识码 (10 characters, the first 6 the administrative code)
    directory: str | None = None
    directory_pages: int = 0
    columns: list[Column] = field(default_factory=list)
    without_column: list[tuple[str, str]] = field(default_factory=list)  # (name, unit URL)
    not_units: int = 0
    blocked: list[tuple[str, str]] = field(default_factory=list)  # (URL, failure kind)
    errors: list[tuple[str, str]] = field(default_factory=list)
    requests: int = 0

    # ---- the entry --------------------------------------------------------------------------------
    @property
    def region(self) -> dict[str, str]:
        code = (self.site_code or "")[:6]
        code = code if re.fullmatch(r"\d{6}", code) else "000000"
        place = (self.site_name or "").replace("人民政府", "").replace("政府", "")
        province = PROVINCES.get(code[:2], "")
        if province and place.startswith(province):
            place = place[len(province) :]
        match = _PLACE.match(place)
        city = (match["city"] or "") if match else ""
        district = match["district"] if match else ""
        if province.endswith("市") and not city:
            city = province  # 北京市 / 上海市 …: the municipality is the city
        return {"province": province or "未知", "city": city, "district": district, "code": code}

    @property
    def site_id(self) -> str:
        """The registry's convention, "<province>-<city>-<district>" in pinyin (ningxia-zhongwei-shapotou);
        from the host name when the region is not known."""
        region = self.region
        if region["code"] != "000000" and region["district"]:
            names = [_short(region["province"], _PROVINCE_SUFFIX)]
            if region["city"] and region["city"] != region["province"]:
                names.append(_short(region["city"], _CITY_SUFFIX))
            names.append(_short(region["district"], _DISTRICT_SUFFIX))
            return "-".join("".join(lazy_pinyin(n)) for n in names)
        host = urlsplit(self.portal).netloc.lower().removeprefix("www.")
        return re.sub(r"[^a-z0-9]+", "-", host).strip("-") or "site"

    def entry(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "id": self.site_id,
            "name": self.site_name or urlsplit(self.portal).netloc,
            "region": self.region,
            "portal": self.portal,
            "cms": self.cms,
        }
        if self.directory:
            entry["directory"] = self.directory
        entry["verified"] = False
        agencies = [{"name": c.name, "slug": c.slug, "column": c.column} for c in self.columns]
        if agencies:
            entry["agencies"] = agencies
        return entry

    @property
    def confidence(self) -> tuple[str, str]:
        """(high | medium | low, why)."""
        strong = len(self.evidence) >= 2 or self.cms == "static"
        tried = len(self.columns) + len(self.without_column) + len(self.blocked)
        share = len(self.columns) / tried if tried else 0.0
        seen = sum(c.reports_seen for c in self.columns)
        if not self.columns:
            return "low", "no 年报 column found"
        why = f"{len(self.columns)} columns of {tried} units, {seen} report links seen, archetype evidence {len(self.evidence)}"
        if strong and share >= 0.5 and self.site_code and self.directory:
            return "high", why
        return "medium", why + ("" if self.site_code else "; no 网站标识码: region code unknown")

    # ---- the text ---------------------------------------------------------------------------------
    def text(self) -> str:
        """The entry as sites.yml YAML (a `- id:` item), preceded by comments saying what the probe saw."""
        level, why = self.confidence
        notes = [
            f"nianbao sites probe {self.url} ({self.requests} requests)",
            f"archetype: {self.cms} — "
            + ("; ".join(self.evidence) or "no CMS signature: generic static pages"),
            f"directory: {self.directory or 'not found'}"
            + (f" ({self.directory_pages} pages)" if self.directory else ""),
            f"columns found: {len(self.columns)}",
            *[f"  {c.name}: {c.column} ({c.reports_seen} report links on page 1)" for c in self.columns],
            f"units without a column: {len(self.without_column)}",
            *[f"  {name}: {url}" for name, url in self.without_column],
            f"blocks met: {len(self.blocked)}",
            *[f"  {kind}: {url}" for url, kind in self.blocked],
            *(
                [f"errors: {len(self.errors)}"] + [f"  {kind}: {url}" for url, kind in self.errors]
                if self.errors
                else []
            ),
            f"links that are no unit: {self.not_units}",
            f"region from the site name and 网站标识码 {self.site_code or '(none found)'}: check it",
            f"confidence: {level} ({why})",
        ]
        body = yaml.safe_dump([self.entry()], allow_unicode=True, sort_keys=False, width=200)
        return "".join(f"# {n}\n" for n in notes) + body


class ProbeWriteError(ValueError):
    """The entry could not be appended to the registry (the file is left as it was)."""


def append_entry(result: ProbeResult, path: Path) -> None:
    """Append the entry (verified: false) to a registry file's `sites:` list, then check the file still loads."""
    from crawler.registry import RegistryError, load_registry

    original = path.read_text(encoding="utf-8") if path.exists() else ""
    if original.strip():
        try:
            ids = {s.id for s in load_registry(path)}
        except RegistryError as exc:
            raise ProbeWriteError(f"{path}: not written, the registry is already invalid: {exc}") from exc
        if result.site_id in ids:
            raise ProbeWriteError(f"{path}: not written, site id '{result.site_id}' is already there")
    items = re.findall(r"(?m)^( *)- id:", original)
    indent = items[-1] if items else "  "
    body = yaml.safe_dump([result.entry()], allow_unicode=True, sort_keys=False, width=200)
    block = "".join(f"{indent}{line}\n" if line else "\n" for line in body.splitlines())
    head = original if original.strip() else "sites:\n"
    if not re.search(r"(?m)^sites:", head):
        raise ProbeWriteError(f"{path}: not written, no top-level 'sites:' list")
    text = head.rstrip("\n") + "\n\n" + f"{indent}# added by nianbao sites probe {result.url}\n" + block
    path.write_text(text, encoding="utf-8")
    try:
        loaded = {s.id for s in load_registry(path)}
    except RegistryError as exc:
        loaded, problem = set(), str(exc)
    else:
        problem = "the entry did not land in the 'sites' list"
    if result.site_id not in loaded:
        path.write_text(original, encoding="utf-8")
        raise ProbeWriteError(f"{path}: not written, {problem}")
