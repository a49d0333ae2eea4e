"""Which channels carry which kinds for one person.

The inbox always does (it is the record of what the person was told; tasks live there). ``push`` is the
live stream of the inbox (Server-Sent Events) and ``email`` a mail to the registry's address. A person
changes the defaults per kind; a kind they never set keeps its default. Group inboxes (the BKPSDM's, an
OPD admin's) have no address: inbox and push only. Webhooks are not a person's channel: they follow the
integration subscriptions (``webhooks``)."""

from __future__ import annotations

from collections.abc import Mapping

from notification.domain.routing import JP_BEHIND, KINDS, REMINDER_KINDS, TASK_KINDS

PERSONAL_CHANNELS = ("email", "push")
"""Channels a person may switch per kind (the inbox cannot be switched off)."""
QUIET_BY_EMAIL = frozenset({"training.enrolled", "training.completed", "training.recommended", "plan.recorded"})
"""Kinds that are only news (nothing to do, nothing to object to): no email unless asked for."""


def default_channels(kind: str) -> frozenset[str]:
    """Push for every kind; email for tasks, reminders, results, decisions and escalations."""
    if kind in TASK_KINDS or kind in REMINDER_KINDS or kind == JP_BEHIND:
        return frozenset({"push", "email"})
    if kind in QUIET_BY_EMAIL:
        return frozenset({"push"})
    return frozenset({"push", "email"})


def channels_for(kind: str, chosen: Mapping[str, list[str]] | None) -> frozenset[str]:
    """The channels of ``kind`` for a person whose stored choices are ``chosen`` (kind -> channels)."""
    picked = (chosen or {}).get(kind)
    own = frozenset(picked) & frozenset(PERSONAL_CHANNELS) if picked is not None else default_channels(kind)
    return own | {"inbox"}


def effective(chosen: Mapping[str, list[str]] | None) -> dict[str, list[str]]:
    """Every kind with its channels (what ``GET /preferences`` shows)."""
    return {kind: sorted(channels_for(kind, chosen)) for kind in KINDS}
