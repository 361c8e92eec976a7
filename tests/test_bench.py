"""The extraction benchmark (cnpolicy/quality/bench_extract.py) runs and reports numbers (it is not a timed test)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from cnpolicy.errors import ConfigError
from cnpolicy.quality.bench_extract import (
    add_arguments,
    build_documents,
    load_samples,
    measure,
    run,
)

SAMPLE = "某市机构改革情况\n改革后,市级设党政机构49个,精简内设机构20个,编制精简率14.8%。\n" * 5


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    (tmp_path / "a.txt").write_text(SAMPLE, "utf-8")
    (tmp_path / "b.txt").write_text(SAMPLE.replace("49", "51"), "utf-8")
    return tmp_path


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(argv)


def test_documents_are_cut_to_length(corpus: Path) -> None:
    documents = build_documents(load_samples(corpus), 7, 50)
    assert len(documents) == 7
    assert all(len(d.text) == 50 for d in documents)
    assert len({d.id for d in documents}) == 7


def test_measure_reports_speeds_and_memory(corpus: Path) -> None:
    result = measure(build_documents(load_samples(corpus), 5, 200))
    assert result.documents == 5 and result.characters == 1000
    assert result.jieba_chars_per_second > 0 and result.pipeline_chars_per_second > 0
    assert result.ratio == pytest.approx(
        result.pipeline_chars_per_second / result.jieba_chars_per_second, rel=0.01
    )
    assert result.metrics > 0
    assert len(result.rss_mb) >= 2 and all(r > 0 for r in result.rss_mb)


def test_run_prints_json(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(parse(["--docs", "5", "--chars-per-doc", "100", "--corpus", str(corpus),
                      "--format", "json"])) == 0  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert data["documents"] == 5 and data["ratio"] > 0 and data["ratio_floor"] == 0.5


def test_run_prints_a_table(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(parse(["--docs", "5", "--chars-per-doc", "100", "--corpus", str(corpus)]))
    out = capsys.readouterr().out
    assert "chars/s" in out and "ratio" in out and "resident memory" in out


@pytest.mark.parametrize("argv", [["--docs", "0"], ["--chars-per-doc", "0"]])
def test_bad_arguments(argv: list[str], corpus: Path) -> None:
    with pytest.raises(ConfigError):
        run(parse([*argv, "--corpus", str(corpus)]))


def test_an_empty_corpus_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no sample documents"):
        run(parse(["--docs", "5", "--corpus", str(tmp_path)]))
