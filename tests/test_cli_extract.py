"""`cnpolicy extract`: the JSONL contract, input order, failures in place, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cnpolicy.cli import build_parser, main
from cnpolicy.flows import iter_sources

CONTRACT = (
    "id",
    "source",
    "format",
    "title",
    "date",
    "publisher",
    "region",
    "doc_type",
    "text",
    "sections",
    "entities",
    "metrics",
    "sanding",
)
GOOD = "湛江市推进机构改革\n来源:湛江日报 2019-09-06\n市级机构从61个减到49个,编制精简率14.8%。\n"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_jsonl_one_object_per_document_in_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "b.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "a.txt").write_text(GOOD.replace("61", "62"), encoding="gbk")
    (tmp_path / "notes.md").write_text("not a document", encoding="utf-8")
    code, out, _ = run(["extract", str(tmp_path), "--format", "jsonl"], capsys)
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert [Path(item["source"]).name for item in lines] == ["a.txt", "b.txt"]
    for item in lines:
        assert all(key in item for key in CONTRACT)
        assert item["region"]["code"] == "440800"
        assert item["date"] == "2019-09-06"
    assert lines[0]["id"] != lines[1]["id"]


def test_bad_file_reported_in_place_and_batch_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "1.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "2.pdf").write_bytes(b"%PDF-1.4\n% truncated")
    (tmp_path / "3.txt").write_bytes(b"")
    (tmp_path / "4.txt").write_text(GOOD.replace("49", "48"), encoding="utf-8")
    code, out, err = run(["extract", str(tmp_path)], capsys)
    assert code == 1
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 4
    assert "error" not in lines[0] and "error" not in lines[3]
    assert lines[1]["source"].endswith("2.pdf") and "2.pdf" in lines[1]["error"]
    assert lines[2]["source"].endswith("3.txt") and lines[2]["kind"] == "EmptyDocumentError"
    assert "2 of 4 files could not be read" in err


def test_missing_path_is_an_error_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["extract", str(tmp_path / "nope.txt")], capsys)
    assert code == 1
    item = json.loads(out)
    assert item["error"].endswith("no such file") and "nope.txt" in item["error"]


def test_empty_folder_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["extract", str(tmp_path)], capsys)
    assert code == 2
    assert "no documents found" in err


def test_json_format_is_one_array(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    code, out, _ = run(["extract", str(tmp_path / "a.txt"), "--format", "json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert isinstance(data, list) and data[0]["title"] == "湛江市推进机构改革"


def test_jobs_two_gives_the_same_output(corpora: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sources = iter_sources([corpora])[:6]
    if len(sources) < 2:
        pytest.skip("corpora/ has no samples yet")
    argv = ["extract", *map(str, sources), "--no-entities"]
    _, one, _ = run([*argv, "--jobs", "1"], capsys)
    _, two, _ = run([*argv, "--jobs", "2"], capsys)
    assert one == two and len(one.splitlines()) == len(sources)


def test_near_duplicate_linked_to_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = "".join(
        f"第{i}批改革中,市级机构从{60 + i}个减到{40 + i}个,编制精简率{i}%。\n" for i in range(30)
    )
    (tmp_path / "a.txt").write_text("湛江市机构改革纪实\n" + body, encoding="utf-8")
    (tmp_path / "b.txt").write_text(
        "新华网首页\n湛江市机构改革纪实\n" + body + "责任编辑:李四\n", encoding="utf-8"
    )
    code, out, _ = run(["extract", str(tmp_path), "--no-entities", "--no-metrics"], capsys)
    first, second = (json.loads(line) for line in out.splitlines())
    assert code == 0 and first["duplicate_of"] is None
    assert second["duplicate_of"] == first["id"]


def test_every_subcommand_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    for command in ("extract", "bench"):
        with pytest.raises(SystemExit) as exit_info:
            parser.parse_args([command, "--help"])
        assert exit_info.value.code == 0
    assert "extract" in capsys.readouterr().out


def test_bad_option_value_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["extract", "x", "--jobs", "0"])
    assert exit_info.value.code == 2
    assert "at least 1" in capsys.readouterr().err


def test_a_file_name_that_is_not_utf8_is_stored_under_a_readable_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import os

    folder = os.fsencode(tmp_path)
    gbk = folder + b"/" + "报告".encode("gbk") + b".txt"  # a GBK name, as Windows zips carry
    broken = folder + b"/\xff\xfe-notes.txt"  # bytes no encoding reads
    for name in (gbk, broken):
        with open(name, "w", encoding="utf-8") as handle:
            handle.write(GOOD)
    store = tmp_path / "store.db"
    assert main(["index", str(tmp_path), "--store", str(store)]) == 0
    assert "indexed 2 of 2" in capsys.readouterr().err
    code, out, _ = run(["extract", str(tmp_path), "--format", "jsonl"], capsys)
    assert code == 0
    sources = sorted(Path(json.loads(line)["source"]).name for line in out.splitlines())
    assert sources == ["报告.txt", "\ufffd\ufffd-notes.txt"]
