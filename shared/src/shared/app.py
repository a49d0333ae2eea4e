"""The FastAPI application every service is built from.

A service supplies its settings, routers, the topics it publishes and consumes, and a ``wire``
coroutine that builds its dependencies (repositories, use cases) and returns its subscriptions and
outbox collections. This module does the rest, the same way for all four: logging, auth, Mongo, the
broker, explicit topic creation (with dead-letter topics), consumers with retries and dead letters,
the outbox relay, ``/healthz``, ``/readyz``, ``/metrics``, ``/asyncapi.json``, problem+json errors,
and an orderly shutdown (in-flight handlers finish, the producer flushes, bounded so a dead Kafka
cannot hang it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from faststream.kafka import KafkaBroker
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, ProcessCollector, generate_latest
from pydantic import BaseModel
from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from shared.asyncapi import asyncapi_document
from shared.auth import TokenVerifier
from shared.config import ServiceSettings
from shared.consumer import BatchPolicy, RetryPolicy, Subscription, subscribe_all
from shared.docs import docs_router
from shared.events import Topic
from shared.http import BodyGuard, install_problem_handlers, install_request_middleware
from shared.kafka import create_broker, ensure_topics, topic_specs
from shared.lag import LagProbe
from shared.logs import configure_logging
from shared.mongo import CommandMetrics, MongoDocument, create_mongo_client, mongo_ping
from shared.openapi import describe_platform
from shared.outbox import OutboxRelay
from shared.roster import People
from shared.tracing import Tracing

logger = logging.getLogger(__name__)


@dataclass
class Runtime:
    """What the platform opened for a service; handed to its ``wire`` function."""

    settings: ServiceSettings
    mongo: AsyncMongoClient[MongoDocument]
    db: AsyncDatabase[MongoDocument]
    broker: KafkaBroker
    registry: CollectorRegistry
    relay: OutboxRelay
    tracing: Tracing
    lag: LagProbe | None = None
    """The broker's view of the service's consumption (``shared.lag``); None for a service that consumes nothing."""
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def spawn(self, job: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        """Run ``job`` in the background (long work started by a request); cancelled at shutdown."""
        task = asyncio.create_task(job, name=name)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task


@dataclass
class Wiring:
    """What a service's ``wire`` returns.

    ``deps`` becomes ``app.state.deps`` for the routes; ``subscriptions`` are consumed with retries
    and dead letters; the documents of ``outbox_collections`` are watched by the outbox relay;
    ``background`` jobs run until shutdown; ``people`` answers whether a caller is still active."""

    deps: Any
    subscriptions: Sequence[Subscription[Any]] = ()
    outbox_collections: Sequence[AsyncCollection[MongoDocument]] = ()
    background: list[Callable[[], Coroutine[Any, Any, None]]] = field(default_factory=list)
    people: People | None = None
    """Who is active (``shared.roster``): every authenticated call of an inactive person gets 403."""


@dataclass(frozen=True)
class ServiceDefinition:
    name: str
    title: str
    description: str
    routers: Sequence[APIRouter]
    publishes: Sequence[Topic]
    consumes: Sequence[Topic]
    wire: Callable[[Runtime], Awaitable[Wiring]]
    version: str = "0.1.0"
    body_limits: Mapping[str, int] = field(default_factory=dict)
    """Path patterns whose requests may carry more than ``HTTP_BODY_LIMIT_BYTES`` (a CSV import)."""

    def asyncapi(self) -> dict[str, Any]:
        return asyncapi_document(
            service=self.name,
            title=self.title,
            version=self.version,
            description=self.description,
            publishes=self.publishes,
            consumes=self.consumes,
        )


def create_service_app(definition: ServiceDefinition, settings: ServiceSettings) -> FastAPI:
    registry = CollectorRegistry()
    tracing = Tracing.create(definition.name, settings.otel_exporter_otlp_endpoint, definition.version)
    ProcessCollector(registry=registry)  # process_* (memory, CPU, open files): the saturation panels
    commands = CommandMetrics(registry)  # mongo_commands_total: the database round trips of each request and event

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(definition.name, settings.log_level, settings.log_json, settings.log_personal_data)
        app.state.verifier = TokenVerifier(
            public_key_file=settings.auth_public_key_file,
            jwks_url=settings.auth_jwks_url,
            audience=settings.auth_audience,
            issuer=settings.auth_issuer,
            roles_claim=settings.auth_roles_claim,
        )
        mongo = create_mongo_client(settings.mongodb_url, definition.name, auth=settings.mongo_auth, metrics=commands)
        broker = create_broker(
            settings.kafka_bootstrap_servers,
            service_name=definition.name,
            registry=registry,
            graceful_timeout_s=settings.shutdown_timeout_s / 2,
            auth=settings.kafka_auth,
        )
        relay = OutboxRelay(
            broker,
            [],
            registry=registry,
            poll_interval_s=settings.outbox_poll_interval_s,
            publishes=definition.publishes,
            tracing=tracing,
        )
        lag = (
            LagProbe(
                settings.kafka_bootstrap_servers,
                [str(topic) for topic in definition.consumes],
                settings.consumer_group,
                settings.kafka_auth,
                registry=registry,
                interval_s=settings.lag_probe_interval_s,
            )
            if definition.consumes
            else None
        )
        runtime = Runtime(settings, mongo, mongo[settings.mongodb_database], broker, registry, relay, tracing, lag)
        tasks: list[asyncio.Task[None]] = []
        try:
            specs = topic_specs(
                sorted(set(definition.publishes) | set(definition.consumes)),
                partitions=settings.kafka_topic_partitions,
                replication_factor=settings.kafka_replication_factor,
            )
            async with asyncio.timeout(settings.kafka_startup_timeout_s):
                await ensure_topics(settings.kafka_bootstrap_servers, specs, definition.name, auth=settings.kafka_auth)
            wiring = await definition.wire(runtime)
            undeclared = {str(sub.topic) for sub in wiring.subscriptions} - {str(t) for t in definition.consumes}
            if undeclared:  # the Kafka ACLs (deploy/kafka/acls.json) are derived from ``consumes``
                raise RuntimeError(f"{definition.name} subscribes to {sorted(undeclared)} without declaring them")
            if settings.consumers_enabled:  # off: the API alone (maintenance), the topics wait in Kafka
                subscribe_all(
                    broker,
                    wiring.subscriptions,
                    group_prefix=settings.consumer_group,
                    registry=registry,
                    retry=RetryPolicy(settings.consumer_retry_attempts, settings.consumer_retry_backoff_s),
                    batch=BatchPolicy(settings.consumer_batch_max_records, settings.consumer_batch_timeout_ms),
                    tracing=tracing,
                )
            relay.watch(*wiring.outbox_collections)
            relay.enabled = settings.outbox_relay_enabled
            await relay.ensure_indexes()
            async with asyncio.timeout(settings.kafka_startup_timeout_s):
                await broker.start()
            app.state.runtime = runtime
            app.state.deps = wiring.deps
            app.state.people = wiring.people
            jobs = list(wiring.background)
            if wiring.outbox_collections and settings.outbox_relay_enabled:
                jobs.append(relay.run)
            elif wiring.outbox_collections:  # the relay is off here: its backlog still shows
                jobs.append(relay.watch_backlog)
            if lag is not None:
                jobs.append(lag.run)
            tasks = [asyncio.create_task(job(), name=job.__name__) for job in jobs]
            logger.info("%s started", definition.name, extra={"port": settings.port})
            yield
        finally:
            await _stop_tasks([*tasks, *runtime.tasks], timeout_s=settings.shutdown_timeout_s / 2)
            try:
                async with asyncio.timeout(settings.shutdown_timeout_s):
                    await broker.stop()
            except TimeoutError:
                logger.error("Kafka broker did not stop within %.0fs", settings.shutdown_timeout_s)
            await mongo.close()
            tracing.shutdown()  # the spans not exported yet go out now
            logger.info("%s stopped", definition.name)

    app = FastAPI(
        title=definition.title,
        description=definition.description,
        version=definition.version,
        lifespan=lifespan,
        docs_url=None,  # our own pages, with pinned scripts (shared.docs), when DOCS_ENABLED
        redoc_url=None,
    )
    install_problem_handlers(app)
    # The body guard runs inside the request middleware, so what it refuses (401, 413) is counted, traced
    # and answered with a correlation id like any other request (the middleware added last runs first).
    app.add_middleware(BodyGuard, limits=definition.body_limits, default_limit=settings.http_body_limit_bytes)
    install_request_middleware(app, registry, definition.name, tracing)
    app.include_router(_health_router())
    app.include_router(_metrics_router(registry))
    app.include_router(_asyncapi_router(definition))
    if settings.docs_enabled:
        app.include_router(docs_router(definition.title))
    for router in definition.routers:
        app.include_router(router)
    _document_platform(app)
    return app


def _document_platform(app: FastAPI) -> None:
    """``app.openapi()`` with what the platform answers for every route (``shared.openapi``)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = describe_platform(generate(), app.routes)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


async def _stop_tasks(tasks: list[asyncio.Task[None]], timeout_s: float) -> None:
    """Cancel background tasks and wait for them, bounded; never swallows our own cancellation."""
    for task in tasks:
        task.cancel()
    if not tasks:
        return
    _, pending = await asyncio.wait(tasks, timeout=timeout_s)
    for task in pending:
        logger.error("background task %s did not stop within %.0fs", task.get_name(), timeout_s)
    for task in tasks:
        if task.done() and not task.cancelled() and task.exception() is not None:
            logger.error("background task %s failed", task.get_name(), exc_info=task.exception())


def _asyncapi_router(definition: ServiceDefinition) -> APIRouter:
    router = APIRouter(tags=["events"])
    document = definition.asyncapi()

    @router.get("/asyncapi.json", summary="AsyncAPI 3.0 document: the events this service publishes and consumes")
    async def asyncapi() -> dict[str, Any]:
        return document

    return router


def _metrics_router(registry: CollectorRegistry) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get(
        "/metrics",
        summary="Prometheus metrics (HTTP, Kafka consumers and producers, outbox)",
        response_class=Response,
        responses={
            200: {"description": "Prometheus text format", "content": {"text/plain": {"schema": {"type": "string"}}}}
        },
    )
    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router


class Readiness(BaseModel):
    status: Literal["ready", "not_ready", "starting"]
    checks: dict[str, Literal["ok", "unreachable"]] | None = None


def _health_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="Liveness: the process answers")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get(
        "/readyz",
        summary="Readiness: Kafka and MongoDB are reachable",
        response_model=Readiness,
        responses={503: {"description": "starting, or a dependency is unreachable", "model": Readiness}},
    )
    async def readyz(request: Request) -> JSONResponse:
        runtime: Runtime | None = getattr(request.app.state, "runtime", None)
        if runtime is None:
            return JSONResponse({"status": "starting"}, status_code=503)
        mongo_ok, kafka_ok = await asyncio.gather(mongo_ping(runtime.mongo), runtime.broker.ping(timeout=2.0))
        checks = {"mongodb": "ok" if mongo_ok else "unreachable", "kafka": "ok" if kafka_ok else "unreachable"}
        ready = mongo_ok and kafka_ok
        return JSONResponse(
            {"status": "ready" if ready else "not_ready", "checks": checks}, status_code=200 if ready else 503
        )

    return router


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    """Run one service with uvicorn (``python -m <service>``); logging is configured by the app."""
    import uvicorn

    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        timeout_graceful_shutdown=int(settings.shutdown_timeout_s),
        server_header=False,
    )
