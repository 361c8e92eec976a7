"""The `cnpolicy serve` command: open the store, build the settings once, run uvicorn.

Loopback by default; a token (CNPOLICY_API_TOKEN) is strongly advised before listening wider.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import sys
from typing import Any

from cnpolicy.api.settings import TOKEN_VARIABLE, Settings, settings_from_env
from cnpolicy.cli import add_budget_arguments, options_from
from cnpolicy.cli.store import add_store_arguments, cluster_of, open_store
from cnpolicy.config import MAX_INPUT_BYTES, UPLOAD_SECONDS, default_store
from cnpolicy.errors import ConfigError
from cnpolicy.search.sources import MAX_SOURCE_BYTES

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "MAX_UPLOAD_MB",
    "MAX_WORKERS",
    "WORKER_OPTIONS",
    "add_serve_arguments",
    "announce",
    "cannot_listen",
    "is_loopback",
    "port_number",
    "positive_seconds",
    "run_serve",
    "run_single",
    "run_workers",
    "settings_from_args",
    "store_label",
    "upload_megabytes",
    "worker_app",
    "worker_count",
    "worker_options",
]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
# Where `cnpolicy serve --workers N` leaves its options for the worker processes.
WORKER_OPTIONS = "CNPOLICY_SERVE_OPTIONS"
# Most worker processes: one per core is the useful maximum on the machines we target; each
# holds its own store connection and, once it has handled an upload, its own pipeline (~300 MB).
MAX_WORKERS = 16
# The largest upload limit the command accepts (MB): the pipeline holds a file in memory
# several times over while reading it, so larger limits are a memory risk, not a feature.
MAX_UPLOAD_MB = 1024


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
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
        "--no-sources",
        action="store_true",
        help="do not keep uploaded files as the documents' originals (kept by default, up to "
        f"{MAX_SOURCE_BYTES // (1024 * 1024)} MB each; the text is served in their place)",
    )
    parser.add_argument(
        "--upload-seconds", type=positive_seconds, default=UPLOAD_SECONDS, metavar="S",
        help=f"time one upload request may spend being processed (default {UPLOAD_SECONDS:g} s); "
        "a slower one gets 413 and nothing is stored",
    )  # fmt: skip
    parser.add_argument(
        "--workers",
        type=worker_count,
        default=1,
        help="server processes (default 1); more lets searches use more cores",
    )
    add_budget_arguments(parser)
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


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text}")
    return value


def worker_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of processes, got {text!r}") from None
    if not 1 <= value <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"expected 1..{MAX_WORKERS} workers, got {value}")
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
    cluster = cluster_of(args)
    if cluster is not None:
        return f"{cluster[0]}:{cluster[1]}"
    return f"sqlite:{getattr(args, 'store', None) or default_store()}"


def settings_from_args(args: argparse.Namespace) -> Settings:
    """The frozen settings: token from the environment, limits and origins from the options."""
    return settings_from_env(
        max_upload_bytes=args.max_upload_mb * 1024 * 1024,
        options=options_from(args),
        cors_origins=tuple(args.cors_origin),
        store_label=store_label(args),
        keep_sources=not getattr(args, "no_sources", False),
        upload_seconds=getattr(args, "upload_seconds", UPLOAD_SECONDS),
    )


def run_serve(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    if not is_loopback(args.host) and settings.token is None:
        print(
            f"cnpolicy serve: warning: listening on {args.host} without {TOKEN_VARIABLE}: "
            "anyone who can reach it can upload and delete documents",
            file=sys.stderr,
        )
    if args.workers > 1:
        return run_workers(args)
    return run_single(args, settings)


def run_single(args: argparse.Namespace, settings: Settings) -> int:
    """One process: the store opened here, shared by the request threads."""
    import uvicorn

    from cnpolicy.api.app import create_app

    store = open_store(args, create=True)
    try:
        app = create_app(store, settings=settings)
        announce(args, f"{settings.store_label} ({store.count()} documents)")
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
            raise cannot_listen(args)
    finally:
        store.close()
    return 0


def run_workers(args: argparse.Namespace) -> int:
    """Several processes, each with its own store connection (SQLite in WAL mode reads in
    parallel), so searches use every core; the options reach them through the environment."""
    import uvicorn

    with open_store(args, create=True) as store:  # create or migrate it once, here
        documents = store.count()
    announce(args, f"{store_label(args)} ({documents} documents), {args.workers} workers")
    os.environ[WORKER_OPTIONS] = json.dumps(worker_options(args))
    try:
        uvicorn.run(
            f"{__name__}:worker_app", factory=True, host=args.host, port=args.port,
            workers=args.workers, log_level=args.log_level, server_header=False,
        )  # fmt: skip
    except SystemExit as exit_:
        if exit_.code not in (0, None):
            raise cannot_listen(args) from None
    return 0


def worker_options(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "store": str(args.store) if args.store else None,
        "es": args.es,
        "opensearch": args.opensearch,
        "es_prefix": args.es_prefix,
        "max_upload_mb": args.max_upload_mb,
        "upload_seconds": args.upload_seconds,
        "cors_origin": list(args.cors_origin),
        "no_sources": bool(args.no_sources),
    }


def worker_app() -> Any:
    """The app of one worker process (uvicorn calls this factory in each of them)."""
    from pathlib import Path

    from cnpolicy.api.app import create_app

    options = json.loads(os.environ[WORKER_OPTIONS])
    args = argparse.Namespace(**options)
    args.store = Path(options["store"]) if options["store"] else None
    return create_app(open_store(args), settings=settings_from_args(args))


def announce(args: argparse.Namespace, what: str) -> None:
    print(
        f"cnpolicy serve: {what}, starting on http://{args.host}:{args.port}/ (API docs at /docs)",
        file=sys.stderr,
    )


def cannot_listen(args: argparse.Namespace) -> ConfigError:
    return ConfigError(
        f"could not listen on {args.host}:{args.port} (in use, or not an address here)",
        field="--port",
    )
