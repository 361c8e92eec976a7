"""The `cnpolicy serve` command: open the store, build the settings once, run uvicorn.

Loopback by default; a token (CNPOLICY_API_TOKEN) is strongly advised before listening wider.
"""

from __future__ import annotations

import argparse
import ipaddress
import sys

from cnpolicy.api.settings import TOKEN_VARIABLE, Settings, settings_from_env
from cnpolicy.config import MAX_INPUT_BYTES, default_store
from cnpolicy.errors import ConfigError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
# The largest upload limit the command accepts (MB): the pipeline holds a file in memory
# several times over while reading it, so larger limits are a memory risk, not a feature.
MAX_UPLOAD_MB = 1024


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    from cnpolicy.search.commands import add_store_arguments

    add_store_arguments(parser)
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})"
    )
    parser.add_argument(
        "--port", type=port_number, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--max-upload-mb",
        type=upload_megabytes,
        default=MAX_INPUT_BYTES // (1024 * 1024),
        metavar="MB",
        help=f"largest upload accepted (default {MAX_INPUT_BYTES // (1024 * 1024)} MB)",
    )
    parser.add_argument(
        "--cors-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="allow browser requests from this origin (repeatable; default: none)",
    )
    parser.add_argument(
        "--log-level",
        choices=("critical", "error", "warning", "info", "debug"),
        default="info",
        help="uvicorn log level",
    )


def port_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port in 0..65535, got {value}")
    return value


def upload_megabytes(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of MB, got {text!r}") from None
    if not 1 <= value <= MAX_UPLOAD_MB:
        raise argparse.ArgumentTypeError(f"expected 1..{MAX_UPLOAD_MB} MB, got {value}")
    return value


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def store_label(args: argparse.Namespace) -> str:
    if getattr(args, "es", None):
        return f"elasticsearch:{args.es}"
    return f"sqlite:{getattr(args, 'store', None) or default_store()}"


def settings_from_args(args: argparse.Namespace) -> Settings:
    """The frozen settings: token from the environment, limits and origins from the options."""
    return settings_from_env(
        max_upload_bytes=args.max_upload_mb * 1024 * 1024,
        cors_origins=tuple(args.cors_origin),
        store_label=store_label(args),
    )


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from cnpolicy.api.app import create_app
    from cnpolicy.search.commands import open_store

    settings = settings_from_args(args)
    if not is_loopback(args.host) and settings.token is None:
        print(
            f"cnpolicy serve: warning: listening on {args.host} without {TOKEN_VARIABLE}: "
            "anyone who can reach it can upload and delete documents",
            file=sys.stderr,
        )
    store = open_store(args, create=True)
    try:
        app = create_app(store, settings=settings)
        print(
            f"cnpolicy serve: {settings.store_label} ({store.count()} documents), starting on "
            f"http://{args.host}:{args.port}/  (API docs at /docs)",
            file=sys.stderr,
        )
        config = uvicorn.Config(
            app, host=args.host, port=args.port, log_level=args.log_level, server_header=False
        )
        server = uvicorn.Server(config)
        try:
            server.run()
        except SystemExit:  # uvicorn exits when it cannot bind
            started = False
        else:
            started = server.started
        if not started:
            raise ConfigError(
                f"could not listen on {args.host}:{args.port} (in use, or not an address here)",
                field="--port",
            )
    finally:
        store.close()
    return 0
