"""Uploads: the request body → named byte strings → Documents (pipeline) → the store, all or nothing.

Uploaded file names are labels only (they become `Document.source`); nothing is written to disk
under them. Every file is processed before anything is indexed, and a failed write is undone.
Uploaded files are kept in the store as the documents' originals (a JSON text has none).
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.datastructures import UploadFile
from starlette.requests import Request

from cnpolicy.api.errors import BadRequestError
from cnpolicy.config import Options
from cnpolicy.errors import (
    CnpolicyError,
    FileTooLargeError,
    NotFoundError,
    QueryError,
    StoreError,
    UnsupportedFormatError,
)
from cnpolicy.flows import InMemoryFile, prepare_in_memory
from cnpolicy.ingest.sniff import detect_format
from cnpolicy.records import Document
from cnpolicy.search.backend import Prepared, Store, prepare
from cnpolicy.search.sources import SourceFile

__all__ = [
    "DECLARED_FORMATS",
    "DEFAULT_TEXT_SOURCE",
    "FILES_FIELD",
    "LOG",
    "MAX_FIELD_BYTES",
    "MAX_LABEL_CHARS",
    "MAX_NAME_CHARS",
    "UPLOAD_STATUS",
    "Previous",
    "TextUpload",
    "Upload",
    "already_indexed",
    "check_declared_type",
    "existing",
    "index_atomically",
    "media_type",
    "parse_text_upload",
    "process_uploads",
    "read_multipart",
    "read_uploads",
    "restore",
    "safe_name",
]

LOG = logging.getLogger("cnpolicy.api")

# Longest file name kept as a document's source label; longer names are cut (keeping the suffix).
MAX_NAME_CHARS = 120
# Largest non-file form field (a title), and the longest title or source in a JSON upload.
MAX_FIELD_BYTES = 64 * 1024
MAX_LABEL_CHARS = 500
# Label for a JSON text upload without a `source`.
DEFAULT_TEXT_SOURCE = "text.txt"
# The upload field name, as the task and the web page use it.
FILES_FIELD = "files"
# Declared part types that make a claim about the format, checked against the bytes (a browser
# labels files by their name; a mislabelled file gets 415 rather than a wrong reading).
DECLARED_FORMATS = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")


@dataclass(frozen=True, slots=True)
class Upload:
    """One uploaded file: its safe name, its bytes, its declared content type.

    `original` is False for the text of a JSON upload: its bytes are not a file anyone sent.
    """

    name: str
    data: bytes
    content_type: str | None = None
    title: str | None = None
    original: bool = True


class TextUpload(BaseModel):
    """A JSON upload: the text of one document, with an optional title and source label."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, description="The document's text (UTF-8 JSON string).")
    title: str | None = Field(default=None, max_length=MAX_LABEL_CHARS)
    source: str | None = Field(
        default=None, max_length=MAX_LABEL_CHARS, description="A label, e.g. a file name or URL."
    )


def safe_name(raw: str | None, *, fallback: str = "upload") -> str:
    """A file name reduced to a label: last path component, no control characters, bounded."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[/\\]", name)[-1]
    name = _UNSAFE.sub("", name).strip().lstrip(".") or fallback
    if len(name) > MAX_NAME_CHARS:
        _, dot, suffix = name.rpartition(".")
        keep = f".{suffix}" if dot and len(suffix) <= 8 else ""
        name = name[: MAX_NAME_CHARS - len(keep)] + keep
    return name


def media_type(header: str | None) -> str:
    return (header or "").split(";", 1)[0].strip().lower()


async def read_uploads(request: Request, *, max_files: int, max_bytes: int) -> list[Upload]:
    """The files of a multipart (field `files`) or JSON ({"text", "title"?, "source"?}) body."""
    kind = media_type(request.headers.get("content-type"))
    if kind == "multipart/form-data":
        return await read_multipart(request, max_files=max_files, max_bytes=max_bytes)
    if kind == "application/json":
        return [parse_text_upload(await request.body())]
    raise UnsupportedFormatError(
        f"Content-Type {kind or '(none)'} is not accepted: expected multipart/form-data with "
        f"the files in the field {FILES_FIELD!r}, or application/json with a text field",
        field="Content-Type",
    )


async def read_multipart(request: Request, *, max_files: int, max_bytes: int) -> list[Upload]:
    form = await request.form(
        max_files=max_files, max_fields=max_files + 10, max_part_size=MAX_FIELD_BYTES
    )
    try:
        parts = form.getlist(FILES_FIELD)
        title = form.get("title")
        uploads: list[Upload] = []
        for index, part in enumerate(parts, 1):
            if not isinstance(part, UploadFile):
                raise QueryError(
                    f"part {index} of {FILES_FIELD!r} is a plain value, expected a file",
                    field=FILES_FIELD,
                )
            name = safe_name(part.filename, fallback=f"upload-{index}")
            if part.size is not None and part.size > max_bytes:
                raise FileTooLargeError(
                    f"{part.size} bytes is over the limit of {max_bytes} bytes", source=name
                )
            data = await part.read()
            uploads.append(Upload(name, data, part.content_type, None))
    finally:
        await form.close()
    if not uploads:
        raise QueryError(
            f"no file: expected one or more files in the form field {FILES_FIELD!r}",
            field=FILES_FIELD,
        )
    if len(uploads) == 1 and isinstance(title, str) and title.strip():
        uploads[0] = replace(uploads[0], title=title.strip()[:MAX_LABEL_CHARS])
    return uploads


def parse_text_upload(body: bytes) -> Upload:
    try:
        payload: Any = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadRequestError(f"the body is not valid JSON ({error})", field="body") from None
    except RecursionError:
        # JSON nested deeper than the parser's stack: no upload is shaped so (422, never 500).
        raise QueryError(
            "the body's JSON is nested too deeply (expected {'text': str, …})", field="body"
        ) from None
    try:
        upload = TextUpload.model_validate(payload)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise QueryError(f"{first['msg']} (expected {{'text': str, 'title'?: str, "
                         f"'source'?: str}})", field=where) from None  # fmt: skip
    if not upload.text.strip():
        raise QueryError("the text is blank", field="text")
    name = safe_name(upload.source, fallback=DEFAULT_TEXT_SOURCE)
    title = upload.title.strip() if upload.title and upload.title.strip() else None
    return Upload(name, upload.text.encode("utf-8"), "text/plain", title, original=False)


def check_declared_type(upload: Upload) -> None:
    """415 for a part declared PDF/DOCX whose bytes are another format."""
    declared = DECLARED_FORMATS.get(media_type(upload.content_type))
    if declared is None:
        return
    found = detect_format(upload.data, source=upload.name)
    if found != declared:
        raise UnsupportedFormatError(
            f"declared {media_type(upload.content_type)} but the bytes are {found}",
            source=upload.name,
        )


def process_uploads(
    uploads: list[Upload], options: Options, *, keep_sources: bool = True
) -> list[Prepared]:
    """Every upload processed (in order, in an upload worker: api/processing.py) by the flow,
    or the first failure raised; each uploaded file (not a JSON text) kept as its document's
    original when `keep_sources`. A declared type the bytes contradict fails first."""
    for upload in uploads:
        check_declared_type(upload)
    files = [InMemoryFile(u.name, u.data, title=u.title, original=u.original) for u in uploads]
    return prepare_in_memory(files, options, keep_sources=keep_sources)


Previous = tuple[Document, SourceFile | None] | None


# An uploaded document's status by (already in the store, replace asked).
UPLOAD_STATUS = {
    (False, False): "indexed",
    (False, True): "indexed",
    (True, False): "already_indexed",
    (True, True): "replaced",
}


def already_indexed(store: Store, documents: Sequence[Prepared]) -> set[str]:
    """The ids among these documents that the store already holds."""
    return {p.document.id for p in documents if existing(store, p.document.id) is not None}


def index_atomically(store: Store, documents: Sequence[Document | Prepared]) -> None:
    """Index the documents together: when any write fails, put back what was there before
    (each replaced document with its original file)."""
    before: dict[str, Previous] = {}
    for item in documents:
        doc_id = item.document.id if isinstance(item, Prepared) else item.id
        if doc_id not in before:
            before[doc_id] = existing(store, doc_id)
    try:
        report = store.index(documents)
    except CnpolicyError:
        restore(store, before)
        raise
    if report.failures:
        restore(store, before)
        failure = report.failures[0]
        raise StoreError(failure.error, source=failure.source)


def existing(store: Store, doc_id: str) -> Previous:
    try:
        return store.get(doc_id), store.source(doc_id)
    except NotFoundError:
        return None


def restore(store: Store, before: dict[str, Previous]) -> None:
    for doc_id, previous in before.items():
        if previous is None:
            with contextlib.suppress(NotFoundError):
                store.delete(doc_id)
        else:
            document, source = previous
            store.put(prepare(document, source=source))
