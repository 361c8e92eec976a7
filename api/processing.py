"""Uploads processed off the event loop, in worker processes, each request within a time budget.

A slow document holds one worker, never the server: other uploads go to the other worker, and a
request over its budget gets TimeBudgetError (413) while pebble ends and replaces its worker.
Nothing is stored until processing is done, so a request cut off leaves nothing half-written.
"""

from __future__ import annotations

import asyncio
import atexit
import multiprocessing
import os
import threading
from concurrent.futures import TimeoutError as FutureTimeout

from pebble import ProcessExpired, ProcessPool

from cnpolicy.api.uploads import Upload, process_uploads
from cnpolicy.config import UPLOAD_WORKERS, Options
from cnpolicy.errors import CorruptFileError, TimeBudgetError
from cnpolicy.flows import die_with_parent, process_bytes
from cnpolicy.search.backend import Prepared

__all__ = ["process_within_budget", "shut_down"]

# A short text that runs every stage once, so a worker has its models loaded before its first
# upload's clock starts (loading them takes seconds, longer than a small budget).
WARM_UP_TEXT = "关于调整机构编制的通知\n核定行政编制25名，精简率14.8%。".encode()

_pool: ProcessPool | None = None
_pool_lock = threading.Lock()


def warm_worker() -> None:
    """A new upload worker: ends with its parent (the forkserver, which ends with the server),
    and loads the pipeline before any upload."""
    die_with_parent(os.getppid())
    process_bytes(WARM_UP_TEXT, source="warm-up.txt", options=Options())


def upload_pool() -> ProcessPool:
    """The process's upload workers, started on first use (forkserver: no threads inherited)."""
    global _pool
    with _pool_lock:
        if _pool is None or not _pool.active:
            _pool = ProcessPool(
                max_workers=UPLOAD_WORKERS, initializer=warm_worker,
                context=multiprocessing.get_context("forkserver"),
            )  # fmt: skip
        return _pool


def shut_down() -> None:
    """Stop the upload workers (the server is stopping)."""
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.stop()  # type: ignore[no-untyped-call]
            _pool.join()
            _pool = None


atexit.register(shut_down)


async def process_within_budget(
    uploads: list[Upload], options: Options, *, keep_sources: bool, seconds: float
) -> list[Prepared]:
    """Every upload processed in a worker within `seconds`, or a named error; never blocks the
    event loop (the budget counts from when a worker starts on the request)."""
    future = upload_pool().schedule(
        process_uploads, args=(uploads, options), kwargs={"keep_sources": keep_sources},
        timeout=seconds,
    )  # fmt: skip
    what = uploads[0].name if len(uploads) == 1 else f"{len(uploads)} files"
    try:
        return await asyncio.wrap_future(future)
    except FutureTimeout:
        raise TimeBudgetError(
            f"processing took longer than the {seconds:g} s an upload may take; nothing was stored "
            "(cnpolicy serve --upload-seconds raises the budget; the command line has none)",
            source=what,
        ) from None
    except ProcessExpired as error:
        raise CorruptFileError(
            f"processing ended abnormally (worker exit code {error.exitcode}); nothing was stored",
            source=what,
        ) from None
