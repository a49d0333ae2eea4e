from __future__ import annotations

from typing import Annotated, Any, TypeVar, cast

from fastapi import Depends, Request, Response
from pydantic import BaseModel

from appraisal.domain.access import Actor, actor_keys
from appraisal.wiring import Deps
from shared.auth import CurrentPrincipal
from shared.mongo import MongoDocument
from shared.pagination import etag

M = TypeVar("M", bound=BaseModel)

PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "missing or invalid bearer token"},
    403: {"description": "the caller's roles or relation to the employee do not allow this"},
    404: {"description": "not found, or not visible to the caller"},
    422: {"description": "invalid input (the errors name the fields) or against the rules"},
}
CONCURRENCY: dict[int | str, dict[str, Any]] = {
    412: {"description": "If-Match does not match the current version: read again and reapply"},
    428: {"description": "If-Match is required"},
}


def get_deps(request: Request) -> Deps:
    return cast(Deps, request.app.state.deps)


async def get_actor(principal: CurrentPrincipal) -> Actor:
    """The caller (an inactive one was refused by ``authenticate``, which asks the registry)."""
    return Actor(principal.nip, frozenset(str(r) for r in principal.roles), principal.opd_code)


DepsDep = Annotated[Deps, Depends(get_deps)]
ActorDep = Annotated[Actor, Depends(get_actor)]


async def visible_records(actor: Actor, deps: Deps) -> MongoDocument:
    """Query for the SKPs and evaluations an actor may see: those of the employees the actor may see
    *now* in the registry (the same rules as a single record), whatever was copied onto the record."""
    if "admin_bkpsdm" in actor.roles:
        return {}
    cursor = deps.registry.employees.collection.find(visibility(actor), {"_id": 1})
    return {"nip": {"$in": [document["_id"] async for document in cursor]}}


def visibility(actor: Actor) -> MongoDocument:
    """The employees an actor may see, as one flat query on the registry's indexed ``readers`` keys
    (the rules of domain.access: ``actor_keys`` meets ``reader_keys``)."""
    keys = actor_keys(actor)
    return {} if keys is None else {"readers": {"$in": keys}}


def versioned_out(model: type[M], document: MongoDocument, response: Response | None = None) -> M:
    """A versioned document as its response model, with its ETag on the response when given."""
    if response is not None:
        response.headers["ETag"] = etag(document["version"])
    return model.model_validate({**document, "id": document["_id"]})
