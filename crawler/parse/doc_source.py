"""Legacy Word .doc reports: LibreOffice converts them to DOCX (read like any DOCX, merged cells kept);
antiword (tables as '|' lines, or flattened into one line) when LibreOffice is missing or fails."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
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


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_docx(data: bytes) -> tuple[bytes | None, str | None]:
    """DOC bytes → DOCX bytes by headless LibreOffice, or (None, why not).

    Each conversion has its own temporary profile directory (parallel runs never share or lock one) and
    runs in its own process group under a hard timeout; on timeout the whole group is killed."""
    exe = _soffice()
    if exe is None:
        return None, "LibreOffice (soffice) is not installed"
    with tempfile.TemporaryDirectory(prefix="nianbao-soffice-") as tmp:
        src = os.path.join(tmp, "report.doc")
        with open(src, "wb") as fh:
            fh.write(data)
        cmd = [
            exe,
            f"-env:UserInstallation=file://{tmp}/profile",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            os.path.join(tmp, "out"),
            src,
        ]
        proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, cwd=tmp
        )
        try:
            proc.wait(timeout=limits.SOFFICE_TIMEOUT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return None, f"LibreOffice took longer than {limits.SOFFICE_TIMEOUT} s"
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # helpers LibreOffice may have left behind
        out = os.path.join(tmp, "out", "report.docx")
        if not os.path.exists(out):
            return None, f"LibreOffice could not convert the DOC (exit {proc.returncode})"
        with open(out, "rb") as fh:
            return fh.read(), None


def read_doc(data: bytes) -> Extracted:
    """LibreOffice → DOCX → docx_source (measured more accurate on merged cells); antiword otherwise."""
    from crawler.parse.docx_source import read_docx

    docx, problem = to_docx(data)
    if docx is not None:
        ex = read_docx(docx)
        if ex.fatal is None:
            ex.source_format = "doc"
            return ex
        problem = f"LibreOffice's DOCX unreadable: {ex.fatal}"
    ex = read_antiword(data)
    if ex.fatal is None:
        ex.errors.append(f"{problem}; read with antiword instead (merged table cells may be lost)")
    return ex


def read_antiword(data: bytes) -> Extracted:
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
