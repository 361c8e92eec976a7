"""The FastAPI application factory: `create_app(store, settings=...)` wires routes, errors, limits.

The store is injected (SQLite or Elasticsearch, opened at the edge by cnpolicy/cli/serve.py or a test);
the app never opens or closes it.
"""

from __future__ import annotations

from dataclasses import replace
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from cnpolicy import __version__
from cnpolicy.api import routes_documents, routes_query, routes_web
from cnpolicy.api.errors import install_error_handlers
from cnpolicy.api.limits import BodyLimitMiddleware
from cnpolicy.api.pages import file_size, format_value, mention_url
from cnpolicy.api.security import SecurityHeadersMiddleware
from cnpolicy.api.settings import Settings
from cnpolicy.search.backend import Store

__all__ = [
    "DESCRIPTION",
    "TITLE",
    "create_app",
    "effective_settings",
    "package_dir",
]

TITLE = "cnpolicy"
DESCRIPTION = (
    "Chinese government policy texts as structured, searchable data: upload documents, search "
    "them, query the extracted statistics, compare places, read 三定 department records, export."
)


def package_dir(name: str) -> Path:
    """A folder shipped inside cnpolicy.api (templates, static)."""
    return Path(str(resources.files("cnpolicy.api").joinpath(name)))


def effective_settings(settings: Settings) -> Settings:
    """The settings with the pipeline's per-file limit equal to the upload limit."""
    ingest = replace(settings.options.ingest, max_bytes=settings.max_upload_bytes)
    return replace(settings, options=replace(settings.options, ingest=ingest))


def create_app(store: Store, *, settings: Settings | None = None) -> FastAPI:
    """The HTTP API and web interface over `store`."""
    settings = effective_settings(settings or Settings())
    app = FastAPI(
        title=TITLE,
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.store = store
    app.state.settings = settings
    templates = Jinja2Templates(directory=str(package_dir("templates")))
    templates.env.globals.update(
        mention_url=mention_url, file_size=file_size, format_value=format_value
    )
    app.state.templates = templates
    install_error_handlers(app)
    app.include_router(routes_documents.router)
    app.include_router(routes_query.router)
    app.include_router(routes_web.router)
    app.mount("/static", StaticFiles(directory=str(package_dir("static"))), name="static")
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
            # Readable by a page on an allowed origin: the name and kind of a downloaded file.
            expose_headers=["Content-Disposition", "X-Cnpolicy-Source"],
        )
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_upload_bytes)
    app.add_middleware(SecurityHeadersMiddleware)  # outermost: 413s and errors get them too
    return app
