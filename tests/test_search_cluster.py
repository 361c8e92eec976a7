"""The CLI and the web app on a real OpenSearch node, beside the same corpus in SQLite.

scripts/test.sh starts the node and sets CNPOLICY_TEST_OPENSEARCH_URL; without it these skip.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cnpolicy.cli import main
from cnpolicy.config import OPENSEARCH_URL_VARIABLE
from tests.conftest import CORPORA

pytestmark = pytest.mark.opensearch

URL = os.environ.get("CNPOLICY_TEST_OPENSEARCH_URL", "")
# Selective queries: each names few documents, so both backends must return the same ones.
SELECTIVE_QUERIES = ("机构改革", "编制", "综合执法", "事业单位")


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[list[str], list[str]]]:
    """The bundled reform reports indexed by the CLI into SQLite and into OpenSearch."""
    if not URL:
        pytest.skip("CNPOLICY_TEST_OPENSEARCH_URL is not set: no OpenSearch node to test against")
    prefix = f"cnpolicy-cli-{uuid.uuid4().hex[:8]}"
    cluster = ["--opensearch", URL, "--es-prefix", prefix]
    sqlite = ["--store", str(tmp_path_factory.mktemp("cluster") / "store.db")]
    folder = str(CORPORA / "reform")
    for where in (sqlite, cluster):
        assert main(["index", folder, "--jobs", "1", *where]) == 0
    yield sqlite, cluster
    from cnpolicy.search.es.store import EsStore

    with EsStore.connect(URL, product="opensearch", prefix=prefix) as store:
        store.drop()


@pytest.mark.parametrize("query", SELECTIVE_QUERIES)
def test_search_finds_the_same_documents_on_both(
    stores: tuple[list[str], list[str]], query: str, capsys: pytest.CaptureFixture[str]
) -> None:
    found = []
    for where in stores:
        code, out, _ = run(["search", query, "--format", "json", "--limit", "50", *where], capsys)
        assert code == 0
        result = json.loads(out)
        found.append((result["total"], {h["id"] for h in result["hits"]}))
    assert found[0] == found[1]
    assert found[0][0] > 0


def test_metrics_and_compare_give_the_same_figures(
    stores: tuple[list[str], list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    rows: list[list[tuple[str, int, float, str]]] = []
    indicators: set[str] = set()
    for where in stores:
        code, out, _ = run(["metrics", "--format", "json", "--limit", "1000", *where], capsys)
        assert code == 0
        found = json.loads(out)["rows"]
        indicators.update(m["indicator"] for m in found if m.get("indicator"))
        rows.append(sorted((m["document_id"], m["start"], m["value"], m["unit"]) for m in found))
    assert rows[0] == rows[1] and len(rows[0]) > 10
    assert indicators
    tables = []
    for where in stores:
        code, out, _ = run(["compare", "--indicator", ",".join(sorted(indicators)),
                            "--format", "json", *where], capsys)  # fmt: skip
        assert code == 0
        tables.append(json.loads(out))
    assert tables[0] == tables[1]


def test_the_environment_variable_names_the_cluster(
    stores: tuple[list[str], list[str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _sqlite, cluster = stores
    monkeypatch.setenv(OPENSEARCH_URL_VARIABLE, URL)
    code, out, _ = run(["search", "编制", "--format", "json", *cluster[2:]], capsys)
    assert code == 0
    code, expected, _ = run(["search", "编制", "--format", "json", *cluster], capsys)
    assert json.loads(out) == json.loads(expected)


def test_an_unreachable_cluster_is_exit_code_5(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["search", "编制", "--opensearch", "http://127.0.0.1:9"], capsys)
    assert code == 5
    assert "cannot reach OpenSearch" in err and "127.0.0.1:9" in err


def test_elasticsearch_options_refuse_an_opensearch_server(
    capsys: pytest.CaptureFixture[str],
) -> None:
    if not URL:
        pytest.skip("CNPOLICY_TEST_OPENSEARCH_URL is not set: no OpenSearch node to test against")
    code, _, err = run(["search", "编制", "--es", URL], capsys)
    assert code != 0 and code != 70
    assert "Elasticsearch" in err


def test_the_web_app_serves_the_cluster(
    stores: tuple[list[str], list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from cnpolicy.cli import serve as server

    _sqlite, cluster = stores
    options: dict[str, object] = {"store": None, "es": None, "opensearch": URL, "es_prefix": cluster[3],
               "max_upload_mb": 20, "cors_origin": [], "no_sources": False}  # fmt: skip
    monkeypatch.setenv(server.WORKER_OPTIONS, json.dumps(options))
    with TestClient(server.worker_app()) as client:
        answer = client.get("/search", params={"q": "编制"})
        assert answer.status_code == 200
        assert answer.json()["total"] > 0
        page = client.get("/ui/search", params={"q": "编制"})
        assert page.status_code == 200 and "编制" in page.text


def test_index_reports_where_it_wrote(
    stores: tuple[list[str], list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _sqlite, cluster = stores
    note = tmp_path / "note.txt"
    note.write_text("江州市机构编制委员会办公室关于调整编制的通知\n核定行政编制25名。", "utf-8")
    code, _, err = run(["index", str(note), *cluster], capsys)
    assert code == 0 and f"indexed 1 of 1 documents into {URL}" in err
