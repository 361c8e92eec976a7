"""Original files through the API (httpx.ASGITransport, temporary stores): kept on upload, served
back by GET /documents/{id}/source with their media type and a safe Content-Disposition, linked
from the document page; and /health's counts as writes come and go.
"""

from __future__ import annotations

import io
import re
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnpolicy.api.downloads import ascii_fallback, content_disposition
from cnpolicy.api.pages import file_size
from cnpolicy.api.settings import Settings
from cnpolicy.api.uploads import index_atomically
from cnpolicy.config import Options
from cnpolicy.errors import StoreError
from cnpolicy.flows import InMemoryFile, prepare_in_memory
from cnpolicy.records import Section
from cnpolicy.search.backend import prepare
from cnpolicy.search.sources import MEDIA_TYPES, SourceFile, file_name
from cnpolicy.search.sqlite.store import SqliteStore
from tests.conftest import CORPORA
from tests.test_api_documents import REPORT_TEXT, upload
from tests.test_api_support import ApiClient, Response, client_for, filled_store, sample_documents

DISPOSITION = re.compile(
    r"^(inline|attachment); filename=\"([A-Za-z0-9._-]+)\"; filename\*=UTF-8''([A-Za-z0-9%!#$&+.^_`|~-]+)$"
)


@pytest.fixture
def store(tmp_path: Path) -> SqliteStore:
    return filled_store(tmp_path / "store.db")


@pytest.fixture
def client(store: SqliteStore) -> ApiClient:
    return client_for(store)


def disposition(response: Response) -> tuple[str, str, str]:
    """(inline|attachment, ASCII fallback name, decoded filename*) of a response."""
    found = DISPOSITION.match(response.headers["content-disposition"])
    assert found, response.headers["content-disposition"]
    return found[1], found[2], unquote(found[3])


def uploaded_id(response: Response) -> str:
    assert response.status_code == 201, response.text
    doc_id: str = response.json()["documents"][0]["id"]
    return doc_id


def table_counts(path: Path) -> dict[str, int]:
    """The counted tables' rows, counted the slow way by another connection."""
    connection = sqlite3.connect(str(path))
    try:
        return {
            table: int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            for table in ("documents", "metrics", "sanding", "sources")
        }
    finally:
        connection.close()


# --- serving originals ---------------------------------------------------------------------


def test_an_uploaded_text_file_comes_back_byte_for_byte(client: ApiClient) -> None:
    data = REPORT_TEXT.encode("gb18030")
    created = upload(client, ("宜州 报告.txt", data, "text/plain"))
    record = created.json()["documents"][0]
    source = client.get(f"/documents/{uploaded_id(created)}/source")
    assert source.status_code == 200
    assert source.content == data
    assert source.headers["content-type"] == f"text/plain; charset={record['encoding']}"
    assert source.headers["x-cnpolicy-source"] == "original"
    assert source.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in source.headers["content-security-policy"]
    kind, fallback, name = disposition(source)
    assert (kind, name) == ("inline", "宜州 报告.txt")
    assert fallback.endswith(".txt") and fallback.isascii()


@pytest.mark.parametrize(("suffix", "inline"), [("html", False), ("pdf", True), ("docx", False)])
def test_every_format_keeps_its_original(client: ApiClient, suffix: str, inline: bool) -> None:
    found = sorted(CORPORA.rglob(f"*.{suffix}"))
    if not found:
        pytest.skip(f"no .{suffix} sample in corpora/")
    path = found[0]
    created = upload(client, (path.name, path.read_bytes(), "application/octet-stream"))
    source = client.get(f"/documents/{uploaded_id(created)}/source")
    assert source.content == path.read_bytes()
    assert source.headers["content-type"].split(";")[0] == MEDIA_TYPES[suffix]
    kind, _, name = disposition(source)
    assert kind == ("inline" if inline else "attachment")
    assert name == path.name
    # An uploaded page must not run on our origin: never inline, scripts sandboxed anyway.
    assert ("content-security-policy" in source.headers) is (suffix != "pdf")


@pytest.mark.parametrize("raw", ["../../etc/湛江 报告.txt", "C:\\Users\\x\\报告.txt", "a/b/c.txt"])
def test_a_path_in_a_file_name_never_reaches_the_header(client: ApiClient, raw: str) -> None:
    created = upload(client, (raw, REPORT_TEXT.encode("utf-8"), "text/plain"))
    source = client.get(f"/documents/{uploaded_id(created)}/source")
    header = source.headers["content-disposition"]
    _, fallback, name = disposition(source)
    assert "/" not in unquote(header) and "\\" not in unquote(header)
    assert name == re.split(r"[/\\]", raw)[-1]
    assert ".." not in fallback


def test_a_json_text_has_no_original_and_serves_its_text(client: ApiClient) -> None:
    created = client.post("/documents", json={"text": REPORT_TEXT, "source": "note.md"})
    source = client.get(f"/documents/{uploaded_id(created)}/source")
    assert source.headers["x-cnpolicy-source"] == "text"
    assert source.text == created.json()["documents"][0]["text"]
    assert source.headers["content-type"] == "text/plain; charset=utf-8"
    assert disposition(source)[2] == "note.txt"


def test_originals_are_not_kept_when_the_setting_says_so(store: SqliteStore) -> None:
    client = client_for(store, Settings(keep_sources=False))
    created = upload(client, ("keep.txt", REPORT_TEXT.encode("utf-8"), "text/plain"))
    doc_id = uploaded_id(created)
    assert store.source(doc_id) is None
    assert client.get(f"/documents/{doc_id}/source").headers["x-cnpolicy-source"] == "text"


def test_the_flow_keeps_uploaded_files_not_json_text() -> None:
    data = REPORT_TEXT.encode("utf-8")
    file = InMemoryFile("a.txt", data)
    (kept,) = prepare_in_memory([file], Options())
    assert kept.source is not None and kept.source.data == data
    assert kept.source.name == file_name("a.txt")
    (text,) = prepare_in_memory([replace(file, original=False)], Options())
    assert text.source is None
    (unkept,) = prepare_in_memory([file], Options(), keep_sources=False)
    assert unkept.source is None


def test_the_document_page_links_to_the_original_or_says_there_is_none(
    client: ApiClient,
) -> None:
    data = REPORT_TEXT.encode("utf-8")
    doc_id = uploaded_id(upload(client, ("yizhou.txt", data, "text/plain")))
    page = client.get(f"/ui/documents/{doc_id}").text
    assert f'href="/documents/{doc_id}/source" id="source-link" data-source="original"' in page
    assert "yizhou.txt" in page and f"text/plain · {file_size(len(data))}" in page
    plain = sample_documents()[0]
    other = client.get(f"/ui/documents/{plain.id}").text
    assert 'data-source="text"' in other and 'data-source="original"' not in other


def test_a_failed_batch_puts_back_the_previous_original(store: SqliteStore) -> None:
    document = sample_documents()[0]
    first = SourceFile("old.txt", "text/plain; charset=utf-8", b"old bytes")
    store.put(prepare(document, source=first))
    changed = prepare(replace(document, title="改"), source=replace(first, data=b"new"))
    # A section without a title breaks the store's NOT NULL constraint: the batch fails.
    broken_section = Section(title=None, level=1, start=0, end=1, marker="cn")  # type: ignore[arg-type]
    broken = replace(sample_documents()[1], id="broken", sections=(broken_section,))
    with pytest.raises(StoreError):
        index_atomically(store, [changed, broken])
    assert store.source(document.id) == first
    assert store.get(document.id).title == document.title
    index_atomically(store, [changed])
    assert store.source(document.id) == changed.source


def test_an_allowed_origin_may_read_the_file_name(store: SqliteStore) -> None:
    doc_id = sample_documents()[0].id
    origin = {"Origin": "https://example.org"}
    closed = client_for(store).get(f"/documents/{doc_id}/source", headers=origin)
    assert "access-control-expose-headers" not in closed.headers
    allowed = client_for(store, Settings(cors_origins=("https://example.org",)))
    response = allowed.get(f"/documents/{doc_id}/source", headers=origin)
    exposed = response.headers["access-control-expose-headers"].lower()
    assert "content-disposition" in exposed and "x-cnpolicy-source" in exposed


# --- /health -------------------------------------------------------------------------------


def test_health_counts_follow_uploads_replacements_and_deletes(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    store = filled_store(path)
    client = client_for(store)

    def health() -> dict[str, int]:
        body = client.get("/health").json()
        assert body["status"] == "ok"
        return {k: body[k] for k in ("documents", "metrics", "sanding", "sources")}

    assert health() == table_counts(path)
    data = REPORT_TEXT.encode("utf-8")
    doc_id = uploaded_id(upload(client, ("a.txt", data, "text/plain")))
    assert health() == table_counts(path)
    assert health()["sources"] == 1
    again = client.post("/documents?replace=true", files=[("files", ("again.txt", data))])
    assert again.json()["documents"][0]["status"] == "replaced"  # same text, replace asked
    assert health() == table_counts(path)
    sanding = sample_documents()[-1]
    assert client.delete(f"/documents/{sanding.id}").status_code == 200
    assert client.delete(f"/documents/{doc_id}").status_code == 200
    assert health() == table_counts(path)
    assert health()["sanding"] == 0 and health()["sources"] == 0


def test_health_counts_nothing_itself(
    store: SqliteStore, client: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    statements: list[str] = []
    run = store._run

    def traced(sql: str, params: Any = ()) -> Any:
        statements.append(sql)
        return run(sql, params)

    monkeypatch.setattr(store, "_run", traced)
    assert client.get("/health").status_code == 200
    assert statements and not any("count(" in s.lower() for s in statements)


# --- the header, for any name --------------------------------------------------------------


@given(st.text(max_size=200), st.booleans())
def test_content_disposition_is_safe_for_any_name(raw: str, inline: bool) -> None:
    header = content_disposition(raw, inline=inline)
    found = DISPOSITION.match(header)
    assert found, header
    assert found[1] == ("inline" if inline else "attachment")
    assert unquote(found[3]) == file_name(raw)
    assert "/" not in unquote(found[3]) and "\\" not in unquote(found[3])


def test_ascii_fallback_keeps_the_suffix() -> None:
    assert ascii_fallback("报告2020.pdf") == "2020.pdf"
    assert ascii_fallback("报告.pdf") == "download.pdf"
    assert ascii_fallback('a b"c.txt') == "a_b_c.txt"
    assert ascii_fallback("名单") == "download"


def test_uploads_with_one_original_each(client: ApiClient, store: SqliteStore) -> None:
    second = REPORT_TEXT.replace("宜州市", "柳州市").encode("gb18030")
    response = client.post(
        "/documents",
        files=[
            ("files", ("a.txt", io.BytesIO(REPORT_TEXT.encode("utf-8")), "text/plain")),
            ("files", ("b.txt", io.BytesIO(second), "text/plain")),
        ],
    )
    ids = [d["id"] for d in response.json()["documents"]]
    kept = [store.source(i) for i in ids]
    assert [k.data if k else None for k in kept] == [REPORT_TEXT.encode("utf-8"), second]


def test_an_upload_already_in_the_store_is_reported_and_keeps_its_first_provenance(
    tmp_path: Path,
) -> None:
    store = filled_store(tmp_path / "store.db")
    client = client_for(store)
    data = REPORT_TEXT.encode("utf-8")
    first = client.post("/documents", files=[("files", ("first.txt", data))])
    assert first.status_code == 201 and first.json()["documents"][0]["status"] == "indexed"
    doc_id = first.json()["documents"][0]["id"]
    again = client.post("/documents", files=[("files", ("copy.txt", data))])
    assert again.status_code == 200, again.text
    assert again.json()["count"] == 0
    assert again.json()["documents"][0]["status"] == "already_indexed"
    assert store.get(doc_id).source == "first.txt"
    assert "first.txt" in client.get(f"/documents/{doc_id}/source").headers["content-disposition"]
    replaced = client.post("/documents?replace=true", files=[("files", ("copy.txt", data))])
    assert replaced.status_code == 201 and replaced.json()["count"] == 1
    assert replaced.json()["documents"][0]["status"] == "replaced"
    assert store.get(doc_id).source == "copy.txt"
    store.close()
