"""The document endpoints through the ASGI app on a temporary store: upload, read, delete, errors.

Uploads run the real pipeline (ingest + extract); expectations come from the records it returns
and from what the store holds afterwards.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from cnpolicy.api.settings import Settings
from cnpolicy.api.uploads import index_atomically
from cnpolicy.config import Options
from cnpolicy.errors import StoreError
from cnpolicy.flows import process_bytes
from cnpolicy.records import Document, Section
from cnpolicy.search.sqlite.store import SqliteStore
from tests.conftest import CORPORA
from tests.test_api_support import ApiClient, Response, client_for, filled_store, sample_documents

REPORT_TEXT = (
    "宜州市深化机构改革工作综述\n"
    "2020年以来，宜州市按照省委统一部署推进机构改革，全市共精简机构12个，下划编制300名充实基层。\n"
    "市委编办表示，下一步将继续深化综合行政执法改革。"
)
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def store(tmp_path: Path) -> SqliteStore:
    return filled_store(tmp_path / "store.db")


@pytest.fixture
def client(store: SqliteStore) -> ApiClient:
    return client_for(store)


def upload(client: ApiClient, *files: tuple[str, bytes, str]) -> Response:
    parts = [("files", (name, io.BytesIO(data), kind)) for name, data, kind in files]
    return client.post("/documents", files=parts)


def error_of(response: Response) -> dict[str, object]:
    body = response.json()
    assert set(body) == {"error"}, body
    error: dict[str, object] = body["error"]
    assert error["status"] == response.status_code
    assert error["message"]
    # …and a Chinese sentence for its type (the upload page shows both).
    assert any("\u4e00" <= c <= "\u9fff" for c in str(error["message_zh"]))
    return error


# --- upload ------------------------------------------------------------------------------


def test_multipart_upload_is_processed_indexed_and_returned(
    client: ApiClient, store: SqliteStore
) -> None:
    before = store.count()
    response = client.post(
        "/documents", files=[("files", ("yizhou.txt", REPORT_TEXT.encode("gb18030"), "text/plain"))]
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["count"] == 1
    record = body["documents"][0]
    expected = process_bytes(REPORT_TEXT.encode("gb18030"), source="yizhou.txt", options=Options())
    assert record["id"] == expected.id
    assert record["text"] == expected.text
    assert len(record["metrics"]) == len(expected.metrics) > 0
    assert store.count() == before + 1
    assert store.get(record["id"]).text == expected.text
    found = client.get("/search", params={"q": "综合行政执法"}).json()
    assert record["id"] in {hit["id"] for hit in found["hits"]}


def test_json_text_upload_keeps_the_given_title_and_source(client: ApiClient) -> None:
    response = client.post(
        "/documents", json={"text": REPORT_TEXT, "title": "自定标题", "source": "../../etc/x.txt"}
    )
    assert response.status_code == 201, response.text
    record = response.json()["documents"][0]
    assert record["title"] == "自定标题"
    assert record["source"] == "x.txt"  # a label: the path part is dropped
    assert client.get(f"/documents/{record['id']}").json()["title"] == "自定标题"


def test_json_nested_deeper_than_the_parser_is_a_422_not_a_500(client: ApiClient) -> None:
    depth = 100_000
    body = b"[" * depth + b"]" * depth
    response = client.post("/documents", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    assert "nested" in response.json()["error"]["message"]


def test_several_files_in_one_request_are_all_indexed(
    client: ApiClient, store: SqliteStore
) -> None:
    second = REPORT_TEXT.replace("宜州市", "柳州市")
    response = upload(
        client,
        ("a.txt", REPORT_TEXT.encode("utf-8"), "text/plain"),
        ("b.txt", second.encode("utf-8"), "text/plain"),
    )
    assert response.status_code == 201
    ids = [d["id"] for d in response.json()["documents"]]
    assert len(set(ids)) == 2
    for doc_id in ids:
        assert store.get(doc_id).id == doc_id


@pytest.mark.parametrize("suffix", ["html", "pdf", "docx"])
def test_sample_files_of_every_format_upload(client: ApiClient, suffix: str) -> None:
    found = sorted(CORPORA.rglob(f"*.{suffix}"))
    if not found:
        pytest.skip(f"no .{suffix} sample in corpora/")
    path = found[0]
    response = upload(client, (path.name, path.read_bytes(), "application/octet-stream"))
    assert response.status_code == 201, response.text
    record = response.json()["documents"][0]
    assert record["format"] == suffix
    assert record["source"] == path.name
    assert client.get(f"/documents/{record['id']}/text").text == record["text"]


def test_a_failed_file_in_a_batch_leaves_the_store_as_it_was(
    client: ApiClient, store: SqliteStore
) -> None:
    before = store.count()
    response = upload(
        client,
        ("good.txt", REPORT_TEXT.encode("utf-8"), "text/plain"),
        ("picture.txt", PNG_BYTES, "text/plain"),
    )
    assert response.status_code == 415
    assert error_of(response)["source"] == "picture.txt"
    assert store.count() == before
    good = process_bytes(REPORT_TEXT.encode("utf-8"), source="good.txt", options=Options())
    assert client.get(f"/documents/{good.id}").status_code == 404


def test_a_failed_write_is_undone_and_the_previous_version_restored(tmp_path: Path) -> None:
    store = filled_store(tmp_path / "s.db")
    original = sample_documents()[0]
    changed = replace(original, title="已修改")
    # A section without a title breaks the store's NOT NULL constraint: the write fails.
    bad_section = Section(title=None, level=1, start=0, end=1, marker="cn")  # type: ignore[arg-type]
    broken = replace(sample_documents()[1], id="broken-record", sections=(bad_section,))
    before = store.count()
    with pytest.raises(StoreError):
        index_atomically(store, [changed, broken])
    assert store.count() == before
    assert store.get(original.id).title == original.title
    index_atomically(store, [changed])
    assert store.get(original.id).title == "已修改"


def test_the_same_file_twice_is_one_document(client: ApiClient, store: SqliteStore) -> None:
    before = store.count()
    data = REPORT_TEXT.encode("utf-8")
    first = upload(client, ("one.txt", data, "text/plain"), ("two.txt", data, "text/plain"))
    assert first.status_code == 201
    records = first.json()["documents"]
    assert records[1]["duplicate_of"] == records[0]["id"]
    assert store.count() == before + 1


# --- upload errors -----------------------------------------------------------------------


def test_upload_over_the_limit_is_413_whether_declared_or_streamed(tmp_path: Path) -> None:
    limit = 4096
    client = client_for(filled_store(tmp_path / "s.db"), Settings(max_upload_bytes=limit))
    big = ("甲" * limit).encode("utf-8")
    response = upload(client, ("big.txt", big, "text/plain"))
    assert response.status_code == 413
    assert "limit" in str(error_of(response)["message"])

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(100):
            yield b"x" * 65536

    streamed = client.post(
        "/documents", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413
    small = upload(client, ("small.txt", REPORT_TEXT.encode("utf-8"), "text/plain"))
    assert small.status_code == 201


def test_one_file_over_the_limit_is_named(tmp_path: Path) -> None:
    limit = 70_000
    client = client_for(filled_store(tmp_path / "s.db"), Settings(max_upload_bytes=limit))
    big = (REPORT_TEXT * 400).encode("utf-8")[: limit + 10]
    assert len(big) == limit + 10
    response = upload(client, ("huge.txt", big, "text/plain"))
    assert response.status_code == 413
    assert error_of(response)["source"] == "huge.txt"


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("photo.png", PNG_BYTES, "image/png"),
        ("report.pdf", REPORT_TEXT.encode("utf-8"), "application/pdf"),
        ("report.docx", REPORT_TEXT.encode("utf-8"), "application/octet-stream"),
        ("report.txt", REPORT_TEXT.encode("utf-8"), "application/pdf"),
    ],
)
def test_unsupported_or_mislabelled_files_are_415(
    client: ApiClient, store: SqliteStore, name: str, data: bytes, kind: str
) -> None:
    before = store.count()
    response = upload(client, (name, data, kind))
    assert response.status_code == 415
    assert error_of(response)["source"] == name
    assert store.count() == before


def test_an_unreadable_body_type_is_415(client: ApiClient) -> None:
    response = client.post("/documents", content=b"<x/>", headers={"content-type": "text/xml"})
    assert response.status_code == 415
    assert error_of(response)["field"] == "Content-Type"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   \n "}, "text"),
        ({"title": "无正文"}, "text"),
        ({"text": "正文", "extra": 1}, "extra"),
        ({"text": 42}, "text"),
    ],
)
def test_invalid_json_uploads_are_422_naming_the_field(
    client: ApiClient, payload: dict[str, object], field: str
) -> None:
    response = client.post("/documents", json=payload)
    assert response.status_code == 422
    assert error_of(response)["field"] == field


def test_malformed_json_is_400(client: ApiClient) -> None:
    response = client.post(
        "/documents",
        content=b'{"text": "unterminated',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    assert error_of(response)["field"] == "body"


def test_multipart_without_files_is_422(client: ApiClient) -> None:
    response = client.post(
        "/documents", data={"title": "只有标题"}, files=[("other", ("x.txt", b"x"))]
    )
    assert response.status_code == 422
    assert error_of(response)["field"] == "files"


def test_empty_file_is_422_naming_it(client: ApiClient) -> None:
    response = upload(client, ("empty.txt", b"", "text/plain"))
    assert response.status_code == 422
    assert error_of(response)["source"] == "empty.txt"


def test_garbage_with_a_pdf_header_is_not_a_500(client: ApiClient) -> None:
    response = upload(
        client, ("broken.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 4, "application/pdf")
    )
    assert 400 <= response.status_code < 500
    assert error_of(response)["source"] == "broken.pdf"


# --- read and delete ---------------------------------------------------------------------


def test_read_document_text_and_source(client: ApiClient) -> None:
    document = sample_documents()[0]
    body = client.get(f"/documents/{document.id}").json()
    assert Document.from_dict(body) == document
    text = client.get(f"/documents/{document.id}/text")
    assert text.headers["content-type"].startswith("text/plain")
    assert "charset=utf-8" in text.headers["content-type"]
    assert text.text == document.text
    # Indexed as a record, with no original file: the text is served in its place.
    source = client.get(f"/documents/{document.id}/source")
    assert source.status_code == 200
    assert source.text == document.text
    assert source.headers["x-cnpolicy-source"] == "text"
    assert source.headers["content-type"] == "text/plain; charset=utf-8"
    assert source.headers["content-disposition"].startswith("inline; ")


@pytest.mark.parametrize("path", ["/documents/{}", "/documents/{}/text", "/documents/{}/source"])
def test_unknown_ids_are_404_naming_the_id(client: ApiClient, path: str) -> None:
    response = client.get(path.format("0000000000000000"))
    assert response.status_code == 404
    error = error_of(response)
    assert error["field"] == "id"
    assert "0000000000000000" in str(error["message"])


def test_delete_removes_the_document_and_then_404s(client: ApiClient, store: SqliteStore) -> None:
    document = sample_documents()[0]
    before = store.count()
    response = client.delete(f"/documents/{document.id}")
    assert response.status_code == 200
    assert response.json() == {"deleted": document.id}
    assert store.count() == before - 1
    assert client.get(f"/documents/{document.id}").status_code == 404
    assert client.delete(f"/documents/{document.id}").status_code == 404


# --- the token -----------------------------------------------------------------------------


def test_writes_need_the_token_when_one_is_set_and_reads_stay_open(tmp_path: Path) -> None:
    store = filled_store(tmp_path / "s.db")
    client = client_for(store, Settings(token="s3cret-令牌"))
    document = sample_documents()[0]
    before = store.count()
    missing = client.post("/documents", json={"text": REPORT_TEXT})
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    assert error_of(missing)["field"] == "Authorization"
    wrong = client.delete(f"/documents/{document.id}", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    basic = client.delete(f"/documents/{document.id}", headers={"Authorization": "Basic s3cret"})
    assert basic.status_code == 401
    assert store.count() == before
    assert client.get(f"/documents/{document.id}").status_code == 200
    assert client.get("/search", params={"q": "机构改革"}).status_code == 200
    headers = {b"Authorization": "Bearer s3cret-令牌".encode()}
    ok = client.post("/documents", json={"text": REPORT_TEXT}, headers=headers)
    assert ok.status_code == 201
    assert client.delete(f"/documents/{document.id}", headers=headers).status_code == 200


def test_without_a_token_writes_are_open(client: ApiClient) -> None:
    assert client.post("/documents", json={"text": REPORT_TEXT}).status_code == 201


def test_deeply_nested_json_is_422_not_500(client: ApiClient) -> None:
    depth = 100_000
    response = client.post(
        "/documents",
        content=b'{"text": ' + b"[" * depth + b"]" * depth + b"}",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
