"""The `cnpolicy serve` command: its options, the settings it builds, and a real run on loopback."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from cnpolicy.cli import build_parser
from cnpolicy.cli.serve import (
    WORKER_OPTIONS,
    is_loopback,
    settings_from_args,
    worker_app,
    worker_options,
)
from tests.test_api_support import ApiClient, filled_store, free_port, sample_documents

# Seconds the command may take to import, open the store and listen.
START_TIMEOUT = 60.0


def test_serve_options_and_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CNPOLICY_API_TOKEN", "tok")
    args = build_parser().parse_args(
        ["serve", "--store", str(tmp_path / "s.db"), "--max-upload-mb", "3",
         "--cors-origin", "https://a.example", "--cors-origin", "https://b.example"]
    )  # fmt: skip
    assert (args.host, args.port) == ("127.0.0.1", 8000)
    settings = settings_from_args(args)
    assert settings.token == "tok"
    assert settings.max_upload_bytes == 3 * 1024 * 1024
    assert settings.cors_origins == ("https://a.example", "https://b.example")
    assert settings.store_label == f"sqlite:{tmp_path / 's.db'}"


@pytest.mark.parametrize(
    "argv",
    [["serve", "--port", "70000"], ["serve", "--port", "http"], ["serve", "--max-upload-mb", "0"]],
)
def test_bad_serve_options_are_usage_errors(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(argv)
    assert exit_info.value.code == 2


def test_worker_app_is_built_from_the_options_left_in_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_path = tmp_path / "s.db"
    filled_store(store_path).close()
    args = build_parser().parse_args(
        ["serve", "--store", str(store_path), "--workers", "2", "--max-upload-mb", "7"]
    )
    monkeypatch.setenv(WORKER_OPTIONS, json.dumps(worker_options(args)))
    app = worker_app()
    assert app.state.settings.max_upload_bytes == 7 * 1024 * 1024
    assert ApiClient(app).get("/health").json()["documents"] == len(sample_documents())
    app.state.store.close()


def test_loopback_addresses() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    assert not is_loopback("example.org")


def serve(store: Path, port: int, *extra: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "CNPOLICY_API_TOKEN"}
    command = [sys.executable, "-m", "cnpolicy", "serve", "--store", str(store),
               "--port", str(port), "--log-level", "critical", *extra]  # fmt: skip
    return subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)


def wait_for_health(port: int, server: subprocess.Popen[str]) -> dict[str, object] | None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and server.poll() is None:
        try:
            health: dict[str, object] = httpx.get(
                f"http://127.0.0.1:{port}/health", timeout=2
            ).json()
            return health
        except httpx.TransportError:
            time.sleep(0.2)
    return None


@pytest.mark.slow
def test_serve_answers_on_loopback_then_stops(tmp_path: Path) -> None:
    store_path = tmp_path / "s.db"
    filled_store(store_path).close()
    port = free_port()
    server = serve(store_path, port)
    try:
        health = wait_for_health(port, server)
        assert health is not None and health["status"] == "ok"
        assert health["store"] == f"sqlite:{store_path}"
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.slow
def test_serve_on_a_busy_port_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        server = serve(tmp_path / "s.db", port)
        _, stderr = server.communicate(timeout=START_TIMEOUT)
    assert server.returncode == 2
    assert f"could not listen on 127.0.0.1:{port}" in stderr


@pytest.mark.slow
def test_worker_processes_share_the_store(tmp_path: Path) -> None:
    """With --workers 2 a document uploaded through one process is found through any."""
    store_path = tmp_path / "s.db"
    before = len(sample_documents())
    filled_store(store_path).close()
    port = free_port()
    server = serve(store_path, port, "--workers", "2")
    base = f"http://127.0.0.1:{port}"
    try:
        health = wait_for_health(port, server)
        assert health is not None and health["documents"] == before
        text = "柳州市机构改革综述\n柳州市精简机构9个，下划编制260名充实基层。"
        created = httpx.post(f"{base}/documents", json={"text": text}, timeout=START_TIMEOUT)
        assert created.status_code == 201, created.text
        doc_id = created.json()["documents"][0]["id"]
        # Several requests, so both processes answer some of them.
        for _ in range(6):
            assert httpx.get(f"{base}/documents/{doc_id}", timeout=10).status_code == 200
            assert httpx.get(f"{base}/health", timeout=10).json()["documents"] == before + 1
    finally:
        server.terminate()
        server.wait(timeout=30)


# The time budget of one upload in the head-of-line test: long enough for a short text on a
# loaded machine (~0.1 s here), far shorter than the slow text's processing (~9 s here).
UPLOAD_BUDGET = 3.0


def post_text(base: str, name: str, text: str) -> httpx.Response:
    files = {"files": (name, text.encode("utf-8"), "text/plain")}
    return httpx.post(f"{base}/documents", files=files, timeout=START_TIMEOUT * 2)


@pytest.mark.slow
def test_a_slow_upload_never_holds_up_another_beyond_the_budget(tmp_path: Path) -> None:
    """A slow document gets 413 at its budget and stores nothing; a small upload sent meanwhile
    is answered within the budget (it is processed in the other upload worker)."""
    from cnpolicy.quality.synth import document_at

    store_path = tmp_path / "s.db"
    filled_store(store_path).close()
    port = free_port()
    server = serve(store_path, port, "--upload-seconds", str(UPLOAD_BUDGET))
    base = f"http://127.0.0.1:{port}"
    slow_text = "\n".join(document_at(i).text for i in range(400))  # ~1 M characters
    try:
        assert wait_for_health(port, server) is not None
        warm = post_text(base, "warm.txt", "江州市机构改革综述\n江州市精简机构9个。")
        assert warm.status_code == 201, warm.text  # both workers are up and warm now
        with ThreadPoolExecutor(max_workers=2) as pool:
            started = time.monotonic()
            slow = pool.submit(post_text, base, "slow.txt", slow_text)
            time.sleep(0.5)
            quick_started = time.monotonic()
            quick = post_text(base, "quick.txt", "柳州市机构改革综述\n柳州市下划编制260名。")
            quick_seconds = time.monotonic() - quick_started
            slow_answer = slow.result()
            slow_seconds = time.monotonic() - started
        assert quick.status_code == 201, quick.text
        assert quick_seconds < UPLOAD_BUDGET
        assert slow_answer.status_code == 413, slow_answer.text
        assert f"longer than the {UPLOAD_BUDGET:g} s" in slow_answer.text
        assert "slow.txt" in slow_answer.text
        assert UPLOAD_BUDGET <= slow_seconds < UPLOAD_BUDGET + START_TIMEOUT / 2
        health = httpx.get(f"{base}/health", timeout=10).json()
        assert health["documents"] == len(sample_documents()) + 2  # warm and quick, not slow
    finally:
        server.terminate()
        server.wait(timeout=30)
