"""Document endpoints: upload (multipart files or JSON text), read, its text, its original, delete."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from cnpolicy.api.auth import require_token
from cnpolicy.api.deps import get_settings, get_store
from cnpolicy.api.downloads import source_headers, text_headers
from cnpolicy.api.processing import process_within_budget
from cnpolicy.api.settings import Settings
from cnpolicy.api.uploads import (
    FILES_FIELD,
    UPLOAD_STATUS,
    already_indexed,
    index_atomically,
    read_uploads,
)
from cnpolicy.search.backend import Store
from cnpolicy.search.sources import MEDIA_TYPES

__all__ = [
    "ERROR_RESPONSES",
    "MAX_ID_CHARS",
    "UPLOAD_BODY",
    "DocId",
    "SettingsDep",
    "StoreDep",
    "create_documents",
    "delete_document",
    "read_document",
    "read_source",
    "read_text",
    "router",
]

router = APIRouter(tags=["documents"])

# Longest id accepted in a path: ids are 16 hex digits; anything much longer is not one of ours.
MAX_ID_CHARS = 128
DocId = Annotated[str, Path(min_length=1, max_length=MAX_ID_CHARS, description="Document id.")]
StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "Malformed body or query"},
    401: {"description": "Missing or wrong bearer token (when the server has one)"},
    404: {"description": "Unknown document id"},
    413: {"description": "Upload over the configured limit"},
    415: {"description": "Unsupported or mislabelled file type"},
    422: {"description": "Invalid parameters, or a file that cannot be read"},
}
UPLOAD_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": [FILES_FIELD],
                "properties": {
                    FILES_FIELD: {
                        "type": "array",
                        "items": {"type": "string", "format": "binary"},
                        "description": "One or more files: txt (any Chinese encoding), HTML, "
                        "PDF, DOCX.",
                    },
                    "title": {"type": "string", "description": "Title, for a single file."},
                },
            }
        },
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["text"],
                "additionalProperties": False,
                "properties": {
                    "text": {"type": "string", "minLength": 1},
                    "title": {"type": "string"},
                    "source": {"type": "string"},
                },
            }
        },
    },
}


@router.post(
    "/documents",
    status_code=201,
    summary="Upload documents: ingest, extract, index",
    description="Multipart upload of one or more files in the repeatable field `files`, or JSON "
    '`{"text": ..., "title"?: ..., "source"?: ...}`. Every file is processed before anything '
    "is indexed: when one fails, nothing is stored and the error names the file. Returns the "
    "records.",
    openapi_extra={"requestBody": UPLOAD_BODY},
    responses=ERROR_RESPONSES,
    dependencies=[Depends(require_token)],
)
async def create_documents(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    replace: Annotated[bool, Query(description="re-index a document already in the store")] = False,
) -> JSONResponse:
    """Each document comes back with its `status`: `indexed` (new), `replaced` (was in the store
    and `replace=true`) or `already_indexed` (was in the store: kept as it was, with its first
    original file and provenance). 201 when something was written, else 200."""
    uploads = await read_uploads(
        request, max_files=settings.max_files, max_bytes=settings.max_upload_bytes
    )
    prepared = await process_within_budget(
        uploads, settings.options, keep_sources=settings.keep_sources,
        seconds=settings.upload_seconds,
    )  # fmt: skip
    known = await run_in_threadpool(already_indexed, store, prepared)
    written = [p for p in prepared if replace or p.document.id not in known]
    await run_in_threadpool(index_atomically, store, written)
    documents = []
    for item in prepared:
        status = UPLOAD_STATUS[(item.document.id in known, replace)]
        documents.append({**item.document.to_dict(), "status": status})
    payload = {"count": len(written), "documents": documents}
    return JSONResponse(payload, status_code=201 if written else 200)


@router.get(
    "/documents/{doc_id}",
    summary="A document with all its records",
    responses={404: ERROR_RESPONSES[404]},
)
def read_document(doc_id: DocId, store: StoreDep) -> JSONResponse:
    return JSONResponse(store.get(doc_id).to_dict())


@router.get(
    "/documents/{doc_id}/text",
    summary="A document's cleaned text (text/plain, UTF-8)",
    response_class=PlainTextResponse,
    responses={404: ERROR_RESPONSES[404]},
)
def read_text(doc_id: DocId, store: StoreDep) -> Response:
    return PlainTextResponse(store.get(doc_id).text, media_type="text/plain; charset=utf-8")


@router.get(
    "/documents/{doc_id}/source",
    summary="The document's original file, or its text when no original was kept",
    description="The file as it was uploaded or indexed (PDF, DOCX, HTML, text in its own "
    "encoding), with its media type and a Content-Disposition naming the file (PDF and text "
    "inline, other types as attachments). A document without a kept original (a JSON text "
    "upload, a file over the size cap, a store filled with `--no-sources`) answers with its "
    "cleaned text. `X-Cnpolicy-Source` says which: `original` or `text`.",
    response_class=Response,
    responses={
        200: {
            "description": "The original file, or the text",
            "content": {media: {} for media in (*MEDIA_TYPES.values(), "text/plain")},
        },
        404: ERROR_RESPONSES[404],
    },
)
def read_source(doc_id: DocId, store: StoreDep) -> Response:
    original = store.source(doc_id)
    if original is not None:
        return Response(
            original.data, media_type=original.media_type, headers=source_headers(original)
        )
    document = store.get(doc_id)
    return PlainTextResponse(
        document.text,
        media_type="text/plain; charset=utf-8",
        headers=text_headers(document.source),
    )


@router.delete(
    "/documents/{doc_id}",
    summary="Delete a document and its records",
    responses={401: ERROR_RESPONSES[401], 404: ERROR_RESPONSES[404]},
    dependencies=[Depends(require_token)],
)
def delete_document(doc_id: DocId, store: StoreDep) -> dict[str, str]:
    store.delete(doc_id)
    return {"deleted": doc_id}
