"""`cnpolicy bench process`: whole `cnpolicy extract` processes against bare segmenting processes.

Three child processes read the same files (text reports repeated to a target size): one runs
`jieba.lcut` (default options) over each, one `rjieba.cut`, one is `cnpolicy extract --jobs 1`
with its output discarded. Start-up, imports, dictionary loading, ingest and output all count,
as when a user runs it. The figure is CPU seconds (user + system, from `os.wait4` in a launcher:
see cnpolicy/quality/child.py).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from cnpolicy.errors import ConfigError
from cnpolicy.quality.child import run_child

__all__ = [
    "DEFAULT_CHARACTERS",
    "DEFAULT_CORPUS",
    "RATIO_FLOOR",
    "ProcessBench",
    "ProcessRun",
    "add_process_arguments",
    "copy_to_size",
    "run_process",
    "time_child",
]

# About two million characters: the size issue 12 measures at (the 77 real reports hold 1.6 M,
# so some are read twice, under new names).
DEFAULT_CHARACTERS = 2_000_000
DEFAULT_CORPUS = Path("../shared/corpus/real")
# The floor issue 12 sets: the whole extract process at least as fast as bare jieba.lcut.
RATIO_FLOOR = 1.0

# Bare segmenting processes: read each file named on stdin and cut it, nothing else.
_SEGMENT_SCRIPTS = {
    "jieba": (
        "import sys, jieba\n"
        "for path in sys.stdin.read().splitlines():\n"
        "    jieba.lcut(open(path, encoding='utf-8').read())\n"
    ),
    "rjieba": (
        "import sys, rjieba\n"
        "for path in sys.stdin.read().splitlines():\n"
        "    rjieba.cut(open(path, encoding='utf-8').read())\n"
    ),
}


@dataclass(frozen=True, slots=True)
class ProcessRun:
    """One child process: CPU seconds (user + system), wall seconds, peak resident MB."""

    cpu_seconds: float
    wall_seconds: float
    peak_rss_mb: float


@dataclass(frozen=True, slots=True)
class ProcessBench:
    files: int
    characters: int
    jieba: ProcessRun
    rjieba: ProcessRun
    extract: ProcessRun
    ratio_to_jieba: float
    ratio_to_rjieba: float
    ratio_floor: float


def add_process_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="text reports")
    parser.add_argument(
        "--chars", type=int, default=DEFAULT_CHARACTERS, help="characters to process in all"
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")


def copy_to_size(corpus: Path, characters: int, folder: Path) -> tuple[list[Path], int]:
    """Copies of the corpus's .txt files (in turn, renamed) until `characters` are reached."""
    sources = sorted(p for p in corpus.rglob("*.txt") if p.is_file())
    sizes = [len(p.read_text(encoding="utf-8")) for p in sources]
    if not sources or not any(sizes):
        raise ConfigError(f"no text reports in {corpus}", field="--corpus")
    copies: list[Path] = []
    total = 0
    while total < characters:
        index = len(copies)
        source, size = sources[index % len(sources)], sizes[index % len(sources)]
        target = folder / f"{index:04d}-{source.name}"
        shutil.copyfile(source, target)
        copies.append(target)
        total += size
    return copies, total


def time_child(command: list[str], stdin: str = "") -> ProcessRun:
    """Run one child to its end with its output discarded: its own CPU time and peak memory."""
    with tempfile.TemporaryFile() as feed:
        feed.write(stdin.encode("utf-8"))
        feed.seek(0)
        run = run_child(command, stdin=feed)
    if run.returncode != 0:
        raise ConfigError(f"{command[:4]} exited with {run.returncode}", field="--corpus")
    return ProcessRun(
        cpu_seconds=round(run.cpu_seconds, 2),
        wall_seconds=round(run.wall_seconds, 2),
        peak_rss_mb=round(run.peak_rss_mb, 1),
    )


def measure(files: list[Path], characters: int, folder: Path) -> ProcessBench:
    listing = "\n".join(str(p) for p in files)
    segmenters = {
        name: time_child([sys.executable, "-c", script], stdin=listing)
        for name, script in _SEGMENT_SCRIPTS.items()
    }
    extract = time_child(
        [sys.executable, "-m", "cnpolicy", "extract", str(folder), "--jobs", "1",
         "--format", "jsonl"]
    )  # fmt: skip
    return ProcessBench(
        files=len(files),
        characters=characters,
        jieba=segmenters["jieba"],
        rjieba=segmenters["rjieba"],
        extract=extract,
        ratio_to_jieba=round(segmenters["jieba"].cpu_seconds / extract.cpu_seconds, 3),
        ratio_to_rjieba=round(segmenters["rjieba"].cpu_seconds / extract.cpu_seconds, 3),
        ratio_floor=RATIO_FLOOR,
    )


def run_process(args: argparse.Namespace) -> int:
    if args.chars < 1:
        raise ConfigError("expected at least 1 character", field="--chars")
    with tempfile.TemporaryDirectory(prefix="cnpolicy-bench-") as tmp:
        folder = Path(tmp)
        files, characters = copy_to_size(args.corpus, args.chars, folder)
        result = measure(files, characters, folder)
    if args.format == "json":
        json.dump(asdict(result), sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    verdict = "at or above" if result.ratio_to_jieba >= RATIO_FLOOR else "BELOW"
    print(f"process benchmark: {result.files} files, {result.characters:,} characters")
    for name, one in (
        ("jieba", result.jieba),
        ("rjieba", result.rjieba),
        ("extract", result.extract),
    ):
        print(
            f"{name:<8} {one.cpu_seconds:>7.2f} s CPU {one.wall_seconds:>7.2f} s wall "
            f"{one.peak_rss_mb:>7.1f} MB peak"
        )
    print(
        f"extract against jieba.lcut  {result.ratio_to_jieba} ({verdict} the floor {RATIO_FLOOR})"
    )
    print(f"extract against rjieba.cut  {result.ratio_to_rjieba} (the limit)")
    return 0
