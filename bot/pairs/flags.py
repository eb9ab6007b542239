"""A pair's flags: raised from what a participant did, and as the program admins see them
(the pair, what went wrong since when, what to do)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.i18n import N_, _
from bot.catalog import cadence_label, word
from bot.i18n import formats
from bot.cadence.flags import raise_about
from bot.messages import Button, ButtonStyle, Message, say
from bot.turn import Turn
from storage.enums import FlagKind, SessionStatus
from storage.models import Flag, MentoringSession, Pair, Program
from storage.repository import Repository

TITLES: dict[str, str] = {
    FlagKind.CANCELED_TWICE: N_("two sessions in a row canceled or missed"),
    FlagKind.SILENT: N_("no session held for twice the cadence"),
    FlagKind.IGNORED_PROMPTS: N_("stopped answering"),
    FlagKind.REMATCH_REQUESTED: N_("asked for a new partner"),
    FlagKind.POOR_FIT: N_("rated the pairing a poor fit after the first session"),
}
"""How the admins' digest, the reports and the simulation name a pair's flags."""


def pair_ref(pair: Pair) -> str:
    """How a button names a pair in an admin command (``#17``)."""
    return f"#{pair.id}"


def actions(pair: Pair, program: Program) -> list[Button]:
    """What an admin can do about a pair: nudge it, pause it, or ask for a rematch."""
    scope = f'program="{program.name}"'
    return [Button.for_command(_("Nudge the pair"), f"nudge {pair_ref(pair)} {scope}", ButtonStyle.PRIMARY),
            Button.for_command(_("Pause the pair"), f"pair pause {pair_ref(pair)} {scope}"),
            Button.for_command(_("Ask for a rematch"), f"rematch {pair_ref(pair)} {scope}", ButtonStyle.DANGER)]


async def raise_flag(turn: Turn, pair: Pair, kind: FlagKind, key: str, **details: object) -> Flag | None:
    """Raise a flag about ``pair`` from something the person speaking did, once per ``key``;
    every admin of the program is told in their working hours. None if it was raised already."""
    return await raise_about(turn, pair.program_id, kind, key, pair_id=pair.id, person_id=turn.person.id,
                             details=details)


async def flag_message(repo: Repository, flag: Flag, zone: ZoneInfo, now: datetime) -> Message | None:
    """A pair's flag with the context an admin needs to act, or None when its pair is gone
    (:func:`bot.flag_views.describe_flag` takes every kind of flag)."""
    pair = await repo.one_or_none(repo.scoped(Pair).where(Pair.id == flag.pair_id))
    program = await repo.program(flag.program_id)
    if pair is None or program is None:
        return None
    mentor, mentee = await repo.person(pair.mentor_id), await repo.person(pair.mentee_id)
    names = {p.id: p.display_name for p in (mentor, mentee) if p is not None}
    lead = _("*Flag in {program}*: {names} (mentor) and {names2} (mentee): {value}.", program=program.name, names=names.get(pair.mentor_id, '?'), names2=names.get(pair.mentee_id, '?'), value=_(TITLES[FlagKind(flag.kind)]))
    lines = [lead, _why(flag, names, zone, now, pair.cadence or program.cadence)]
    history = await _history(repo, pair, names, zone)
    if history:
        lines.append(_("Last sessions:\n") + "\n".join(history))
    return say("\n".join(lines), *actions(pair, program))


def _since(flag: Flag, zone: ZoneInfo) -> str:
    since = flag.details.get("since")
    return formats.date_only(datetime.fromisoformat(since).astimezone(zone)) if since else "?"


def _why(flag: Flag, names: dict[int, str], zone: ZoneInfo, now: datetime, cadence: str) -> str:
    if flag.kind == FlagKind.IGNORED_PROMPTS:
        who = names.get(flag.person_id or 0, _("A participant"))
        return _("{who} has not answered my last two messages (since {flag}).", who=who, flag=_since(flag, zone))
    if flag.kind == FlagKind.REMATCH_REQUESTED:
        who = names.get(flag.person_id or 0, _("A participant"))
        reason = flag.details.get("reason")
        said = f": \u201c{reason}\u201d" if reason else _(" (no reason given)")
        return _("{who} asked me privately for a new partner on {flag}{said}.", who=who, flag=_since(flag, zone), said=said)
    if flag.kind == FlagKind.POOR_FIT:
        who = names.get(flag.person_id or 0, _("A participant"))
        return _("{who} rated the pairing {details}/5 after the first session (privately).", who=who, details=flag.details.get('fit', '?'))
    if flag.kind == FlagKind.SILENT:
        return _("Nothing held since {flag}; they are meant to meet {cadence}.", flag=_since(flag, zone), cadence=cadence_label(cadence))
    return _("Canceled or missed since {flag}.", flag=_since(flag, zone))


async def _history(repo: Repository, pair: Pair, names: dict[int, str], zone: ZoneInfo) -> list[str]:
    rows = await repo.all(repo.scoped(MentoringSession).where(
        MentoringSession.pair_id == pair.id, MentoringSession.status != SessionStatus.RESCHEDULED,
    ).order_by(MentoringSession.starts_at.desc()).limit(4))
    lines = []
    for row in rows:
        status = _("on the calendar") if row.status == SessionStatus.SCHEDULED else word(row.status)
        by = _(" by {names}", names=names.get(row.canceled_by_id, 'someone')) if row.canceled_by_id else ""
        lines.append(_("- {when}: {status}{by}", when=formats.weekday_time(row.starts_at.astimezone(zone), with_day=True), status=status, by=by))
    return lines

