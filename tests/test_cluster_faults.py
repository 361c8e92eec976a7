"""Faults on a real three-node OpenSearch cluster (one replica): a node stopped while indexing and
searching, bulks rejected by a tiny write queue, the cluster cut off mid-batch, a mapping conflict.

The cluster is started here by scripts/search-cluster.sh (Java and Maven needed; they skip and
say why without them). All tests of this module run in one xdist group, on one cluster.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cnpolicy.cli import main
from cnpolicy.errors import CnpolicyError, NotFoundError
from cnpolicy.quality.synth import generate, write_corpus
from cnpolicy.search.backend import SearchRequest
from cnpolicy.search.es.store import EsStore
from cnpolicy.search.sqlite.store import SqliteStore
from tests.conftest import REPO
from tests.test_store_backend import sample_documents

pytestmark = [pytest.mark.opensearch, pytest.mark.slow, pytest.mark.xdist_group("cluster3")]

NODES = 3
# The write pool of each node: one thread, one queued task, so concurrent bulks are rejected
# (429) as an overloaded cluster would reject them.
TINY_WRITE_QUEUE = "thread_pool.write.size=1 thread_pool.write.queue_size=1"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[str]]]:
    """Three nodes forming one cluster: its state folder and each node's URL."""
    missing = [tool for tool in ("java", "mvn") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed: cannot start OpenSearch nodes")
    state = tmp_path_factory.mktemp("cluster3")
    env = {**os.environ, "CNPOLICY_CLUSTER_DIR": str(state),
           "CNPOLICY_CLUSTER_SETTINGS": TINY_WRITE_QUEUE}  # fmt: skip
    script = str(REPO / "scripts" / "search-cluster.sh")
    subprocess.run(["bash", script, "start", str(NODES)], env=env, check=True,
                   capture_output=True, timeout=300)  # fmt: skip
    urls = [(state / f"node-{i}" / "url").read_text().strip() for i in range(1, NODES + 1)]
    try:
        yield state, urls
    finally:
        subprocess.run(["bash", script, "stop"], env=env, check=False, timeout=120)


def open_store(urls: list[str], **options: Any) -> EsStore:
    prefix = f"cnpolicy-fault-{uuid.uuid4().hex[:8]}"
    return EsStore.connect(",".join(urls), product="opensearch", prefix=prefix, **options)


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.load(answer)


def rejected_writes(url: str) -> int:
    stats = get_json(f"{url}/_nodes/stats/thread_pool")
    return sum(n["thread_pool"]["write"]["rejected"] for n in stats["nodes"].values())


def stop_node(state: Path, number: int) -> None:
    pid = int((state / f"node-{number}" / "pid").read_text())
    os.kill(pid, signal.SIGTERM)
    for _ in range(120):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.5)
    os.kill(pid, signal.SIGKILL)


def test_bulks_rejected_as_overloaded_are_resent_and_reported(
    cluster: tuple[Path, list[str]],
) -> None:
    _state, urls = cluster
    before = rejected_writes(urls[0])
    stores = [open_store(urls, replicas=1) for _ in range(4)]
    reports: list[Any] = []

    def load(number: int) -> None:
        documents = list(generate(300, seed=number, start=number * 1000))
        reports.append(stores[number].index(documents))

    threads = [threading.Thread(target=load, args=(n,)) for n in range(len(stores))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert rejected_writes(urls[0]) > before  # the cluster did reject writes
        assert sum(r.retried for r in reports) > 0  # and we resent them, and said so
        assert all(r.indexed == 300 and not r.failures for r in reports)
        assert all(store.count() == 300 for store in stores)
    finally:
        for store in stores:
            store.drop()
            store.close()


def test_a_mapping_conflict_is_a_clear_error_and_no_partial_document(
    cluster: tuple[Path, list[str]],
) -> None:
    _state, urls = cluster
    store = open_store(urls, replicas=1, refresh=True)
    # Another tool made the metrics alias first, with `unit` as a number: our records conflict.
    request = urllib.request.Request(
        f"{urls[0]}/{store.prefix}-conflict", method="PUT",
        data=json.dumps({"mappings": {"properties": {"unit": {"type": "integer"}}},
                         "aliases": {store.alias("metrics"): {"is_write_index": True}}}).encode(),
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    urllib.request.urlopen(request, timeout=30).close()
    try:
        documents = sample_documents()
        report = store.index(documents)
        with_metrics = [d for d in documents if d.metrics]
        assert report.indexed == len(documents) - len(with_metrics)
        assert {f.source for f in report.failures} == {d.source for d in with_metrics}
        assert all("unit" in f.error and "mapper_parsing_exception" in f.error
                   for f in report.failures)  # fmt: skip
        for document in with_metrics:  # nothing of a failed document stays
            with pytest.raises(NotFoundError):
                store.get(document.id)
        assert store.counts().metrics == 0
    finally:
        store.drop()  # the conflicting index too: it is behind our alias
        store.close()


class CuttableProxy:
    """A TCP forwarder to one node that can be cut (every connection closed, the port refusing)
    and restored on the same port: a network partition between cnpolicy and the cluster."""

    def __init__(self, upstream: str):
        host, port = upstream.removeprefix("http://").rsplit(":", 1)
        self.upstream = (host, int(port))
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.bulks = 0
        self.cut_after_bulks: int | None = None
        self._connections: list[socket.socket] = []
        self._server: socket.socket | None = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def open(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(16)
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            if self._server is not None:
                self._server.close()
                self._server = None
            for connection in self._connections:
                connection.close()
            self._connections.clear()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            node = socket.create_connection(self.upstream)
            with self._lock:
                self._connections.extend([client, node])
            threading.Thread(target=self._pipe, args=(client, node, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(node, client, False), daemon=True).start()

    def _pipe(self, source: socket.socket, target: socket.socket, upstream: bool) -> None:
        try:
            while data := source.recv(65536):
                if upstream and b"/_bulk" in data:
                    self.bulks += 1
                    if self.cut_after_bulks is not None and self.bulks > self.cut_after_bulks:
                        self.cut()
                        return
                target.sendall(data)
        except OSError:
            pass
        finally:
            source.close()
            target.close()


def test_a_cluster_cut_off_mid_batch_is_exit_code_5_and_a_rerun_completes_it(
    cluster: tuple[Path, list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _state, urls = cluster
    files = list(write_corpus(tmp_path / "batch", 500, seed=7))
    proxy = CuttableProxy(urls[0])
    proxy.open()
    proxy.cut_after_bulks = 1  # the first bulk (200 documents) gets through, then the cut
    prefix = f"cnpolicy-cut-{uuid.uuid4().hex[:8]}"
    command = ["index", str(tmp_path / "batch"), "--jobs", "1", "--no-entities",
               "--opensearch", proxy.url, "--es-prefix", prefix]  # fmt: skip
    try:
        code = main(command)
        err = capsys.readouterr().err
        assert code == 5
        assert "cannot reach OpenSearch" in err or "transport error" in err
        assert "200 document(s) were written before it" in err
        assert "run the same command again" in err
        proxy.cut_after_bulks = None
        proxy.open()
        assert main(command) == 0
        assert f"indexed {len(files)} of {len(files)}" in capsys.readouterr().err
        # The same files in SQLite: as many documents (reposts share an id) as on the cluster.
        sqlite = str(tmp_path / "store.db")
        assert main([*command[:4], "--store", sqlite]) == 0
        with (
            SqliteStore(sqlite) as expected,
            EsStore.connect(urls[0], product="opensearch", prefix=prefix) as store,
        ):
            assert store.count() == expected.count() > 400
    finally:
        proxy.cut()
        with EsStore.connect(urls[0], product="opensearch", prefix=prefix) as store:
            store.drop()


def test_a_stopped_node_loses_no_acknowledged_document_and_searches_go_on(
    cluster: tuple[Path, list[str]],
) -> None:
    """Last in this module: it stops a node for good."""
    state, urls = cluster
    store = open_store(urls, replicas=1)
    acknowledged: set[str] = set()
    sources: dict[str, str] = {}
    search_errors: list[CnpolicyError] = []
    answered = 0
    done = threading.Event()

    def search() -> None:
        nonlocal answered
        searcher = EsStore(store.api, prefix=store.prefix, ik=False)
        while not done.is_set():
            try:
                searcher.search(SearchRequest(text="编制"))
                answered += 1
            except CnpolicyError as error:
                search_errors.append(error)
            time.sleep(0.05)

    searching = threading.Thread(target=search)
    try:
        store.ensure()
        searching.start()
        for batch in range(6):
            documents = list(generate(100, seed=3, start=batch * 100))
            sources.update({d.source: d.id for d in documents})
            report = store.index(documents)
            failed = {f.source for f in report.failures}
            acknowledged.update(sources[d.source] for d in documents if d.source not in failed)
            if batch == 1:
                stop_node(state, NODES)
        done.set()
        searching.join()
        assert len(acknowledged) >= 300
        assert not search_errors and answered > 0
        found = store.api.mget(store.alias("documents"), sorted(acknowledged), ["id"])
        assert all(d.get("found") for d in found)
    finally:
        done.set()
        store.drop()
        store.close()
