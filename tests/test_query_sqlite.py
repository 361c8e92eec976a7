"""The embedded store's query builders (pure): exact FTS5 expressions, tags and SQL."""

from __future__ import annotations

from cnpolicy.records import Document, Region
from cnpolicy.search.backend import (
    MetricRequest,
    RegionFilter,
    SandingRequest,
    SearchRequest,
    resolve_region,
)
from cnpolicy.search.query import compile_text
from cnpolicy.search.sqlite.query import (
    Filters,
    bare_expression,
    build_filters,
    candidates_sql,
    document_tags,
    listing_sql,
    match_expression,
    metrics_sql,
    quote_phrase,
    sanding_sql,
    term_expression,
    text_tag,
    title_expression,
    year_span,
)

W = "{title body sub}"


def term(words: str, grams: str) -> str:
    """A term's expression: its tokens in the word columns, or its bigrams in the n-gram column."""
    return f'({W} : ("{words}") OR grams : ("{grams}"))'


def test_phrases_are_quoted_with_quotes_doubled() -> None:
    assert quote_phrase(["机构", "改革"]) == '"机构 改革"'
    assert quote_phrase(['a"b']) == '"a""b"'


def test_match_expression_combines_clauses_tags_and_exclusions() -> None:
    query = compile_text("机构改革 长春 OR 广州 -湛江")
    filters = Filters(tag_groups=(("rc44",), ("y2019", "y2020")), excluded_tags=("dup",))
    assert match_expression(query, filters) == (
        f"(((({term('机构 改革', '机构 构改 改革')})) AND (({term('长春', '长春')}) "
        f"OR ({term('广州', '广州')})) AND (tags : (rc44)) AND (tags : (y2019 OR y2020))) "
        f"NOT ({term('湛江', '湛江')})) NOT (tags : (dup))"
    )


def test_no_words_and_no_filters_match_every_document() -> None:
    assert match_expression(compile_text(""), Filters()) == "(tags : (all))"
    assert (
        match_expression(compile_text("-湛江"), Filters())
        == f"((tags : (all))) NOT ({term('湛江', '湛江')})"
    )


def test_only_words_of_ideographs_have_an_ngram_alternative() -> None:
    assert term_expression((("机构", "改革"),)) == term("机构 改革", "机构 构改 改革")
    assert term_expression((("2019", "年"),)) == f'{W} : ("2019 年")'
    assert term_expression((("省",),)) == f'{W} : ("省")'


def test_bare_expression_has_the_words_only() -> None:
    assert bare_expression(compile_text("长春市人民政府")) == (
        f"(({term('长春市 人民政府', '长春 春市 市人 人民 民政 政府')}))"
    )


def test_filters_become_tag_groups() -> None:
    request = SearchRequest(text="x", region="广东省", year_from=2018, doc_type="notice", publisher="湛江日报",
                            collapse_duplicates=True)  # fmt: skip
    filters = build_filters(request, resolve_region("广东省"), (2015, 2020))
    assert filters == Filters(
        tag_groups=(("rc44",), ("y2018", "y2019", "y2020"), (text_tag("t", "notice"),)),
        excluded_tags=("dup",), publisher=("湛江日报",),
    )  # fmt: skip
    assert filters.needs_join


def test_publisher_is_a_contains_match_on_the_name_as_written_or_in_full() -> None:
    filters = build_filters(SearchRequest(publisher=" 编办 "), None, None)
    sql, params = candidates_sql("E", filters)
    either = "instr(d.publisher, ?) > 0 OR instr(d.publisher_name, ?) > 0"
    assert f"({either} OR {either})" in sql
    spelled = "委机构编制委员会办公室"  # the abbreviation spelled out, as full names hold it
    assert params == ["E", "编办", "编办", spelled, spelled]


def test_a_year_range_outside_the_store_selects_nothing() -> None:
    assert year_span(1990, 1995, (2015, 2020)) is None
    assert year_span(None, 2016, (2015, 2020)) == (2015, 2016)
    filters = build_filters(SearchRequest(year_from=1990, year_to=1991), None, (2015, 2020))
    assert filters.tag_groups == (("y0",),)


def test_date_bounds_narrow_the_years_and_need_a_join() -> None:
    filters = build_filters(
        SearchRequest(date_from="2019-03-01", date_to="2020-02-01"), None, (2015, 2024)
    )
    assert filters.tag_groups == (("y2019", "y2020"),)
    assert filters.needs_join
    sql, params = candidates_sql("E", filters)
    assert sql == (
        "SELECT group_concat(f.rowid) FROM documents_fts f JOIN documents d ON d.num = f.rowid "
        "WHERE documents_fts MATCH ? AND d.date >= ? AND d.date <= ?"
    )
    assert params == ["E", "2019-03-01", "2020-02-01"]


def test_document_tags() -> None:
    document = Document(
        id="a", source="s", format="txt", text="t", date="2019-09-06", publisher="湛江日报",
        region=Region("赤坎区", "440802", "广东省", "county"), doc_type="reform_report",
        duplicate_of="b",
    )  # fmt: skip
    assert document_tags(document).split() == [
        "all", text_tag("t", "reform_report"), "rc44", "rc4408", "rc440802",
        text_tag("rn", "赤坎区"), "y2019", text_tag("p", "湛江日报"), "dup",
    ]  # fmt: skip
    exact_repeat = Document(id="a", source="s", format="txt", text="t", duplicate_of="a")
    assert "dup" not in document_tags(exact_repeat).split()


def test_candidates_are_every_match_in_one_string() -> None:
    sql, params = candidates_sql("E", Filters())
    assert sql == "SELECT group_concat(rowid) FROM documents_fts WHERE documents_fts MATCH ?"
    assert params == ["E"]


def test_title_expression_keeps_the_filter_tags() -> None:
    variants = compile_text("机构改革").must[0][0]
    filters = Filters(tag_groups=(("rc44",), ("y2019", "y2020")))
    assert title_expression(variants, filters) == (
        '(title : ("机构 改革")) AND (tags : (rc44)) AND (tags : (y2019 OR y2020))'
    )
    assert title_expression(variants, Filters()) == '(title : ("机构 改革"))'


def test_listing_is_newest_first_with_every_cell() -> None:
    sql, params = listing_sql("E", Filters(), limit=None, offset=0)
    assert "ORDER BY dt IS NULL, dt DESC, i LIMIT ? OFFSET ?" in sql
    assert sql.endswith("UNION ALL SELECT NULL, NULL, NULL, NULL, group_concat(c) FROM m")
    assert params == ["E", -1, 0]


def test_metric_sql_filters_and_orders() -> None:
    request = MetricRequest(indicators=("a", "b"), level="市级", min_value=1, year_to=2020, limit=5)
    sql, params = metrics_sql(request, [RegionFilter("广东", prefix="44"), RegionFilter("江州市", name="江州市")],
                              count=False)  # fmt: skip
    assert (
        "WHERE m.indicator IN (?, ?) AND ((m.region_code >= ? AND m.region_code < ?) OR m.region_name = ?)"
        in sql
    )
    assert sql.endswith("ORDER BY d.date IS NULL, d.date DESC, d.id, m.ord LIMIT ? OFFSET ?")
    assert params == ["a", "b", "44", "44:", "江州市", "市级", 1, 2020, 5, 0]
    count, count_params = metrics_sql(MetricRequest(), [], count=True)
    assert (
        count == "SELECT count(*) FROM metrics m JOIN documents d ON d.num = m.doc"
        and count_params == []
    )


def test_sanding_sql() -> None:
    sql, params = sanding_sql(SandingRequest(name="市场", body="办公室", limit=None), RegionFilter("湛江", prefix="4408"),
                              count=False)  # fmt: skip
    assert "instr(s.department, ?) > 0" in sql and "instr(b.name, ?) > 0" in sql
    assert params == ["4408", "4408:", "市场", "市场", "办公室", -1, 0]
