"""The words of every message: Jinja2 templates in Bahasa Indonesia, one per kind and channel
(``templates/inbox/<kind>.j2``: blocks ``title`` and ``body``; ``templates/email/<kind>.j2``: blocks
``subject`` and ``content`` in the layout ``email/_layout.j2``), with dates and periods in words
("5 Maret 2035", "Triwulan I 2035") and a link to the record."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined

from notification.domain.periods import describe_date, describe_period, describe_predikat, is_low

CHANNELS_WITH_TEMPLATES = ("inbox", "email")
HEADER_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
ADDR_SPEC = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+"
)
MAX_HEADER_CHARS = 500
MAX_ADDRESS_CHARS = 254


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("notification", "templates"),
        undefined=StrictUndefined,
        autoescape=False,  # plain text: the inbox shows text, the email is text/plain  # noqa: S701
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        finalize=plain_value,
    )
    env.filters["tanggal"] = describe_date
    env.filters["periode"] = describe_period
    env.filters["predikat"] = describe_predikat
    env.filters["jp"] = lambda value: f"{float(value):g}"
    env.tests["low"] = is_low
    return env


def _block(env: Environment, name: str, block: str, context: Mapping[str, Any]) -> str:
    template = env.get_template(name)
    return "".join(template.blocks[block](template.new_context(dict(context)))).strip()


def render(env: Environment, kind: str, channel: str, context: Mapping[str, Any]) -> Rendered:
    """The title (subject) and body of ``kind`` on ``channel`` (``inbox`` or ``email``)."""
    if channel == "email":
        name = f"email/{kind}.j2"
        body = env.get_template(name).render(dict(context)).strip()
        return Rendered(_block(env, name, "subject", context), body)
    name = f"inbox/{kind}.j2"
    return Rendered(_block(env, name, "title", context), _block(env, name, "body", context))


def plain_value(value: Any) -> Any:
    """Every value a template writes (``{{ ... }}``; the templates' own words are left as they are): a
    line break, any other control character or a direction override (U+202A-202E, U+2066-2069) from an
    event's or the registry's text becomes a space, so a reason or a name cannot break a title into
    lines or reverse the text around it."""
    return HEADER_CONTROL.sub(" ", value) if isinstance(value, str) else value


def header_text(value: str) -> str:
    """A mail header value made from facts (a name from the registry, a title): CR, LF and every other
    control or direction character become a space (a header cannot be split or forged), bounded."""
    return " ".join(HEADER_CONTROL.sub(" ", value).split())[:MAX_HEADER_CHARS]


def plain_address(value: str | None) -> str | None:
    """``value`` if it is a plain ASCII addr-spec (``local@domain.tld``: no display name, no comment,
    no quotes, no spaces or line breaks), else None: the address is refused."""
    if value and len(value) <= MAX_ADDRESS_CHARS and ADDR_SPEC.fullmatch(value):
        return value
    return None


def _id(data: Mapping[str, Any], field: str) -> str:
    return quote(str(data[field]), safe="")


def link_path(kind: str, data: Mapping[str, Any]) -> str:
    """Where the record lives in the web application (appended to ``NOTIFICATION_LINK_BASE_URL``); the
    record's id is percent-encoded (it comes from an event)."""
    if kind.startswith("skp."):
        return f"/skp/{_id(data, 'skp_id')}"
    if kind in ("reminder.skp_due", "reminder.skp_approval_due"):
        return "/skp"
    if kind == "reminder.evaluation_due":
        return "/evaluations"
    if kind.startswith("plan.") or kind == "reminder.plan_due":
        return f"/evaluations/{_id(data, 'appraisal_id')}/development-plan"
    if kind.startswith("objection."):
        return f"/evaluations/{_id(data, 'appraisal_id')}/objection"
    if kind.startswith("appraisal.") or kind == "escalation":
        return f"/evaluations/{_id(data, 'appraisal_id')}"
    if kind == "training.recommended":
        return f"/training/recommendations/{_id(data, 'recommendation_id')}"
    if kind in ("training.enrolled", "training.completed"):
        return f"/training/enrolments/{_id(data, 'enrolment_id')}"
    return "/training/ledger"
