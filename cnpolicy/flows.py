"""The one module that chains the stages: read → ingest → extract → prepare → store.

`cnpolicy extract` (run_batch), `cnpolicy index` (index_files) and uploads (prepare_in_memory)
all come here. Files and folders are expanded here (the edge); everything below works on bytes
and records. A file that fails becomes a `Failure` in its place; the batch goes on. Documents
for the index are segmented for it in the worker that extracted them, never again in the parent.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import resource
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from cnpolicy.config import Options
from cnpolicy.dedup import DuplicateIndex
from cnpolicy.errors import CnpolicyError, CorruptFileError, FileTooLargeError, IngestError
from cnpolicy.extract import extract_document
from cnpolicy.ingest import ingest_bytes
from cnpolicy.records import Document
from cnpolicy.search.backend import IndexReport, Prepared, Store, prepare
from cnpolicy.search.sources import source_file

__all__ = [
    "DOCUMENT_SUFFIXES",
    "IN_FLIGHT_PER_WORKER",
    "PR_SET_PDEATHSIG",
    "SOURCE_NAME_ENCODINGS",
    "WARM_UP_TEXT",
    "Failure",
    "InMemoryFile",
    "IndexOutcome",
    "Job",
    "Processed",
    "Result",
    "die_with_parent",
    "index_files",
    "iter_sources",
    "link_duplicate",
    "link_processed",
    "prepare_in_memory",
    "process_bytes",
    "process_in_memory",
    "process_keeping",
    "process_path",
    "process_safely",
    "read_file",
    "resident_mb",
    "run_batch",
    "run_batch_with_bytes",
    "run_in_workers",
    "source_name",
    "warm_up",
]

# Extensions picked up when walking a folder; a file named explicitly is read whatever its name.
DOCUMENT_SUFFIXES = frozenset(
    {".txt", ".text", ".htm", ".html", ".shtml", ".xhtml", ".pdf", ".docx"}
)
# Files in flight per worker: results come back in input order, so one slow file holds back at
# most jobs × 4 finished documents in the parent (never a whole batch); 4 keeps each worker fed
# while the parent writes the previous results.
IN_FLIGHT_PER_WORKER = 4
# prctl's option for the signal a process gets when its parent dies (linux/prctl.h).
PR_SET_PDEATHSIG = 1


@dataclass(frozen=True, slots=True)
class Failure:
    """A file that could not be processed, and why (one line, naming the file)."""

    source: str
    error: str
    kind: str

    def to_dict(self) -> dict[str, str]:
        return {"source": self.source, "error": self.error, "kind": self.kind}


Result = Document | Failure


@dataclass(frozen=True, slots=True)
class Processed:
    """A file's result and the bytes it was read from (None for a failure, or when not kept);
    in a batch with workers, the worker's pid and resident memory (MiB) once it was done."""

    result: Result
    data: bytes | None = None
    worker_pid: int = 0
    worker_mb: float = 0.0
    # For the index: the document segmented, with its original file when kept (then `data` is
    # None: the bytes travel once, inside it).
    prepared: Prepared | None = None


def iter_sources(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and the documents inside folders named (recursively, sorted)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and p.suffix.lower() in DOCUMENT_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            found.append(path)
    return found


def read_file(path: Path, options: Options) -> bytes:
    """The file's bytes; an unreadable or oversized file is an IngestError naming it."""
    try:
        size = path.stat().st_size
        if size > options.ingest.max_bytes:
            raise FileTooLargeError(
                f"{size} bytes is over the limit of {options.ingest.max_bytes} bytes",
                source=source_name(path),
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise IngestError("no such file", source=source_name(path)) from None
    except IsADirectoryError:
        raise IngestError("is a directory, expected a file", source=source_name(path)) from None
    except PermissionError:
        raise IngestError("permission denied", source=source_name(path)) from None
    except OSError as error:
        raise IngestError(f"cannot be read ({error.strerror})", source=source_name(path)) from None


def source_name(path: str | Path) -> str:
    """A path as text that can be stored: a name that is not valid UTF-8 (a GBK name from a
    Windows zip, say) is read as GB18030 when it decodes so, else its bad bytes become U+FFFD."""
    raw = os.fsencode(path)
    for encoding in SOURCE_NAME_ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")


# How a file name's bytes are read, in order: most names are UTF-8; Chinese archives made on
# Windows carry GBK names, which GB18030 reads.
SOURCE_NAME_ENCODINGS = ("utf-8", "gb18030")


def process_bytes(data: bytes, *, source: str, options: Options) -> Document:
    """Ingest and extract one file's bytes."""
    document = ingest_bytes(data, source=source, options=options.ingest)
    return extract_document(document, options.extract)


def process_path(path: str | Path, options: Options) -> Document:
    path = Path(path)
    return process_bytes(read_file(path, options), source=source_name(path), options=options)


def process_safely(source: str, options: Options) -> Result:
    """Like process_path, but a failure is returned in the document's place."""
    return process_keeping(source, options, keep_up_to=0).result


def process_keeping(source: str, options: Options, *, keep_up_to: int) -> Processed:
    """Like process_safely, with the file's bytes when there are at most `keep_up_to` of them."""
    path, source = Path(source), source_name(source)
    try:
        data = read_file(path, options)
        document = process_bytes(data, source=source, options=options)
    except CnpolicyError as error:
        return Processed(Failure(source=source, error=str(error), kind=type(error).__name__))
    except Exception as error:  # a reader bug must not stop the batch: report it in place
        message = f"{source}: unexpected {type(error).__name__}: {error}"
        return Processed(Failure(source=source, error=message, kind="InternalError"))
    return Processed(document, data if len(data) <= keep_up_to else None)


def resident_mb() -> float:
    """This process's resident memory now (MiB), from /proc; its peak where there is no /proc."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# A batch's unit of work: the file, the options, the most bytes of it to keep, whether to segment
# the document for the index as well.
Job = tuple[str, Options, int, bool]


def _process_job(job: Job) -> Processed:
    source, options, keep_up_to, for_index = job
    processed = process_keeping(source, options, keep_up_to=keep_up_to)
    if for_index and isinstance(processed.result, Document):
        kept = source_file(processed.data, processed.result) if processed.data else None
        processed = replace(processed, data=None, prepared=prepare(processed.result, source=kept))
    return replace(processed, worker_pid=os.getpid(), worker_mb=resident_mb())


def link_processed(processed: Processed, index: DuplicateIndex) -> Processed:
    """A result with near-duplicates linked to the first seen (its prepared form too)."""
    result = link_duplicate(processed.result, index)
    if result is processed.result:
        return processed
    prepared = processed.prepared
    if prepared is not None and isinstance(result, Document):
        prepared = replace(prepared, document=result)
    return replace(processed, result=result, prepared=prepared)


def link_duplicate(result: Result, index: DuplicateIndex) -> Result:
    """Mark a document that repeats an earlier one (same body) with that one's id."""
    if isinstance(result, Document) and result.fingerprint:
        first = index.first_of(result.id, result.fingerprint)
        if first is not None:
            return replace(result, duplicate_of=first)
    return result


def die_with_parent(parent: int) -> None:
    """In a worker: have the kernel end this process when its parent dies, even by SIGKILL
    (Linux's PR_SET_PDEATHSIG; elsewhere a killed parent's workers end when their pipe closes)."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


# Processed once in the parent before workers are forked, so that they start with the pipeline,
# dictionaries and numeral tables already loaded (copy-on-write) instead of each loading them
# again (1.5-2 s of CPU per worker, a fifth of a 2 M-character `index --jobs 2`).
WARM_UP_TEXT = "关于机构改革的报告\n全市精简党政机构一千二百个，事业编制减少5%。\n"


def warm_up(options: Options, *, for_index: bool) -> None:
    """Load in this process everything a worker needs, by processing a short text of our own."""
    document = process_bytes(WARM_UP_TEXT.encode("utf-8"), source="warm-up.txt", options=options)
    if for_index:
        prepare(document)


def run_in_workers(jobs: list[Job], options: Options) -> Iterator[Processed]:
    """Jobs run by `options.jobs` processes, results in input order with at most jobs × 4 in
    flight. A worker whose memory passes `options.max_worker_mb` after a file gets the pool
    replaced: nothing more is sent, what is in flight is collected, fresh workers take the rest."""
    window = options.jobs * IN_FLIGHT_PER_WORKER
    remaining = deque(jobs)
    warm_up(options, for_index=any(for_index for *_, for_index in jobs))
    while remaining:
        with ProcessPoolExecutor(
            max_workers=options.jobs, initializer=die_with_parent, initargs=(os.getpid(),)
        ) as pool:
            pending: deque[Future[Processed]] = deque()
            recycle = False
            while remaining or pending:
                while remaining and not recycle and len(pending) < window:
                    pending.append(pool.submit(_process_job, remaining.popleft()))
                if not pending:
                    break
                processed = pending.popleft().result()
                recycle = recycle or processed.worker_mb > options.max_worker_mb
                yield processed


def run_batch(
    paths: Iterable[str | Path], options: Options, *, index: DuplicateIndex | None = None
) -> Iterator[Result]:
    """Documents (or Failures) in input order; near-duplicates linked to the first seen."""
    for processed in run_batch_with_bytes(paths, options, index=index, keep_up_to=0):
        yield processed.result


def run_batch_with_bytes(
    paths: Iterable[str | Path],
    options: Options,
    *,
    keep_up_to: int,
    index: DuplicateIndex | None = None,
    for_index: bool = False,
) -> Iterator[Processed]:
    """Like run_batch, each result with its file's bytes when they are at most `keep_up_to`
    (0 keeps none: no bytes cross from the worker processes); `for_index` has each document
    segmented for the index where it was extracted (`Processed.prepared`)."""
    jobs = [(str(p), options, keep_up_to, for_index) for p in paths]
    seen = index if index is not None else DuplicateIndex()
    if options.jobs > 1 and len(jobs) > 1:
        for processed in run_in_workers(jobs, options):
            yield link_processed(processed, seen)
    else:
        for job in jobs:
            yield link_processed(_process_job(job), seen)


@dataclass(frozen=True, slots=True)
class IndexOutcome:
    """What indexing files did: the store's report, and the files that could not be read."""

    report: IndexReport
    failures: tuple[Failure, ...]


def index_files(
    sources: list[Path],
    store: Store,
    options: Options,
    *,
    keep_up_to: int,
    seen: DuplicateIndex | None = None,
    rebuild: bool = False,
    progress: Callable[[Iterator[Processed]], Iterator[Processed]] = lambda items: items,
    on_failure: Callable[[Failure], None] = lambda failure: None,
) -> IndexOutcome:
    """Files → documents segmented in the workers → the store (a rebuild swaps in new indices
    where the store can); each failure reported through `on_failure` as it comes."""
    failures: list[Failure] = []

    def prepared() -> Iterator[Prepared]:
        batch = run_batch_with_bytes(sources, options, keep_up_to=keep_up_to, index=seen,
                                     for_index=True)  # fmt: skip
        for processed in progress(batch):
            if isinstance(processed.result, Failure):
                failures.append(processed.result)
                on_failure(processed.result)
            elif processed.prepared is not None:
                yield processed.prepared

    rebuilding = getattr(store, "rebuild", None) if rebuild else None
    report = rebuilding(prepared()) if rebuilding else store.index(prepared())
    return IndexOutcome(report, tuple(failures))


@dataclass(frozen=True, slots=True)
class InMemoryFile:
    """A file held in memory (an upload): its name, bytes, a title to use, and whether its bytes
    are an original worth keeping (not the text of a JSON request)."""

    name: str
    data: bytes
    title: str | None = None
    original: bool = True


def prepare_in_memory(
    files: Iterable[InMemoryFile],
    options: Options,
    *,
    keep_sources: bool = True,
    check: Callable[[InMemoryFile], None] = lambda file: None,
) -> list[Prepared]:
    """Every file ingested, extracted and segmented for the index (in order), or the first
    failure raised; `check` runs on each file first (the API's declared-type check)."""
    seen = DuplicateIndex()
    found: list[Prepared] = []
    for file in files:
        check(file)
        document = process_in_memory(file, options)
        linked = link_duplicate(document, seen)
        assert isinstance(linked, Document)
        kept = source_file(file.data, linked) if keep_sources and file.original else None
        found.append(prepare(linked, source=kept))
    return found


def process_in_memory(file: InMemoryFile, options: Options) -> Document:
    """Ingest and extract one file in memory; a reader crash on odd bytes is a bad file."""
    if len(file.data) > options.ingest.max_bytes:
        raise FileTooLargeError(
            f"{len(file.data)} bytes is over the limit of {options.ingest.max_bytes} bytes",
            source=file.name,
        )
    try:
        document = process_bytes(file.data, source=file.name, options=options)
    except CnpolicyError:
        raise
    except Exception as error:
        raise CorruptFileError(
            f"could not be read ({type(error).__name__}: {error})", source=file.name
        ) from None
    return replace(document, title=file.title) if file.title else document
