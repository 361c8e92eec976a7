"""Space returns: deleting documents gives their pages back to the file system (incremental
auto-vacuum), and `cnpolicy vacuum` rebuilds an older store without its free pages."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from cnpolicy.cli import main
from cnpolicy.records import Document
from cnpolicy.search.sqlite.store import SqliteStore
from tests.test_api_support import REPORTS, report_document

# Copies of the sample reports, each padded so the store holds a few megabytes.
COPIES = 40
PADDING = "各部门按照分工推进各项改革任务,确保改革措施落地见效。\n" * 300


def padded_documents() -> list[Document]:
    documents = []
    for n in range(COPIES):
        base = report_document(REPORTS[n % len(REPORTS)])
        text = base.text + f"\n第{n}批\n" + PADDING
        documents.append(replace(base, id=f"{n:016x}", text=text))
    return documents


def file_bytes(path: Path) -> int:
    wal = path.with_name(path.name + "-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def test_deleting_documents_shrinks_the_file(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    store = SqliteStore(path)
    documents = padded_documents()
    store.index(documents)
    full = file_bytes(path)
    for document in documents[1:]:
        store.delete(document.id)
    assert store.count() == 1
    store.close()
    assert file_bytes(path) < full / 4, (full, file_bytes(path))


def test_vacuum_reclaims_an_older_stores_free_pages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as connection:  # a store made before incremental vacuum
        connection.execute("PRAGMA auto_vacuum = NONE")
        connection.execute("CREATE TABLE made_before (a)")  # the file exists: the mode sticks
        connection.execute("DROP TABLE made_before")
    store = SqliteStore(path)
    assert store._run("PRAGMA auto_vacuum").fetchone()[0] == 0
    documents = padded_documents()
    store.index(documents)
    for document in documents[1:]:
        store.delete(document.id)
    store.close()
    kept = file_bytes(path)
    assert main(["vacuum", "--store", str(path)]) == 0
    assert "reclaimed" in capsys.readouterr().out
    assert file_bytes(path) < kept / 4
    store = SqliteStore(path)
    assert store.count() == 1 and store._run("PRAGMA auto_vacuum").fetchone()[0] == 2
    store.close()


def test_vacuum_of_a_missing_store_is_an_error(tmp_path: Path) -> None:
    assert main(["vacuum", "--store", str(tmp_path / "none.db")]) == 4
