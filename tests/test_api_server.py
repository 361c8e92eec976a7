"""The `cnpolicy serve` command: its options, the settings it builds, and a real run on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from cnpolicy.api.server import is_loopback, settings_from_args
from cnpolicy.cli import build_parser
from tests.test_api_support import filled_store, free_port

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


def test_loopback_addresses() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    assert not is_loopback("example.org")


def serve(store: Path, port: int) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "CNPOLICY_API_TOKEN"}
    command = [sys.executable, "-m", "cnpolicy", "serve", "--store", str(store),
               "--port", str(port), "--log-level", "critical"]  # fmt: skip
    return subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_serve_answers_on_loopback_then_stops(tmp_path: Path) -> None:
    store_path = tmp_path / "s.db"
    filled_store(store_path).close()
    port = free_port()
    server = serve(store_path, port)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        health = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).json()
                break
            except httpx.TransportError:
                time.sleep(0.2)
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
