"""Peak memory of `cnpolicy extract` on big inputs (the README's memory table; not a test).

Builds the inputs in a temporary folder from a real report (../shared/corpus/real, else the
bundled corpora) and runs the CLI under /usr/bin/time -v, with --jobs 1 and 2:
1 MB, 10 MB and 30 MB of text, a 300-page PDF, and a folder of 1,000 files.
Usage: .venv/bin/python tools/memory_bench.py [--only NAME ...]
"""

from __future__ import annotations

import argparse
import io
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

REPO = Path(__file__).resolve().parent.parent
REAL = REPO.parent / "shared" / "corpus" / "real" / "provinces-2026"
CLI = REPO / ".venv" / "bin" / "cnpolicy"
MB = 1024 * 1024


def sample_text() -> str:
    files = sorted(REAL.glob("*.txt")) or sorted((REPO / "corpora" / "reform").glob("*.txt"))
    return files[0].read_text("utf-8")


def text_of_size(size: int) -> str:
    text = sample_text() + "\n"
    return (text * (size // len(text.encode()) + 1))[: size // 3]


def pdf_of_pages(pages: int) -> bytes:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    lines = [line for line in sample_text().splitlines() if line.strip()]
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    for page in range(pages):
        canvas.setFont("STSong-Light", 10)
        for row in range(40):
            line = lines[(page * 40 + row) % len(lines)][:45]
            canvas.drawString(50, 800 - 18 * row, line)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def build(folder: Path) -> dict[str, Path]:
    inputs = {}
    for mb in (1, 10, 30):
        path = folder / f"text-{mb}mb.txt"
        path.write_text(text_of_size(mb * MB), encoding="utf-8")
        inputs[f"{mb} MB text"] = path
    pdf = folder / "pages-300.pdf"
    pdf.write_bytes(pdf_of_pages(300))
    inputs["300-page PDF"] = pdf
    many = folder / "files-1000"
    many.mkdir()
    paragraphs = [p for p in sample_text().split("\n") if len(p) > 40]
    for n in range(1000):
        (many / f"{n:04d}.txt").write_text(
            f"第{n}号简报\n" + "\n".join(paragraphs[n % len(paragraphs) :][:5]), encoding="utf-8"
        )
    inputs["1,000-file folder"] = many
    return inputs


def peak(path: Path, jobs: int) -> tuple[float, float]:
    """(peak RSS in MB of the largest process, wall seconds)."""
    run = subprocess.run(
        ["/usr/bin/time", "-v", str(CLI), "extract", str(path), "--jobs", str(jobs)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False,
    )  # fmt: skip
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr).group(1))  # type: ignore[union-attr]
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", run.stderr)
    parts = [float(p) for p in wall.group(1).split(":")] if wall else [0.0]
    seconds = sum(p * 60**i for i, p in enumerate(reversed(parts)))
    return rss / 1024, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        inputs = build(Path(tmp))
        print("| input | --jobs 1: peak RSS, time | --jobs 2: peak RSS, time |")
        print("| --- | --- | --- |")
        for name, path in inputs.items():
            if args.only and not any(o in name for o in args.only):
                continue
            cells = []
            for jobs in (1, 2):
                rss, seconds = peak(path, jobs)
                cells.append(f"{rss:,.0f} MB, {seconds:.0f} s")
            print(f"| {name} | {' | '.join(cells)} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
