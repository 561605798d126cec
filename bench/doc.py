"""Benchmark: .doc reports with merged table cells — antiword against LibreOffice (DOC → DOCX) on accuracy.

    .venv/bin/python bench/doc.py

DOC files are made here by LibreOffice itself from reports whose tables merge cells vertically: the real
平潭 2019 and 2021 pages (shared corpus; HTML rowspans become vertically merged Word cells), the constructed
docx-merged-2023.docx (vMerge) and the committed antiword-2023.doc. Each DOC is read both ways —
`doc_source.read_antiword` (antiword text, flattened tables rebuilt) and `doc_source.read_doc` (headless
LibreOffice to DOCX, then the DOCX reader) — and its cells compared with the hand-checked expected JSON:
right, wrong, missing; plus seconds per document.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.parse.doc_source import read_antiword, read_doc  # noqa: E402
from crawler.parse.document import interpret  # noqa: E402

REPORTS = ROOT / "tests" / "fixtures" / "reports"
SOURCES = ["pingtan-2019.html", "pingtan-2021.html", "docx-merged-2023.docx"]


def make_docs(work: Path) -> list[tuple[str, bytes, dict]]:
    """(name, DOC bytes, expected JSON) for every source, converted by LibreOffice to Word 97 .doc."""
    out = []
    for name in SOURCES:
        src = work / name
        src.write_bytes((REPORTS / name).read_bytes())
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{work}/profile", "--headless", "--convert-to",
             "doc:MS Word 97", "--outdir", str(work), str(src)],
            capture_output=True, timeout=120, check=True,
        )  # fmt: skip
        stem = name.rsplit(".", 1)[0]
        out.append((f"{stem}.doc", (work / f"{stem}.doc").read_bytes(), _expected(stem)))
    out.append(
        ("antiword-2023.doc", (REPORTS / "antiword-2023.doc").read_bytes(), _expected("antiword-2023"))
    )
    return out


def _expected(stem: str) -> dict:
    return json.loads((REPORTS / f"{stem}.expected.json").read_text(encoding="utf-8"))


def score(expected: dict, contract: dict) -> tuple[int, int, int]:
    right = wrong = total = 0
    for table in ("table2", "table3", "table4"):
        want = expected.get(table) or {}
        got = contract.get(table) or {}
        total += sum(len(cols) for cols in want.values())
        for row, cols in got.items():
            for col, value in cols.items():
                if want.get(row, {}).get(col) == value:
                    right += 1
                else:
                    wrong += 1
    return right, wrong, total - right


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-doc-") as tmp:
        docs = make_docs(Path(tmp))
    sides = {"antiword": read_antiword, "LibreOffice → DOCX": read_doc}
    totals = {k: [0, 0, 0, 0.0] for k in sides}
    print(f"bench doc: {len(docs)} DOC files with vertically merged table cells (cells right/wrong/missing)")
    for name, data, expected in docs:
        parts = []
        for key, reader in sides.items():
            started = time.monotonic()
            report = interpret(reader(data), None)
            seconds = time.monotonic() - started
            right, wrong, missing = score(expected, report.to_contract())
            for i, v in enumerate((right, wrong, missing, seconds)):
                totals[key][i] += v
            parts.append(f"{key} {right}/{wrong}/{missing} {report.parse_status} {seconds:.1f}s")
        print(f"  {name:26s} " + " | ".join(parts))
    for key, (right, wrong, missing, seconds) in totals.items():
        print(
            f"  total {key:20s} right {right:4d}  wrong {wrong}  missing {missing:4d}"
            f"  {seconds / len(docs):5.2f} s/doc"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
