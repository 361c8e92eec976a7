"""A metric's scope, recipient and qualifier are stored, filtered on and read back by every
backend, and an older SQLite store gains them when opened."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from cnpolicy.search.backend import MetricRequest, Store
from cnpolicy.search.sqlite.schema import SCHEMA_VERSION, schema_version
from cnpolicy.search.sqlite.store import SqliteStore
from tests.test_store_backend import BACKENDS, ZHANJIANG, document, metric, open_backend

TEXT = (
    "湛江市推进基层管理体制改革\n"
    "市本级向乡镇下放市级管理权限两百余项，全市党政机构精简比例30%以上。\n"
    "市级党政机构控制在44个以内。"
)


def scoped_document() -> object:
    return document(
        TEXT, source="reports/scoped.txt", title="湛江市推进基层管理体制改革", date="2022-04-01",
        region=ZHANJIANG, doc_type="reform_report",
        metrics=(
            metric(TEXT, "两百余项", 200, "项", "powers.devolved_to_townships", approx="more_than",
                   recipient="乡镇", subject="市级管理权限"),
            metric(TEXT, "30%以上", 30, "%", "institutions.reduction_rate", approx="more_than",
                   scope="全市"),
            metric(TEXT, "44个以内", 44, "个", "institutions.party_government", approx="at_most",
                   scope="市级"),
        ),
    )  # fmt: skip


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    for opened in open_backend(request.param, tmp_path):
        opened.put(scoped_document())  # type: ignore[arg-type]
        yield opened


def test_scope_recipient_and_approx_read_back(store: Store) -> None:
    rows = store.metrics(MetricRequest(limit=None)).rows
    assert [(r.metric.approx, r.metric.scope, r.metric.recipient) for r in rows] == [
        ("more_than", None, "乡镇"),
        ("more_than", "全市", None),
        ("at_most", "市级", None),
    ]
    assert store.get(rows[0].document_id).metrics == scoped_document().metrics  # type: ignore[attr-defined]


def test_metrics_filter_on_scope_recipient_and_subject(store: Store) -> None:
    def values(**filters: str) -> list[float]:
        return [r.metric.value for r in store.metrics(MetricRequest(**filters)).rows]  # type: ignore[arg-type]

    assert values(scope="市级") == [44]
    assert values(scope="全市") == [30]
    assert values(recipient="乡镇") == [200]
    assert values(recipient="开发区") == []
    assert values(subject="管理权限") == [200]


def test_an_older_store_gains_the_columns_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with SqliteStore(path) as current:
        current.put(scoped_document())  # type: ignore[arg-type]
    # Make it a V3 file: no scope or recipient columns (V4), nor what later steps add.
    connection = sqlite3.connect(str(path))
    connection.execute("ALTER TABLE metrics DROP COLUMN scope")
    connection.execute("ALTER TABLE metrics DROP COLUMN recipient")
    # and what the steps after V4 added (V5's n-gram column is rebuilt from the table as it is)
    connection.execute("DROP INDEX documents_publisher_name")
    for column in ("publisher_name", "doc_number", "dates", "url"):
        connection.execute(f"ALTER TABLE documents DROP COLUMN {column}")
    connection.execute("PRAGMA user_version = 3")
    connection.commit()
    connection.close()
    with SqliteStore(path) as upgraded:
        rows = upgraded.metrics(MetricRequest(limit=None)).rows
        assert [r.metric.value for r in rows] == [200, 30, 44]
        assert all(r.metric.scope is None and r.metric.recipient is None for r in rows)
        assert [r.metric.approx for r in rows] == ["more_than", "more_than", "at_most"]
        upgraded.put(scoped_document())  # type: ignore[arg-type]
        assert upgraded.metrics(MetricRequest(scope="市级")).rows[0].metric.value == 44
    connection = sqlite3.connect(str(path))
    assert schema_version(connection) == SCHEMA_VERSION
    connection.close()
