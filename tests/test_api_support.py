"""Shared helpers for the API tests (no tests here): sample records, a store, an app, a server.

The sample documents are built as records (no pipeline), with every metric's offsets found in
its text, so tests can derive what the API must answer from the records themselves. Requests
go through `httpx.ASGITransport` (`ApiClient`): the real app in this process, no sockets.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from cnpolicy.api.app import create_app
from cnpolicy.api.settings import Settings
from cnpolicy.dedup import content_id, fingerprint
from cnpolicy.gazetteer import load_gazetteer
from cnpolicy.records import Document, Duty, Entity, InternalBody, Metric, Region, Sanding
from cnpolicy.search.sqlite.store import SqliteStore

SENT_DOWN = "staffing.sent_down"
INSTITUTIONS = "institutions.reduced"
# Seconds a test server may take to start listening.
SERVER_START_TIMEOUT = 15.0
# The base URL requests through the ASGI transport carry (no name is looked up).
ASGI_BASE_URL = "http://testserver"


# What the tests read of a response.
Response = httpx.Response


@dataclass(frozen=True, slots=True)
class Report:
    """What a sample reform report says: its place, year and two figures."""

    city: str
    year: int
    sent_down: int
    institutions: int
    doc_type: str = "reform_report"


REPORTS = (
    Report("湛江市", 2019, 900, 12),
    Report("咸宁市", 2018, 350, 9),
    Report("威海市", 2021, 420, 15),
    Report("宜宾市", 2020, 275, 7),
    Report("襄阳市", 2020, 610, 11, doc_type="work_report"),
)


def region(name: str) -> Region:
    found = load_gazetteer().lookup(name)
    assert found is not None, f"{name} is not in the gazetteer"
    return found


def metric_at(
    text: str, quote: str, value: int, unit: str, indicator: str, place: Region
) -> Metric:
    start = text.index(quote)
    sentence_start = text.rfind("\n", 0, start) + 1
    sentence_end = text.find("。", start)
    return Metric(
        text=quote, start=start, end=start + len(quote),
        sentence=text[sentence_start : sentence_end + 1], value=value, unit=unit, kind="count",
        subject="编制" if indicator == SENT_DOWN else "机构", region=place, indicator=indicator,
    )  # fmt: skip


def report_document(report: Report) -> Document:
    place = region(report.city)
    title = f"{report.city}扎实推进机构改革工作纪实"
    text = (
        f"{title}\n"
        f"{report.year}年以来，{report.city}认真贯彻省委部署，深化机构改革。\n"
        f"全市下划{report.sent_down}名编制充实基层力量，精简机构{report.institutions}个。\n"
        f"{report.city}机构编制委员会办公室将继续推进综合行政执法改革。"
    )
    sent = f"{report.sent_down}名"
    inst = f"{report.institutions}个"
    metrics = (
        metric_at(text, sent, report.sent_down, "名", SENT_DOWN, place),
        metric_at(text, inst, report.institutions, "个", INSTITUTIONS, place),
    )
    office = f"{report.city}机构编制委员会办公室"
    o_start = text.index(office)
    entities = (
        Entity(report.city, "GPE", text.index(report.city), text.index(report.city) + len(report.city),
               code=place.code),
        Entity(office, "ORG", o_start, o_start + len(office)),
    )  # fmt: skip
    return Document(
        id=content_id(text), source=f"{report.city}-{report.year}.txt", format="txt", text=text,
        title=title, date=f"{report.year}-06-01", publisher=f"{report.city}委编办", region=place,
        doc_type=report.doc_type, fingerprint=fingerprint(text), entities=entities,
        metrics=metrics,
    )  # fmt: skip


def sanding_document() -> Document:
    place = region("湛江市")
    text = (
        "湛江市市场监督管理局职能配置、内设机构和人员编制规定\n"
        "第一条 市场监督管理局是市政府工作部门，为正处级。\n"
        "第二条 内设办公室、法规科。\n"
        "第三条 机关行政编制40名。设局长1名，副局长3名。"
    )
    record = Sanding(
        department="湛江市市场监督管理局", region="湛江市", nature="市政府工作部门",
        rank="正处级", duties=(Duty(1, "负责市场综合监督管理。"),), duties_count=1,
        internal_bodies=(InternalBody("办公室"), InternalBody("法规科")),
        staffing={"行政编制": 40}, leadership={"局长": 1, "副局长": 3},
    )  # fmt: skip
    return Document(
        id=content_id(text), source="zhanjiang-scjgj.txt", format="txt", text=text,
        title="湛江市市场监督管理局职能配置、内设机构和人员编制规定", date="2019-03-01",
        region=place, doc_type="sanding", fingerprint=fingerprint(text), sanding=record,
    )  # fmt: skip


def repeated_quote_document() -> Document:
    """A report in which the quote of its SENT_DOWN figure ("260名") also occurs earlier as
    another figure: only the offsets tell a link which of the two it means. Filler paragraphs
    put the second mention below the first screen, so a link to it has to scroll."""
    place = region("柳州市")
    filler = "".join(f"（{i}）各部门按照分工推进各项改革任务。\n" for i in range(1, 61))
    text = (
        "柳州市机构改革工作情况\n"
        "2020年，柳州市面向社会招聘260名社区工作者。\n"
        f"{filler}"
        "同年全市下划260名编制充实镇街力量，基层力量明显增强。"
    )
    first = text.index("260名")
    second = text.index("260名", first + 1)
    hired = Metric(
        text="260名", start=first, end=first + 4, sentence=text.split("\n")[1], value=260,
        unit="名", kind="count", subject="社区工作者",
    )  # fmt: skip
    sent = Metric(
        text="260名", start=second, end=second + 4, sentence=text.split("\n")[-1], value=260,
        unit="名", kind="count", subject="编制", region=place, indicator=SENT_DOWN,
    )  # fmt: skip
    return Document(
        id=content_id(text), source="liuzhou-2020.txt", format="txt", text=text,
        title="柳州市机构改革工作情况", date="2020-12-01", region=place,
        doc_type="reform_report", fingerprint=fingerprint(text), metrics=(hired, sent),
    )  # fmt: skip


def sample_documents() -> list[Document]:
    return [*(report_document(r) for r in REPORTS), sanding_document()]


def filled_store(path: Path) -> SqliteStore:
    store = SqliteStore(path)
    report = store.index(sample_documents())
    assert not report.failures, report.failures
    return store


class ApiClient:
    """Synchronous requests to an app through `httpx.ASGITransport`: each request runs the app
    in this process on its own event loop (no server, no socket). Redirects are followed unless
    a request says `follow_redirects=False`; an error the app does not handle is raised."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def call() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(
                transport=transport, base_url=ASGI_BASE_URL, follow_redirects=True
            ) as client:
                return await client.request(method, url, **kwargs)

        return asyncio.run(call())

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", url, **kwargs)


def client_for(store: SqliteStore, settings: Settings | None = None) -> ApiClient:
    return ApiClient(create_app(store, settings=settings or Settings()))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def running_server(app: FastAPI) -> Iterator[str]:
    """Serve the app with uvicorn in a thread on a free loopback port; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"test server did not start on port {port}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
