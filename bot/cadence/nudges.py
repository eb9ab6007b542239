"""What a nudge says when it goes out, written from the data as it is then.

Each format renders its own kinds of nudge (its ``nudges`` module, registered in
:mod:`bot.registry`); a renderer gets a :class:`Context` and returns the message, or None
when the nudge's reason has gone (the session was moved, the pair paused, the flag
resolved): such a nudge is not sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.cadence.hours import hours_of
from bot.cadence.when_and_where import describe
from bot.i18n import use_locale
from bot.languages import nudge_locale
from bot.messages import Message
from storage.models import MentoringSession, Nudge, Person
from storage.repository import Repository

Renderer = Callable[["Context"], Awaitable[Message | None]]


class Context:
    """A nudge being rendered, with what every kind needs."""

    def __init__(self, repo: Repository, nudge: Nudge, person: Person, zone: ZoneInfo, now: datetime) -> None:
        self.repo, self.nudge, self.person, self.zone, self.now = repo, nudge, person, zone, now

    async def session(self) -> MentoringSession | None:
        """The session the nudge is about."""
        return await self.repo.one_or_none(
            self.repo.scoped(MentoringSession).where(MentoringSession.id == self.nudge.session_id))

    def when(self, session: MentoringSession) -> str:
        """The session's time in the recipient's zone."""
        return describe(session, self.zone.key)


async def render_with(renderers: Mapping[str, Renderer], repo: Repository, nudge: Nudge,
                      now: datetime) -> Message | None:
    """The message for an outbox row, by the renderer of its kind; None when it should no
    longer go out (its recipient erased, its reason gone, or a kind nothing renders)."""
    person = await repo.person(nudge.person_id)
    if person is None or person.erased_at is not None:
        return None
    renderer = renderers.get(nudge.kind)
    if renderer is None:
        raise LookupError(f"no renderer for nudges of kind {nudge.kind!r}")
    zone = (await hours_of(repo, person)).zone
    locale = await nudge_locale(repo, nudge, person)
    with use_locale(locale):
        message = await renderer(Context(repo, nudge, person, zone, now))
    return replace(message, locale=locale) if message is not None else None
