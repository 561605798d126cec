"""Legacy Word .doc reports: text via antiword; tables come out as '|' lines, or flattened into one line."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile

from crawler.parse import limits
from crawler.parse.extracted import Extracted
from crawler.parse.labels import norm, strip_numbering, t2_row_code, t3_group, t3_row_code
from crawler.parse.numbers import is_value_text
from crawler.parse.text_source import NO_POSITIONS, read_text

_FLAT_MIN_BARS = 6


def _is_group(name: str) -> bool:
    return bool(t3_group(name)) or "本年度办理结果" in name


def _starts_row(name: str) -> bool:
    code = t3_row_code(name, None)
    if code == "results_total" and strip_numbering(name) == name:
        code = None  # a bare 总计 is a column header; '(七)总计' starts a row
    return bool(
        _is_group(name)
        or code
        or t2_row_code(name)
        or re.match(r"^[一二三四五六七八九十]、", name)
        or "第二十条" in name
    )


def unflatten(line: str) -> list[list[str]]:
    """Split a table that antiword printed as one line ('a | |b |1 |2 | |c ...') into rows of cells.

    antiword loses the row ends of some tables (merged cells, LibreOffice-made files). The rows are
    rebuilt from the labels: a label after numbers, or a label that names a row, starts a new row; a long
    header run followed by numbers (table 4) is split into a header row and a number row.
    """
    tokens = [t.strip() for t in line.split("|")]
    rows: list[tuple[list[str], list[str]]] = []
    labels: list[str] = []
    values: list[str] = []
    for tok in tokens:
        if not tok:
            continue
        if is_value_text(tok):
            values.append(tok)
            continue
        name = norm(tok)
        if values or (labels and _starts_row(name) and not all(_is_group(norm(x)) for x in labels)):
            rows.append((labels, values))
            labels, values = [], []
        labels.append(tok)
    rows.append((labels, values))
    out: list[list[str]] = []
    for labs, vals in rows:
        if len(labs) > 3 and vals:
            out += [labs, vals]
        elif labs or vals:
            out.append(labs + vals)
    return out


def _rewrite(text: str) -> str:
    """Flattened table lines → one line per rebuilt row, cells joined by NO_POSITIONS."""
    lines = []
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.count("|") >= _FLAT_MIN_BARS and not stripped.startswith("|"):
            lines += [NO_POSITIONS.join(row) for row in unflatten(stripped)]
        else:
            lines.append(line)
    return "\n".join(lines)


def read_doc(data: bytes) -> Extracted:
    """Run antiword on the bytes (from a temporary file) and read its UTF-8 text output."""
    exe = shutil.which("antiword")
    if exe is None:
        return Extracted(source_format="doc", fatal="antiword is not installed; cannot read .doc")
    fd, path = tempfile.mkstemp(suffix=".doc")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        proc = subprocess.run(
            [exe, "-m", "UTF-8.txt", "-w", "0", path],
            capture_output=True,
            timeout=limits.ANTIWORD_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Extracted(source_format="doc", fatal=f"antiword took longer than {limits.ANTIWORD_TIMEOUT} s")
    except OSError as exc:
        return Extracted(source_format="doc", fatal=f"antiword failed: {exc}")
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
    if proc.returncode != 0 or not proc.stdout.strip():
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = (message[0] if message else "no output").replace(path, "the file")
        return Extracted(source_format="doc", fatal=f"antiword could not read the DOC: {reason}")
    return read_text(_rewrite(proc.stdout.decode("utf-8", "replace")), source_format="doc")
