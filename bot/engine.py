"""The entry point of the core: one inbound event in, the replies out.

Each event is handled in one database transaction: either everything it changes is
stored, or (on any error) nothing is, and the person is told so.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar
from weakref import WeakValueDictionary

from sqlalchemy import select
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.calendars.provider import Calendars
from bot.clock import Clock, SystemClock
from bot.commands.dispatch import command_words, is_close_to_a_command, run_command
from bot.errors import UNAVAILABLE, Unavailable
from bot.flows.active import flow_for, latest_flow
from bot.flows.base import on_hold
from bot.home import home_for
from bot.i18n import N_, _, resolve, use_locale
from bot.i18n.formats import number
from bot.languages import locale_of
from bot.messages import (
    COMMAND_ACTION,
    SHOW_FORM_ACTION,
    Address,
    Button,
    Inbound,
    InboundFile,
    InboundKind,
    Message,
    say,
)
from bot.turn import Limits, Turn
from storage.db import Database, unreachable
from storage.enums import EnrollmentStatus, NudgeKind, NudgeStatus, PairStatus
from storage.models import Nudge, Person, Tenant
from storage.names import email_key
from storage.repository import Repository, claim_event, tenant_for

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_ID = 128
"""The longest platform, tenant or user id accepted (the columns' size)."""

SORRY = N_(
    "Sorry, something went wrong on my side and nothing was saved. Please try again; "
    "if it keeps happening, tell your program admin."
)
NUL = "\x00"
DUPLICATE: list[Message] = []
"""What a turn gives for a retried event that already took effect."""


class MentorBot:
    """The platform-neutral bot: adapters hand it :class:`Inbound` events."""

    def __init__(self, db: Database, clock: Clock | None = None, limits: Limits | None = None,
                 calendars: Calendars | None = None) -> None:
        self.db = db
        self.clock = clock or SystemClock()
        self.limits = limits or Limits()
        self.calendars = calendars
        self._locks: WeakValueDictionary[tuple[str, str, str], asyncio.Lock] = WeakValueDictionary()
        self._sqlite_lock = asyncio.Lock()

    async def handle(self, inbound: Inbound, again: bool = False) -> list[Message]:
        """Answer one thing a person did; a retried event already handled gets no answer. When
        the database cannot be reached, the answer says so plainly (nothing was saved)."""
        try:
            return await self.answer(inbound, again)
        except Unavailable:
            with use_locale(_platform_locale(inbound)):
                return [say(_(UNAVAILABLE))]

    async def answer(self, inbound: Inbound, again: bool = False) -> list[Message]:
        """:meth:`handle`, but raising :class:`Unavailable` when the database cannot be reached,
        for a caller that keeps the event and tries again later.

        ``again``: the event is handled again because the process handling it died, maybe after
        it took effect but before its answer went out; if it did take effect, the person is told
        where they are (the step they are at) rather than nothing."""
        inbound = _without_nul(inbound)
        with use_locale(_platform_locale(inbound)):
            refusal = _malformed(inbound) or self._too_long(inbound)
        if refusal:
            return [say(refusal)]
        replies = await self._in_turn(inbound, self._route, duplicate=DUPLICATE)
        if replies is DUPLICATE:
            if not again:
                return []
            log.info("answering where they are to %s/%s, whose event took effect before its answer was lost",
                     inbound.address.platform, inbound.address.user_id)
            replies = await self._in_turn(replace(inbound, event_id=None), self._greet, duplicate=DUPLICATE)
        if replies is None or replies is DUPLICATE:
            with use_locale(_platform_locale(inbound)):
                return [say(_(SORRY))]
        return replies

    async def home(self, inbound: Inbound) -> Message:
        """The home of the person behind ``inbound`` (an ``opened`` event): see :mod:`bot.home`."""
        inbound = _without_nul(inbound)
        with use_locale(_platform_locale(inbound)):
            refusal = _malformed(inbound)
        if refusal:
            return say(refusal)
        try:
            home = await self._in_turn(inbound, home_for, duplicate=None)
        except Unavailable:
            with use_locale(_platform_locale(inbound)):
                return say(_(UNAVAILABLE))
        if home is None:
            with use_locale(_platform_locale(inbound)):
                return say(_(SORRY))
        return home

    async def remembers(self, address: Address) -> bool:
        """True when the bot keeps someone at ``address`` (not when they asked to be forgotten)."""
        async with self.db.transaction() as session:
            tenant = await session.scalar(select(Tenant).where(Tenant.platform == address.platform,
                                                               Tenant.external_id == address.tenant))
            if tenant is None:
                return False
            person = await session.scalar(select(Person).where(
                Person.tenant_id == tenant.id, Person.platform == address.platform, Person.user_id == address.user_id))
            return person is not None and person.erased_at is None

    async def _in_turn(self, inbound: Inbound, answer: Callable[[Turn], Awaitable[T]], duplicate: T) -> T | None:
        """Run ``answer`` in one transaction for the person behind ``inbound``; ``duplicate`` for
        a retried event already handled; None on failure; :class:`Unavailable` when the
        database cannot be reached."""
        try:
            async with self._turn_lock(inbound.address):
                async with self.db.transaction() as session:
                    if inbound.event_id and not await claim_event(
                        session, inbound.address.platform, inbound.event_id, self.clock.now()
                    ):
                        log.info("ignored a retry of %s event %s", inbound.address.platform, inbound.event_id)
                        return duplicate
                    turn = await self._begin(session, inbound)
                    with use_locale(turn.locale):
                        return _stamped(await answer(turn), turn.locale)
        except Exception as failure:
            if unreachable(failure):
                log.warning("the database is unreachable (%s): nothing of a %s from %s/%s was saved",
                            type(failure).__name__, inbound.kind, inbound.address.platform, inbound.address.user_id)
                raise Unavailable from failure
            log.exception("failed to handle %r from %r", getattr(inbound, "kind", None),
                          getattr(inbound, "address", None))
            return None

    def _turn_lock(self, address: Address) -> asyncio.Lock:
        """SQLite (one process, one writer): one turn at a time. PostgreSQL: one turn at a time
        per person here, and across replicas the row locks taken in the turn (person, program)."""
        if self.db.dialect == "sqlite":
            return self._sqlite_lock
        key = (address.platform, address.tenant, address.user_id)
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock

    # --- internals -----------------------------------------------------------------------

    def _too_long(self, inbound: Inbound) -> str | None:
        limit = self.limits.max_text
        longest = max((len(text) for text in _texts(inbound)), default=0)
        if longest <= limit:
            return None
        log.warning("refused %s of %d characters from %s/%s", inbound.kind, longest,
                    inbound.address.platform, inbound.address.user_id)
        return _("That message is {length} characters long; I accept at most {limit}. Nothing was saved: please "
                 "shorten it.", length=number(longest), limit=number(limit))

    async def _begin(self, session: AsyncSession, inbound: Inbound) -> Turn:
        address, now = inbound.address, self.clock.now()
        tenant = await tenant_for(session, address.platform, address.tenant, now)
        repo = Repository(session, tenant.id)
        name = (inbound.display_name or address.user_id)[:200]
        # Someone an HR import brought in speaks for the first time: found by the email their
        # platform knows, or by name where the platform's identity is the name (the console).
        linked = await repo.link_imported(address.platform, address.user_id, email=inbound.email,
                                          name=name if address.user_id == inbound.display_name else "")
        if linked is not None:
            log.info("person %s, imported, is %s/%s", linked.id, address.platform, address.user_id)
        person, created = await repo.person_for(address.platform, address.user_id, name, now)
        await repo.lock_person(person.id)
        await repo.resume_expired_pauses(now.date(), person.id)
        # The platform's name is a default until the person confirms one in their profile.
        if inbound.display_name and person.display_name != name and person.name_confirmed_at is None:
            person.display_name = name
        if inbound.email and person.email is None:
            person.email = email_key(inbound.email)[:320]
        if inbound.timezone and _known_zone(inbound.timezone):
            person.platform_timezone = inbound.timezone
        if inbound.locale and inbound.locale.isprintable():
            person.platform_locale = inbound.locale[:35]
        person.address = replace(address, reference=_reference(address, person.address)).as_dict()
        person.last_seen_at = now
        return Turn(repo, tenant, person, inbound, self.clock, self.limits, first_contact=created,
                    calendars=self.calendars,
                    locale=await locale_of(repo, person))

    async def _route(self, turn: Turn) -> list[Message]:
        inbound = turn.inbound
        if inbound.kind is InboundKind.COMMAND:
            return await self._command(turn, inbound.text)
        if inbound.kind is InboundKind.ACTION and inbound.action_id == COMMAND_ACTION:
            return await self._command(turn, inbound.value)
        if inbound.kind is InboundKind.TEXT and _looks_like_command(inbound.text):
            return await self._command(turn, inbound.text)
        if inbound.kind is InboundKind.OPENED:
            return await self._greet(turn) if turn.first_contact or not inbound.greet_once else []
        if inbound.kind is InboundKind.ACTION and inbound.action_id == SHOW_FORM_ACTION:
            return await self._show_form(turn, inbound.value)
        if inbound.kind is InboundKind.TEXT:
            active = await latest_flow(turn)
        else:
            active = await flow_for(turn, inbound.form_id or inbound.action_id)
        if active is not None:
            return await active[0].handle(turn, active[1])
        if turn.first_contact:
            return await self._greet(turn)
        if inbound.kind is InboundKind.TEXT:
            return [say(_("I didn't catch that. Type `/mentoring help` to see what I can do."),
                        Button.for_command(_("Help"), "help"))]
        log.info("stale %s %s from person %s", inbound.kind, inbound.action_id or inbound.form_id, turn.person.id)
        return [say(_("That button or form is no longer active. Type `/mentoring help` to see what I can do."))]

    async def _command(self, turn: Turn, text: str) -> list[Message]:
        replies = list(await run_command(turn, text))
        if any(m.form or m.buttons for m in replies):
            return replies
        active = await latest_flow(turn)
        if active is not None:
            flow, state = active
            replies.append(await flow.prompt(turn, state, prefix=_("Back to {flow}:", flow=flow.label().lower())))
        return replies

    async def _show_form(self, turn: Turn, form_id: str) -> list[Message]:
        active = await flow_for(turn, form_id)
        if active is None:
            return [say(_("That form is no longer open. Type `/mentoring help` to see what I can do."))]
        return [await active[0].prompt(turn, active[1])]

    async def _greet(self, turn: Turn) -> list[Message]:
        person = turn.person
        active = await latest_flow(turn, include_held=True)
        if active is not None and on_hold(active[1]):
            return [say(_("Welcome back, {name}. Your {flow} is waiting for you.", name=person.display_name,
                          flow=active[0].label().lower()),
                        Button.for_command(_("Carry on"), "join"), Button.for_command(_("Help"), "help"))]
        if active is not None:
            flow, state = active
            return [await flow.prompt(turn, state, prefix=_("Welcome back, {name}! Let's carry on.",
                                                            name=person.display_name))]
        enrollments = await turn.repo.enrollments_of(person.id)
        if any(e.status in (EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED) for e in enrollments):
            matched = await matched_lines(turn)
            return [say("\n".join([_("Welcome back, {name}.", name=person.display_name), *matched]),
                        Button.for_command(_("My profile"), "profile"), Button.for_command(_("Help"), "help"))]
        invited = next((e for e in enrollments if e.status == EnrollmentStatus.ONBOARDING and e.role), None)
        program = await turn.repo.program(invited.program_id) if invited else None
        if invited is not None and program is not None:
            invitation = (_("Hi {name}! You are invited to {program} as a mentor: I already have what HR gave me, so "
                            "you only confirm it.", name=person.display_name, program=program.name)
                          if invited.role == "mentor" else
                          _("Hi {name}! You are invited to {program} as a mentee: I already have what HR gave me, so "
                            "you only confirm it.", name=person.display_name, program=program.name))
            return [say(invitation, Button.for_command(_("Start"), f'join "{program.name}"'),
                        Button.for_command(_("Help"), "help"))]
        running = [p for p in await turn.repo.programs() if p.id in await turn.repo.admin_program_ids(person.id)]
        if running:
            names = ", ".join(p.name for p in running)
            return [say(_("Welcome back, {name}. You run {programs}.", name=person.display_name, programs=names),
                        Button.for_command(_("Program"), f'program show "{running[0].name}"'),
                        Button.for_command(_("Flagged pairs"), f'flagged program="{running[0].name}"'),
                        Button.for_command(_("Join as a participant"), "join"), Button.for_command(_("Help"), "help"))]
        if not await turn.repo.programs():
            return [say(
                _("Hi {name}, I'm mentorbot: I run reverse-mentoring programs, where younger colleagues mentor "
                  "senior leaders on digital skills. There is no program here yet. If you are going to run one, "
                  'start it with `/mentoring program create "Digital Leaders 2027" cadence=monthly capacity=3`.',
                  name=person.display_name),
                Button.for_command(_("Help"), "help"),
            )]
        return [say(
            _("Hi {name}, I'm mentorbot: I run the reverse-mentoring program here, where younger colleagues mentor "
              "senior leaders on digital skills, and both sides learn. Would you like to join?",
              name=person.display_name),
            Button.for_command(_("Join the program"), "join"),
            Button.for_command(_("Help"), "help"),
        )]


async def matched_lines(turn: Turn) -> list[str]:
    """Who the person is paired with, said as soon as they open the chat after a match, even
    before the introduction goes out in the pair's shared working hours."""
    lines = []
    for pair in await turn.repo.pairs_of(turn.person.id):
        if pair.status != PairStatus.ACTIVE:
            continue
        partner = await turn.repo.person(pair.mentee_id if pair.mentor_id == turn.person.id else pair.mentor_id)
        if partner is None:
            continue
        why = f" ({pair.reasons[0]})" if pair.reasons else ""
        pending = await turn.repo.one_or_none(turn.repo.scoped(Nudge).where(
            Nudge.pair_id == pair.id, Nudge.kind == NudgeKind.INTRO, Nudge.status == NudgeStatus.PENDING))
        later = (" " + _("I'll introduce you both in your shared working hours; you can also say hello now.")
                 if pending else "")
        if pair.mentor_id == turn.person.id:
            line = _("Your mentee: {name}{why}.", name=partner.display_name, why=why)
        else:
            line = _("Your mentor: {name}{why}.", name=partner.display_name, why=why)
        lines.append(line + later)
    return lines


def _reference(address: Address, stored: Mapping[str, object] | None) -> dict[str, object] | None:
    """What the platform needs to message the person later: the new reference, or the one
    stored when this event brought none (a message in a shared channel, say)."""
    if address.reference:
        return dict(address.reference)
    kept = (stored or {}).get("reference")
    same_place = stored is not None and (stored.get("platform"), stored.get("tenant")) == (address.platform,
                                                                                           address.tenant)
    return dict(kept) if same_place and isinstance(kept, Mapping) else None


def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _looks_like_command(text: str) -> bool:
    """``/...`` always; ``mentoring WORD`` (as typed in Teams) only when WORD starts a command or
    is a typo of one (``mentoring profil``), so that an answer such as "Mentoring and coaching"
    stays an answer."""
    words = text.strip().lower().split()
    if not words:
        return False
    if words[0].startswith("/"):
        return True
    return words[0] == "mentoring" and len(words) > 1 and (words[1] in command_words()
                                                           or is_close_to_a_command(words[1]))


def _without_nul(inbound: Inbound) -> Inbound:
    """``inbound`` with NUL characters taken out of what the person typed and of the platform's
    names and references (PostgreSQL stores no NUL in text; SQLite would): the same on both
    databases. Ids are left as they are, for :func:`_malformed` to refuse."""
    if not isinstance(inbound, Inbound):
        return inbound
    address = inbound.address
    if isinstance(address, Address) and address.reference:
        address = replace(address, reference=_strip_nul(address.reference))
    return replace(inbound, address=address, text=_strip_nul(inbound.text), value=_strip_nul(inbound.value),
                   values=_strip_nul(inbound.values), display_name=_strip_nul(inbound.display_name),
                   timezone=_strip_nul(inbound.timezone), locale=_strip_nul(inbound.locale))


def _strip_nul(value: T) -> T:
    if isinstance(value, str):
        return value.replace(NUL, "")  # type: ignore[return-value]
    if isinstance(value, Mapping):
        return {_strip_nul(key): _strip_nul(item) for key, item in value.items()}  # type: ignore[return-value]
    if isinstance(value, list):
        return [_strip_nul(item) for item in value]  # type: ignore[return-value]
    return value


def _malformed(inbound: Inbound) -> str | None:
    """What is wrong with an event whose fields have the wrong types (an adapter bug, or a
    forged payload), or None when it is well-formed. Ids (of the person, a button, a form) must
    be printable: a NUL or a line break in one is a forged or broken payload."""
    address = inbound.address
    if not isinstance(address, Address) or not all(
        isinstance(part, str) and 0 < len(part) <= MAX_ID and part.isprintable()
        for part in (address.platform, address.tenant, address.user_id)
    ):
        problem = "address"
    elif not all(isinstance(part, str) for part in (inbound.text, inbound.value, inbound.action_id, inbound.form_id)):
        problem = "text"
    elif not (inbound.action_id.isprintable() and inbound.form_id.isprintable()):
        problem = "ids"
    elif not isinstance(inbound.values, Mapping) or not all(
        isinstance(key, str) and _is_form_value(value) for key, value in inbound.values.items()
    ):
        problem = "form values"
    elif not isinstance(inbound.email, str) or not isinstance(inbound.locale, str) or not isinstance(inbound.files, tuple) or not all(
        isinstance(f, InboundFile) and isinstance(f.data, bytes) and isinstance(f.filename, str) for f in inbound.files
    ):
        problem = "files or email"
    else:
        return None
    log.warning("refused a malformed %s event (%s)", getattr(inbound, "kind", "?"), problem)
    return _("I could not read that: it was not in a shape I understand. Nothing was saved.")


def _stamped(result: T, locale: str) -> T:
    """The turn's messages marked with the language they are written in (for the adapters' own words)."""
    if isinstance(result, Message):
        return replace(result, locale=result.locale or locale)  # type: ignore[return-value]
    if isinstance(result, list):
        return [replace(m, locale=m.locale or locale) if isinstance(m, Message) else m  # type: ignore[return-value]
                for m in result]
    return result


def _platform_locale(inbound: Inbound) -> str:
    """The language to answer in before the person is known (or when their turn failed)."""
    locale = getattr(inbound, "locale", "")
    return resolve([locale if isinstance(locale, str) else None])


def _is_form_value(value: object) -> bool:
    return isinstance(value, str) or (isinstance(value, list) and all(isinstance(item, str) for item in value))


def _texts(inbound: Inbound) -> Iterator[str]:
    yield inbound.text
    yield inbound.value
    for value in inbound.values.values():
        if isinstance(value, list):
            yield from (str(item) for item in value)
        else:
            yield str(value)
