"""The whole-process benchmark (cnpolicy/quality/bench_process.py) runs real child processes and
reports their CPU time (a benchmark, not a timed test: no speed is asserted)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from cnpolicy.cli import main
from cnpolicy.errors import ConfigError
from cnpolicy.quality.bench_process import copy_to_size, time_child

pytestmark = pytest.mark.slow

SAMPLE = "某市机构改革情况\n改革后,市级设党政机构49个,精简内设机构20个,编制精简率14.8%。\n" * 20


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a.txt").write_text(SAMPLE, "utf-8")
    (folder / "b.txt").write_text(SAMPLE.replace("49", "51"), "utf-8")
    return folder


def test_files_are_copied_in_turn_until_the_size_is_reached(corpus: Path, tmp_path: Path) -> None:
    target = tmp_path / "copies"
    target.mkdir()
    files, characters = copy_to_size(corpus, 5 * len(SAMPLE), target)
    assert len(files) == 5 and characters == 5 * len(SAMPLE)
    assert [f.name.split("-", 1)[1] for f in files] == ["a.txt", "b.txt", "a.txt", "b.txt", "a.txt"]
    assert len({f.name for f in files}) == 5


def test_a_folder_without_text_reports_is_a_named_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no text reports") as error:
        copy_to_size(tmp_path, 100, tmp_path)
    assert error.value.field == "--corpus"


def test_a_child_is_timed_by_its_own_cpu_and_a_failing_one_is_an_error() -> None:
    busy = time_child([sys.executable, "-c", "sum(i * i for i in range(3_000_000))"])
    assert busy.cpu_seconds > 0.05 and busy.wall_seconds >= busy.cpu_seconds * 0.5
    assert busy.peak_rss_mb > 1
    with pytest.raises(ConfigError, match="exited with 3"):
        time_child([sys.executable, "-c", "raise SystemExit(3)"])


def test_the_command_runs_the_three_processes(
    corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["bench", "process", "--corpus", str(corpus), "--chars", "2000",
                 "--format", "json"])  # fmt: skip
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["files"] == -(-2000 // len(SAMPLE)) and data["characters"] >= 2000
    for name in ("jieba", "rjieba", "extract"):
        assert data[name]["cpu_seconds"] > 0
    assert data["ratio_to_jieba"] == pytest.approx(
        data["jieba"]["cpu_seconds"] / data["extract"]["cpu_seconds"], abs=0.001
    )
