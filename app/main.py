"""The service's entry point: `create_app()` builds a fully wired FastAPI app."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI
from starlette.middleware import Middleware

from app.auth.sign_in_load import SignInLoad
from app.body_guard import BodyGuardMiddleware
from app.bulkhead import TenantBulkhead
from app.context import RequestContextMiddleware
from app.db import create_db_engine, create_session_factory
from app.errors import UnhandledErrorMiddleware, install_error_handlers
from app.http_methods import HttpMethodsMiddleware
from app.openapi import install as complete_openapi_document
from app.outbound.email import EmailProvider
from app.routes import api_keys, auth, counters, health, users
from app.schemas import ErrorBody
from app.settings import Settings, get_settings


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # The limiter belongs to this server's event loop: the pool every sync route draws from.
    to_thread.current_default_thread_limiter().total_tokens = app.state.settings.worker_threads
    yield
    app.state.engine.dispose()  # close pooled connections when the server stops
    if app.state.email_provider is not None:
        app.state.email_provider.close()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="Tenant service",
        version="1.0.0",
        lifespan=_lifespan,
        # Every operation documents its errors in the one shape; "default" also stops
        # FastAPI from documenting a 422 body that the service never sends.
        responses={"default": {"model": ErrorBody, "description": "An error, in the one shape"}},
        # Outermost first: the request id exists before anything can fail.
        middleware=[
            Middleware(RequestContextMiddleware),
            Middleware(UnhandledErrorMiddleware),
            # Before the body guard: a wrong method is a 405 whatever the body.
            Middleware(HttpMethodsMiddleware),
            Middleware(BodyGuardMiddleware, max_body_bytes=settings.max_body_bytes),
        ],
    )
    engine = create_db_engine(settings)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = create_session_factory(engine, settings.tenancy)
    app.state.email_provider = EmailProvider.from_settings(settings)
    app.state.sign_in_load = SignInLoad.from_settings(settings)
    app.state.tenant_bulkhead = TenantBulkhead.from_settings(settings)
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(users.router)
    app.include_router(counters.router)
    app.include_router(auth.router)
    app.include_router(api_keys.router)
    complete_openapi_document(app, page_size_max=settings.page_size_max)
    logging.getLogger("app").setLevel(logging.INFO)
    return app
