"""Participant commands about sessions: schedule, reschedule, cancel, what happened, invites."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import N_, _
from bot.catalog import word
from bot.i18n import formats
from bot.cadence.hours import zone_named
from bot.cadence.periods import next_occurrence
from bot.cadence.when_and_where import Venue, confirmation, describe, venue_of, zone_of
from bot.commands.arguments import PARTNER, WHEN
from bot.commands.command_call import CommandCall
from bot.commands.grammar import Arg, ArgKind, CommandSpec
from bot.commands.session_start import session_start
from bot.errors import CommandError
from bot.invites import session_invite
from bot.messages import Button, ButtonStyle, Message, say
from bot.pairs import sessions as ops
from bot.pairs.schedule_flow import SCHEDULING
from bot.pairs.timing import partner_offer
from bot.pairs.slot_offer import earliest_offer
from bot.progress.checkin import after_held
from bot.progress.common import pair_view
from bot.turn import Turn
from storage.enums import PairStatus, SessionStatus
from storage.models import MentoringSession, Pair, Person

AFTER = Arg("after", ArgKind.DATE)
"""Without a time: offer slots from this day on (the "More times" button)."""
OUTCOMES = {"held": SessionStatus.HELD, "rescheduled": SessionStatus.RESCHEDULED,
            "canceled": SessionStatus.CANCELED, "no-show": SessionStatus.NO_SHOW}


async def my_pair(turn: Turn, partner_name: str | None) -> tuple[Pair, Person]:
    """The pair a participant command is about: the only one, or the one with ``partner_name``
    (the partner's name, or ``#ID`` of the pair, as an introduction's button gives it)."""
    pairs = await turn.repo.pairs_of(turn.person.id)
    if not pairs:
        raise CommandError(_("You don't have a mentoring partner yet: your program admin pairs people up."))
    found: list[tuple[Pair, Person]] = []
    for pair in pairs:
        partner = await turn.repo.person(ops.partner_of(pair, turn.person.id))
        if partner is not None and (not partner_name or partner_name.strip().lower() in
                                    (partner.display_name.lower(), partner.user_id.lower(), f"#{pair.id}")):
            found.append((pair, partner))
    if not found:
        names = ", ".join(p.display_name for _pair, p in [await _with_partner(turn, x) for x in pairs])
        raise CommandError(_("You are not paired with '{partner_name}'. Your partners: {names}.", partner_name=partner_name, names=names))
    if len(found) > 1:
        names = ", ".join(f'with="{p.display_name}"' for _found, p in found)
        raise CommandError(_("You have several partners: say which one ({names}).", names=names))
    pair, partner = found[0]
    if pair.status == PairStatus.PAUSED:
        raise CommandError(_("Your pair with {partner} is paused until {paused_until}.", partner=partner.display_name, paused_until=pair.paused_until))
    return pair, partner


async def _with_partner(turn: Turn, pair: Pair) -> tuple[Pair, Person]:
    partner = await turn.repo.person(ops.partner_of(pair, turn.person.id))
    assert partner is not None
    return pair, partner


async def schedule(call: CommandCall) -> Sequence[Message]:
    """``schedule [DATE TIME [WHERE]] [repeat] [with=NAME]``: put the next session on the calendar."""
    turn = call.turn
    pair, partner = await my_pair(turn, call.args.get("with"))
    upcoming = await ops.upcoming_session(turn, pair)
    if upcoming is not None:
        zone = await zone_of(turn)
        return [say(_("You already have a session with {partner}: {upcoming}.", partner=partner.display_name, upcoming=describe(upcoming, zone)),
                    Button.for_command(_("Reschedule it"), f"reschedule {ops.with_pair(pair.id)}"))]
    if "date" not in call.args and call.args.get("form"):
        return await SCHEDULING.start(turn, {"pair_id": pair.id, "partner": partner.display_name},
                                      subject=f"pair-{pair.id}")
    if "date" not in call.args:
        return [await earliest_offer(turn, pair, partner, "schedule", call.args.get("after"))]
    zone = await zone_of(turn)
    starts_at = session_start(call, zone)
    if not call.args.get("anyway"):
        offer = await partner_offer(turn, pair, partner, starts_at, verb="schedule", where=call.args.get("where"),
                                    repeat=bool(call.args.get("repeat")))
        if offer is not None:
            return [offer]
    session = await ops.schedule(turn, pair, starts_at, zone, venue_of(call.args.get("where")),
                                 recurring=bool(call.args.get("repeat")))
    return [await confirmation(turn, session, partner, _("Scheduled"))]


async def reschedule(call: CommandCall) -> Sequence[Message]:
    """``reschedule [DATE TIME [WHERE]] [with=NAME] [session=ID]``: move the next session (or, by
    its id, a session of the pair still waiting for its outcome)."""
    turn = call.turn
    pair, partner = await my_pair(turn, call.args.get("with"))
    upcoming = await _session_to_move(turn, pair, call.args.get("session"))
    if upcoming is None:
        return [say(_("Nothing is on the calendar with {partner} to move.", partner=partner.display_name),
                    Button.for_command(_("Schedule a session"), f"schedule {ops.with_pair(pair.id)}"))]
    if "date" not in call.args and call.args.get("form"):
        return await SCHEDULING.start(turn, {"pair_id": pair.id, "partner": partner.display_name,
                                             "moving": upcoming.id}, subject=f"pair-{pair.id}")
    if "date" not in call.args:
        return [await earliest_offer(turn, pair, partner, "reschedule", call.args.get("after"),
                                  upcoming.duration_minutes)]
    zone = await zone_of(turn)
    where = call.args.get("where")
    venue = venue_of(where) if where is not None else Venue.of(upcoming)
    starts_at = session_start(call, zone)
    if not call.args.get("anyway"):
        offer = await partner_offer(turn, pair, partner, starts_at, verb="reschedule", where=where,
                                    session_id=call.args.get("session"), minutes=upcoming.duration_minutes)
        if offer is not None:
            return [offer]
    session = await ops.reschedule(turn, pair, upcoming, starts_at, zone, venue)
    return [await confirmation(turn, session, partner, _("Moved"))]


async def _session_to_move(turn: Turn, pair: Pair, session_id: int | None) -> MentoringSession | None:
    """The pair's next session, or the one with ``session_id`` when it is still scheduled."""
    if session_id is None:
        return await ops.upcoming_session(turn, pair)
    session = await turn.repo.one_or_none(turn.repo.scoped(MentoringSession).where(
        MentoringSession.id == session_id, MentoringSession.pair_id == pair.id))
    return session if session is not None and session.status == SessionStatus.SCHEDULED else None


async def cancel_session(call: CommandCall) -> Sequence[Message]:
    """``cancel-session [with=NAME]``: call the next session off (you are recorded as canceling)."""
    turn = call.turn
    pair, partner = await my_pair(turn, call.args.get("with"))
    upcoming = await ops.upcoming_session(turn, pair)
    if upcoming is None:
        return [say(_("Nothing is on the calendar with {partner} to cancel.", partner=partner.display_name))]
    await ops.cancel(turn, pair, upcoming, turn.person.id)
    zone = await zone_of(turn)
    series = ""
    if upcoming.recurring:
        program = await turn.repo.program(pair.program_id)
        cadence = pair.cadence or (program.cadence if program else "")
        following = next_occurrence(upcoming.starts_at, upcoming.timezone, cadence) if cadence else None
        when = _(" (next: {when})", when=formats.moment(following.astimezone(zone_named(zone)))) if following else ""
        series = _(" Only this one is off: your repeating series goes on{when}.", when=when)
    return [say(_("Canceled your session with {partner} ({upcoming}).{series} I've told {partner}. Sessions " "that are moved rather than dropped keep the momentum: pick a new date?", partner=partner.display_name, upcoming=describe(upcoming, zone), series=series),
                Button.for_command(_("Pick a new date"), f"schedule {ops.with_pair(pair.id)}", ButtonStyle.PRIMARY))]


async def outcome(call: CommandCall) -> Sequence[Message]:
    """``outcome SESSION held|rescheduled|canceled|no-show [by=me|partner]``: what became of a session."""
    turn = call.turn
    session = await turn.repo.one_or_none(
        turn.repo.scoped(MentoringSession).where(MentoringSession.id == call.args["session"]))
    pair = await ops.active_pair(turn, session.pair_id) if session and session.pair_id else None
    if session is None or pair is None or turn.person.id not in (pair.mentor_id, pair.mentee_id):
        raise CommandError(_("I can't find that session among yours."))
    partner = await turn.repo.person(ops.partner_of(pair, turn.person.id))
    assert partner is not None
    if session.status != SessionStatus.SCHEDULED:
        return [say(_("Already recorded: that session was {status}. Thanks!", status=word(session.status)))]
    if session.starts_at > turn.now:
        raise CommandError(_("That session has not taken place yet."))
    status = OUTCOMES[call.args["what"]]
    if status == SessionStatus.RESCHEDULED:
        return await SCHEDULING.start(turn, {"pair_id": pair.id, "partner": partner.display_name,
                                             "moving": session.id}, subject=f"pair-{pair.id}",
                                      intro=_("When does it take place now?"))
    by = partner.id if call.args.get("by") == "partner" else turn.person.id
    await ops.record_outcome(turn, pair, session, status, by if status == SessionStatus.CANCELED else None)
    view = await pair_view(turn, pair.id)
    if status == SessionStatus.HELD and view is not None:
        return await after_held(turn, view, session)
    return [_after_outcome(status, pair, partner)]


def _after_outcome(status: SessionStatus, pair: Pair, partner: Person) -> Message:
    schedule = Button.for_command(_("Schedule the next one"), f"schedule {ops.with_pair(pair.id)}",
                                  ButtonStyle.PRIMARY)
    if status == SessionStatus.NO_SHOW:
        return say(_("Noted as a no-show. Pick a new date with {partner}?", partner=partner.display_name), schedule)
    return say(_("Noted as canceled. A new date keeps the momentum going:"), schedule)


async def list_sessions(call: CommandCall) -> Sequence[Message]:
    """``sessions``: your next session and the latest ones, with what became of them."""
    turn = call.turn
    zone = await zone_of(turn)
    lines = []
    for pair in await turn.repo.pairs_of(turn.person.id):
        _pair, partner = await _with_partner(turn, pair)
        for session in await ops.pair_sessions(turn, pair):
            state = _("on the calendar") if session.status == SessionStatus.SCHEDULED else session.status.replace("_", "-")
            lines.append(_("- {session}, with {partner}: {state}", session=describe(session, zone), partner=partner.display_name, state=state))
    if not lines:
        return [say(_("No sessions yet."), Button.for_command(_("Schedule one"), "schedule"))]
    return [say(_("Your sessions, newest first:\n") + "\n".join(lines))]


async def invite(call: CommandCall) -> Sequence[Message]:
    """``invite [with=NAME]``: the calendar invite for the next session again."""
    turn = call.turn
    pair, partner = await my_pair(turn, call.args.get("with"))
    upcoming = await ops.upcoming_session(turn, pair)
    if upcoming is None:
        return [say(_("Nothing is on the calendar with {partner} yet.", partner=partner.display_name),
                    Button.for_command(_("Schedule a session"), f"schedule {ops.with_pair(pair.id)}"))]
    text = _("The calendar invite for your session with {partner}: {upcoming}.", partner=partner.display_name, upcoming=describe(upcoming, await zone_of(turn)))
    return [Message(text, say(text).blocks, attachments=(await session_invite(turn.repo, upcoming),))]


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(("schedule",), N_("put your next session on the calendar (in your time zone; remote, in person or a place)"),
                "/mentoring schedule 2027-01-12 15:00 remote", schedule, positionals=WHEN,
                flags=("repeat", "anyway", "form"), options=(PARTNER, AFTER)),
    CommandSpec(("reschedule",), N_("move your next session"), "/mentoring reschedule 2027-01-19 15:00",
                reschedule, positionals=WHEN, flags=("anyway", "form"),
                options=(PARTNER, AFTER, Arg("session", ArgKind.INT, low=1, high=2**31 - 1))),
    CommandSpec(("cancel-session",), N_("call off your next session"), "/mentoring cancel-session",
                cancel_session, options=(PARTNER,)),
    CommandSpec(("sessions",), N_("your sessions and what became of them"), "/mentoring sessions", list_sessions),
    CommandSpec(("invite",), N_("the calendar invite (.ics) for your next session"), "/mentoring invite", invite,
                options=(PARTNER,)),
    CommandSpec(("outcome",), N_("what became of a session"), "/mentoring outcome 42 held", outcome,
                positionals=(Arg("session", ArgKind.INT, required=True, low=1, high=2**31 - 1),
                             Arg("what", ArgKind.CHOICE, required=True, choices=tuple(OUTCOMES))),
                options=(Arg("by", ArgKind.CHOICE, choices=("me", "partner")),), hidden=True),
)
