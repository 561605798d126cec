"""Legacy Word .doc reports: text via antiword (tables come out as '|'-separated lines)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile

from crawler.normalize import limits
from crawler.normalize.extracted import Extracted
from crawler.normalize.text_source import read_text


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
        return Extracted(
            source_format="doc",
            fatal=f"antiword could not read the DOC: {message[0] if message else 'no output'}",
        )
    return read_text(proc.stdout.decode("utf-8", "replace"), source_format="doc")
