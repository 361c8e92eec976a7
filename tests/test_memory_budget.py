"""Big inputs within a memory budget: a text past spaCy's old ceiling and a long PDF are
documents, extracted by the CLI in a child process whose peak resident memory is asserted."""

from __future__ import annotations

import io
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from cnpolicy.ingest import ingest_bytes
from tests.conftest import CORPORA

pytestmark = pytest.mark.slow

# Peak resident memory allowed for `cnpolicy extract` on one big file: the process with its
# dictionaries and spaCy is ~0.9 GB, a block ~0.1 GB, the text and its records ~30 MB per
# million characters (tools/memory_bench.py); 1.6 GB leaves room for a loaded machine.
MEMORY_BUDGET_MB = 1600
# Characters of the big text: past spaCy's default ceiling of 1,000,000 (before: error E088).
BIG_TEXT_CHARS = 1_500_000
# Seconds a child may run before it is killed (each takes ~15 s here; a hang fails the test).
CHILD_SECONDS = 600


def wait_with_usage(pid: int) -> tuple[int, resource.struct_rusage]:
    """Wait for one child (killed past CHILD_SECONDS): its wait status and its own rusage."""
    deadline = time.monotonic() + CHILD_SECONDS
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return status, usage
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.1)


def peak_mb_of_extract(path: Path) -> tuple[float, list[dict[str, object]]]:
    """Run the CLI on `path` in a child process: its own peak RSS (MB) and its JSONL records.

    The peak is read from `os.wait4` for that one child: RUSAGE_CHILDREN would report the
    largest child this test process ever waited for (a search node started by another test
    in the same worker, say), not this one."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(
            [sys.executable, "-m", "cnpolicy", "extract", str(path), "--format", "jsonl"],
            stdout=out, stderr=err,
        )  # fmt: skip
        status, usage = wait_with_usage(child.pid)
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8"), err.read().decode("utf-8", "replace")
    assert child.returncode == 0, stderr[-2000:]
    assert usage.ru_maxrss > 0
    return usage.ru_maxrss / 1024, [json.loads(line) for line in stdout.splitlines()]


def report_text() -> str:
    files = sorted(p for p in CORPORA.rglob("*") if p.suffix in (".txt", ".html"))
    return "\n".join(ingest_bytes(p.read_bytes(), source=str(p)).text for p in files)


def test_a_text_past_spacys_old_ceiling_is_a_document_within_budget(tmp_path: Path) -> None:
    text = report_text()
    big = tmp_path / "big.txt"
    big.write_text((text + "\n") * (BIG_TEXT_CHARS // len(text) + 1), encoding="utf-8")
    peak, records = peak_mb_of_extract(big)
    assert len(records) == 1 and "error" not in records[0]
    assert len(records[0]["text"]) > 1_000_000  # type: ignore[arg-type]
    assert records[0]["metrics"]
    assert peak < MEMORY_BUDGET_MB, f"peak {peak:.0f} MB"


def test_a_long_pdf_is_read_a_page_at_a_time_within_budget(tmp_path: Path) -> None:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    for page in range(150):
        for row in range(40):
            canvas.drawString(50, 800 - 18 * row, f"Page {page} line {row}: offices cut by {row}%.")
        canvas.showPage()
    canvas.save()
    pdf = tmp_path / "long.pdf"
    pdf.write_bytes(out.getvalue())
    peak, records = peak_mb_of_extract(pdf)
    assert len(records) == 1 and "error" not in records[0], records[0].get("error")
    assert peak < MEMORY_BUDGET_MB, f"peak {peak:.0f} MB"
