"""Worker processes end with their parent: a killed `cnpolicy index --jobs 2` leaves none behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

# How long the kernel and the workers get to go once the parent is killed.
GONE_WITHIN_SECONDS = 10.0
# How long a cold start (imports, dictionaries) may take before the workers exist.
STARTED_WITHIN_SECONDS = 120.0


def children_of(pid: int) -> set[int]:
    found: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_killing_the_parent_ends_its_workers(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(400):  # enough work that the batch is still running when it is killed
        (folder / f"r{i:03}.txt").write_text(
            f"某市机构改革情况{i}\n改革后,市级党政机构精简为{i % 50 + 10}个,核减编制{i}名。\n" * 40,
            encoding="utf-8",
        )
    cnpolicy = Path(sys.executable).parent / "cnpolicy"
    parent = subprocess.Popen(
        [str(cnpolicy), "index", str(folder), "--store", str(tmp_path / "s.db"), "--jobs", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + STARTED_WITHIN_SECONDS
        workers: set[int] = set()
        while time.monotonic() < deadline and len(workers) < 2 and parent.poll() is None:
            workers = {pid for pid in children_of(parent.pid) if alive(pid)}
            time.sleep(0.2)
        assert len(workers) >= 2, "the batch never started its two workers"
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + GONE_WITHIN_SECONDS
        while time.monotonic() < deadline and any(alive(pid) for pid in workers):
            time.sleep(0.2)
        left = [pid for pid in workers if alive(pid)]
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        assert not left, f"workers {left} outlived their killed parent"
    finally:
        if parent.poll() is None:
            parent.kill()


# The ceiling a folder batch is held to in the test below: a worker with the pipeline loaded holds
# ~0.9 GB (README's memory table); 30 files of ~100 KB add little to that.
BATCH_CEILING_MB = 1500


def write_folder(folder: Path, count: int, repeat: int) -> list[Path]:
    from cnpolicy.quality.synth import document_at

    folder.mkdir()
    paths = []
    for i in range(count):
        path = folder / f"{i:03d}.txt"
        path.write_text(document_at(i, seed=5).text * repeat, "utf-8")
        paths.append(path)
    return paths


@pytest.mark.slow
def test_a_folder_batch_stays_under_the_worker_ceiling(tmp_path: Path) -> None:
    from cnpolicy.config import ExtractOptions, Options
    from cnpolicy.flows import run_batch_with_bytes
    from cnpolicy.records import Document

    paths = write_folder(tmp_path / "batch", 30, repeat=40)  # ~100 KB of text each
    options = Options(extract=ExtractOptions(entities=False), jobs=2,
                      max_worker_mb=BATCH_CEILING_MB)  # fmt: skip
    results = list(run_batch_with_bytes(paths, options, keep_up_to=0))
    assert [Path(r.result.source).name for r in results] == [p.name for p in paths]
    assert all(isinstance(r.result, Document) for r in results)
    assert all(0 < r.worker_mb < BATCH_CEILING_MB for r in results)


@pytest.mark.slow
def test_a_worker_over_the_ceiling_is_replaced_and_the_batch_goes_on(tmp_path: Path) -> None:
    from cnpolicy.config import ExtractOptions, Options
    from cnpolicy.flows import IN_FLIGHT_PER_WORKER, run_batch_with_bytes
    from cnpolicy.records import Document

    paths = write_folder(tmp_path / "batch", 20, repeat=1)
    # A ceiling every worker passes after its first file: each pool is replaced once what it
    # has in flight (at most jobs × IN_FLIGHT_PER_WORKER files) is collected.
    options = Options(extract=ExtractOptions(entities=False, metrics=False), jobs=2,
                      max_worker_mb=1)  # fmt: skip
    results = list(run_batch_with_bytes(paths, options, keep_up_to=0))
    assert [Path(r.result.source).name for r in results] == [p.name for p in paths]
    assert all(isinstance(r.result, Document) for r in results)
    pools = -(-len(paths) // (options.jobs * IN_FLIGHT_PER_WORKER))
    assert len({r.worker_pid for r in results}) > pools  # more workers than one pool's two
