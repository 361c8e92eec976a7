"""The evaluator (cnpolicy/quality/evaluate.py): gold parsing, pairing rules, scores and the report."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from cnpolicy.errors import GoldFormatError
from cnpolicy.quality.evaluate import (
    GoldMetric,
    QuoteLocator,
    Scores,
    add_arguments,
    evaluate,
    parse_gold_line,
    read_gold,
    run,
    score,
    subject_lines,
)
from cnpolicy.records import Metric, Region

TEXT = "改革后,市级设党政机构49个,比改革前减少12个。另设机构49个。"


def metric(
    text: str, value: float, unit: str = "个", *, at: int | None = None, **fields: object
) -> Metric:
    start = TEXT.index(text) if at is None else at
    defaults: dict[str, object] = {"kind": "count", "sentence": TEXT}
    defaults.update(fields)
    return Metric(text=text, start=start, end=start + len(text), value=value, unit=unit, **defaults)  # type: ignore[arg-type]


def gold(quote: str, value: float, unit: str = "个", **fields: object) -> GoldMetric:
    values: dict[str, object] = {
        "doc": "d",
        "quote": quote,
        "value": value,
        "unit": unit,
        "kind": "count",
    }
    values.update(fields)
    return GoldMetric(**values)  # type: ignore[arg-type]


# --- reading gold ---------------------------------------------------------------------------------


def test_read_gold(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    lines = [
        {"doc": "d", "quote": "设党政机构49个", "value": 49, "unit": "个", "kind": "count",
         "subject": "市级党政机构", "region": "湛江市"},
        {"doc": "d", "quote": "2-3个", "value": 2, "value_max": 3, "unit": "个", "kind": "count"},
    ]  # fmt: skip
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n\n", "utf-8")
    read = read_gold(path)
    assert [g.value for g in read] == [49, 2]
    assert read[0].subject == "市级党政机构" and read[1].value_max == 3
    assert read[1].line == 2 and read[0].source == str(path)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"doc": "d", "quote": "x", "value": 1, "unit": "个"}', "kind"),
        ('{"doc": "d", "quote": "x", "value": "1", "unit": "个", "kind": "count"}', "value"),
        ('{"doc": "d", "quote": "x", "value": 1, "unit": "个", "kind": "sum"}', "kind"),
        ('{"doc": "d", "quote": "x", "value": 1, "unit": "个", "kind": "count", "approx": "many"}',
         "approx"),
    ],
)  # fmt: skip
def test_malformed_gold_names_file_and_line(line: str, message: str) -> None:
    with pytest.raises(GoldFormatError, match=message) as raised:
        parse_gold_line(line, source="gold/d.jsonl", line=7)
    assert "gold/d.jsonl:7" in str(raised.value)


def test_read_gold_reports_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    good = '{"doc": "d", "quote": "x", "value": 1, "unit": "个", "kind": "count"}'
    path.write_text(f"{good}\n{good}\n{{oops\n", "utf-8")
    with pytest.raises(GoldFormatError, match=r"d\.jsonl:3"):
        read_gold(path)


# --- pairing ----------------------------------------------------------------------------------------


def test_a_pair_needs_value_unit_and_overlap() -> None:
    scores = score([gold("设党政机构49个", 49)], [metric("49个", 49)], text=TEXT)
    assert (scores.tp, scores.fp, scores.fn) == (1, 0, 0)
    wrong_unit = score([gold("设党政机构49个", 49)], [metric("49个", 49, "名")], text=TEXT)
    assert (wrong_unit.tp, wrong_unit.fp, wrong_unit.fn) == (0, 1, 1)
    wrong_value = score([gold("设党政机构49个", 49)], [metric("49个", 50)], text=TEXT)
    assert (wrong_value.tp, wrong_value.fp, wrong_value.fn) == (0, 1, 1)


def test_ranges_need_the_same_high_end() -> None:
    text = "统一设置2-3个事业单位"
    found = Metric("2-3个", 4, 8, text, 2, "个", "count", value_max=3)
    assert score([gold("2-3个", 2, value_max=3)], [found], text=text).tp == 1
    assert score([gold("2-3个", 2, value_max=4)], [found], text=text).tp == 0
    assert score([gold("2-3个", 2)], [found], text=text).tp == 0


def test_a_repeated_quote_pairs_with_the_occurrence_a_prediction_overlaps() -> None:
    second = TEXT.rindex("机构49个")
    predicted = [metric("49个", 49, at=second + 2)]
    scores = score([gold("机构49个", 49)], predicted, text=TEXT)
    assert scores.tp == 1
    far_away = [metric("减少12个", 49)]  # same value, but nowhere near any occurrence
    assert score([gold("机构49个", 49)], far_away, text=TEXT).tp == 0


def test_each_occurrence_pairs_once() -> None:
    first, second = TEXT.index("机构49个"), TEXT.rindex("机构49个")
    predicted = [metric("49个", 49, at=first + 2), metric("49个", 49, at=second + 2)]
    golds = [gold("市级设党政机构49个", 49), gold("另设机构49个", 49)]
    assert score(golds, predicted, text=TEXT).tp == 2


def test_exact_duplicates_count_once() -> None:
    scores = score([gold("减少12个", 12)] * 2, [metric("12个", 12)] * 2, text=TEXT)
    assert (scores.tp, scores.fp, scores.fn) == (1, 0, 0)


def test_quotes_may_span_line_breaks() -> None:
    text = "市级设党政\n机构49个"
    found = Metric("49个", text.index("49"), len(text), text, 49, "个", "count")
    assert QuoteLocator(text).find_all("党政机构49个") == [(3, len(text))]
    assert score([gold("党政机构49个", 49)], [found], text=text).tp == 1


def test_without_text_the_quote_is_found_in_the_sentence() -> None:
    assert score([gold("设党政机构49个", 49)], [metric("49个", 49)]).tp == 1


def test_field_accuracy_on_matched_pairs() -> None:
    zhanjiang = Region("湛江市", "440800")
    golds = [
        gold("设党政机构49个", 49, subject="市级党政机构", region="湛江市"),
        gold("减少12个", 12, subject="市级党政机构", region="湛江市", approx="more_than"),
        gold("从5个减到4个", 4, kind="change", before=5),
    ]
    text = TEXT + "从5个减到4个"
    predicted = [
        metric("49个", 49, subject="市级党政机构", region=zhanjiang),
        metric("减少12个", 12, subject="党政机构", region=None),
        Metric("5个减到4个", len(TEXT) + 1, len(text), text, 4, "个", "change", before=6),
    ]
    scores = score(golds, predicted, text=text)
    assert scores.tp == 3
    assert scores.rate("subject") == pytest.approx(2 / 3)  # None == None on the change
    assert scores.rate("subject_lenient") == 1  # one contains the other, or both are absent
    assert scores.rate("region") == pytest.approx(2 / 3)  # the change has no region on either side
    assert scores.rate("approx") == pytest.approx(2 / 3)
    assert scores.rate("kind") == 1
    assert (scores.changes, scores.before) == (1, 0)


def test_scores_add_and_derive_rates() -> None:
    a = Scores(tp=3, fp=1, fn=0, subject=3)
    b = Scores(tp=1, fp=0, fn=1, subject=0)
    total = a + b
    assert (total.tp, total.fp, total.fn, total.subject) == (4, 1, 1, 3)
    assert total.precision == pytest.approx(0.8) and total.recall == pytest.approx(0.8)
    assert total.f1 == pytest.approx(0.8)
    assert Scores().f1 == 1.0 and Scores(fp=2).precision == 0


# --- the whole run ----------------------------------------------------------------------------------


@pytest.fixture
def small_set(tmp_path: Path) -> Path:
    (tmp_path / "gold").mkdir()
    (tmp_path / "docs").mkdir()
    text = "湛江市机构改革情况\n改革后,市级设党政机构49个,编制精简率14.8%,召开会议3次。\n"
    (tmp_path / "docs" / "sample.txt").write_text(text, "utf-8")
    lines = [
        {"doc": "sample", "quote": "设党政机构49个", "value": 49, "unit": "个", "kind": "count",
         "subject": "市级党政机构"},
        {"doc": "sample", "quote": "精简率14.8%", "value": 14.8, "unit": "%", "kind": "percent",
         "subject": "编制精简率"},
        {"doc": "sample", "quote": "没有的5项", "value": 5, "unit": "项", "kind": "count"},
    ]  # fmt: skip
    gold_text = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines)
    (tmp_path / "gold" / "sample.jsonl").write_text(gold_text, "utf-8")
    return tmp_path


def test_evaluate_runs_the_pipeline(small_set: Path) -> None:
    report = evaluate(small_set / "gold", small_set / "docs")
    overall = report.overall
    assert (overall.tp, overall.fn, overall.fp) == (2, 1, 1)
    assert [g.quote for g in overall.missed] == ["没有的5项"]
    assert [m.value for m in overall.spurious] == [3]
    assert overall.rate("subject") == 1
    assert report.to_dict()["overall"]["f1"] == pytest.approx(2 / 3, abs=1e-4)


def test_documents_are_found_next_to_the_gold_by_default(small_set: Path) -> None:
    assert evaluate(small_set / "gold").overall.tp == 2


def test_a_missing_document_is_an_error(small_set: Path, tmp_path: Path) -> None:
    empty = tmp_path / "nothing"
    empty.mkdir()
    with pytest.raises(GoldFormatError, match="no document named sample"):
        evaluate(small_set / "gold", empty)


def test_a_line_for_another_document_is_an_error(small_set: Path) -> None:
    path = small_set / "gold" / "sample.jsonl"
    path.write_text('{"doc": "other", "quote": "x", "value": 1, "unit": "个", "kind": "count"}')
    with pytest.raises(GoldFormatError, match=r"sample\.jsonl:1"):
        evaluate(small_set / "gold", small_set / "docs")


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(argv)


def test_plain_report_ends_with_a_four_line_summary(
    small_set: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(parse([str(small_set / "gold"), str(small_set / "docs")])) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-4].startswith("overall: 1 documents, 3 gold, 3 predicted, 2 matched")
    assert "F1 0.6667" in lines[-3]
    assert "exact string match" in lines[-2]
    assert lines[-1].startswith("region")
    assert any("missed" in line and "没有的5项" in line for line in lines)


def test_json_report(small_set: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(parse([str(small_set / "gold"), str(small_set / "docs"), "--format", "json"]))
    data = json.loads(capsys.readouterr().out)
    assert data["overall"]["tp"] == 2
    assert data["documents"][0]["missed"][0]["quote"] == "没有的5项"


def test_subject_mismatches_are_listed_on_request(
    small_set: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = small_set / "gold" / "sample.jsonl"
    path.write_text(path.read_text("utf-8").replace('"市级党政机构"', '"党政机构"'), "utf-8")
    argv = [str(small_set / "gold"), str(small_set / "docs")]
    run(parse([*argv, "--subjects"]))
    listed = [line for line in capsys.readouterr().out.splitlines() if "subject  " in line]
    assert listed == ["  subject  设党政机构49个  gold 党政机构 | predicted 市级党政机构"]
    run(parse(argv))
    assert "predicted 市级党政机构" not in capsys.readouterr().out


def test_subject_lines_name_only_pairs_that_differ() -> None:
    scores = score(
        [gold("设党政机构49个", 49, subject="市级党政机构"), gold("减少12个", 12, subject="机构")],
        [metric("49个", 49, subject="市级党政机构"), metric("减少12个", 12, subject=None)],
        text=TEXT,
    )
    assert subject_lines(scores) == ["subject  减少12个  gold 机构 | predicted -"]


def test_quotation_marks_do_not_make_two_subjects_differ() -> None:
    golds = [gold("设党政机构49个", 49, subject="两院院士")]
    quoted = score(golds, [metric("49个", 49, subject="“两院”院士")])
    other = score(golds, [metric("49个", 49, subject="“两院”代表")])
    assert (quoted.subject, quoted.subject_lenient) == (1, 1)
    assert (other.subject, other.subject_lenient) == (0, 0)
