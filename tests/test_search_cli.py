"""The store's subcommands, driven through the real CLI on temporary stores."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from cnpolicy.cli import main
from cnpolicy.quality.synth import write_corpus
from cnpolicy.search.export import METRIC_COLUMNS
from cnpolicy.search.sqlite.store import SqliteStore
from tests.test_store_backend import sample_documents


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("cli") / "store.db"
    with SqliteStore(path) as store:
        store.index(sample_documents())
    return str(path)


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_index_reports_a_bad_file_and_keeps_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "files"
    written = list(write_corpus(folder, 4, seed=11))
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n this is not really a pdf")
    store = tmp_path / "s.db"
    code, _out, err = run(
        ["index", str(folder), "--store", str(store), "--no-entities", "--no-metrics"], capsys
    )
    assert code == 1
    assert "broken.pdf" in err and "indexed 4 of 5" in err
    with SqliteStore(store) as opened:
        assert opened.count() == 4
    # Indexing the same files again replaces them: still four documents.
    code, _out, err = run(
        ["index", *map(str, written), "--store", str(store), "--no-entities", "--no-metrics"],
        capsys,
    )
    assert code == 0 and "indexed 4 of 4" in err
    with SqliteStore(store) as opened:
        assert opened.count() == 4


def test_search_json_has_the_documented_shape(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["search", "编制精简率", "--region", "广东", "--year", "2019..2021", "--format", "json",
                        "--store", db], capsys)  # fmt: skip
    assert code == 0
    result = json.loads(out)
    assert set(result) == {"total", "hits", "facets"}
    assert result["total"] == 4 == len(result["hits"])
    for hit in result["hits"]:
        assert set(hit) == {"id", "title", "region", "date", "doc_type", "score", "snippets"}
        assert "<mark>" in hit["snippets"][0]
        assert hit["region"]["province"] == "广东省"
    assert set(result["facets"]) == {"region", "year", "doc_type", "publisher"}


def test_search_sorts_oldest_first_and_takes_part_of_a_publisher(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["search", "编制", "--sort", "oldest", "--format", "json", "--store", db],
                       capsys)  # fmt: skip
    dates = [h["date"] for h in json.loads(out)["hits"] if h["date"]]
    assert code == 0 and dates == sorted(dates) and len(set(dates)) > 1
    code, out, _ = run(["search", "", "--publisher", "编办", "--format", "json", "--store", db],
                       capsys)  # fmt: skip
    result = json.loads(out)
    assert code == 0 and result["total"] > 0
    assert all("机构编制委员会办公室" in p for p in result["facets"]["publisher"])


def test_search_table_and_paging(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["search", "编制", "--limit", "2", "--offset", "1", "--store", db], capsys)
    assert code == 0 and "documents" in out and "region" in out


def test_metrics_as_csv(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["metrics", "--indicator", "staffing.reduction_rate", "--min", "9", "--format", "csv",
                        "--store", db], capsys)  # fmt: skip
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == list(METRIC_COLUMNS)
    assert sorted(float(r["value"]) for r in rows) == [9.5, 12, 14.8]


def test_compare_json_and_table(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["compare", "--indicator", "staffing.reduction_rate,institutions.party_government",
                        "--regions", "湛江市，长春市", "--format", "json", "--store", db], capsys)  # fmt: skip
    assert code == 0
    table = json.loads(out)
    assert [r["region"]["name"] for r in table["rows"]] == ["长春市", "湛江市"]
    assert table["rows"][1]["values"]["staffing.reduction_rate"]["value"] == 6
    code, out, _ = run(["compare", "--indicator", "staffing.reduction_rate", "--store", db], capsys)
    assert code == 0 and "广州市" in out


def test_sanding_table(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["sanding", "--body", "科", "--store", db], capsys)
    assert code == 0 and "江州市市场监督管理局" in out and "湛江市生态环境局" in out


def test_export_files(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "m.parquet"
    code, _, err = run(["export", "metrics", "--region", "广东省", "--format", "parquet", "--output", str(target),
                        "--store", db], capsys)  # fmt: skip
    assert code == 0 and "wrote 7 rows" in err
    assert len(pd.read_parquet(target)) == 7
    code, _, _ = run(["export", "documents", "--query", "编制", "--type", "sanding", "--format", "json",
                      "--output", str(tmp_path / "d.json"), "--store", db], capsys)  # fmt: skip
    assert code == 0 and len(json.loads((tmp_path / "d.json").read_text("utf-8"))) == 2


def test_export_refuses_filters_that_do_not_apply(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["export", "metrics", "--query", "编制", "--format", "csv", "--output",
                        str(tmp_path / "x.csv"), "--store", db], capsys)  # fmt: skip
    assert code == 2 and "--query" in err
    code, _, err = run(["export", "compare", "--format", "csv", "--output", str(tmp_path / "x.csv"),
                        "--store", db], capsys)  # fmt: skip
    assert code == 2 and "--indicator" in err
    assert not (tmp_path / "x.csv").exists()


def test_errors_become_exit_codes(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["search", "编制", "--store", str(tmp_path / "none.db")], capsys)
    assert code == 4 and "none.db" in err
    code, _, err = run(["search", "编制", "--year", "2019..2018", "--store", db], capsys)
    assert code == 2 and "year" in err
    code, _, err = run(["search", "，，", "--store", db], capsys)
    assert code == 2 and "no searchable word" in err
