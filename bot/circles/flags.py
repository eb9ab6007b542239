"""A circle's flags as the program admins see them: the circle, what went wrong, what to do."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.i18n import N_, _
from bot.i18n import formats
from bot.circles.circles import load
from bot.messages import Button, ButtonStyle, Message, say
from bot.people import reference_to
from storage.enums import CircleStatus, FlagKind, MemberStatus
from storage.models import Flag
from storage.repository import Repository

TITLES: dict[str, str] = {FlagKind.REPEATED_ABSENCE: N_("missed the circle's last two meetings")}
"""How the admins' digest, the reports and the simulation name a circle's own flags (a circle's
canceled-twice and silent flags share the pairs' kinds and titles)."""


def _day(moment: str, zone: ZoneInfo) -> str:
    return formats.day_in_year(datetime.fromisoformat(moment).astimezone(zone))


async def flag_message(repo: Repository, flag: Flag, zone: ZoneInfo, now: datetime) -> Message | None:
    """A circle flag with what an admin needs to act on it, or None when it no longer applies
    (resolved, the circle ended, the member left it)."""
    view = await load(repo, flag.circle_id)
    if flag.resolved_at is not None or view is None or view.circle.status == CircleStatus.ENDED:
        return None
    lead = _("*Flag in {program}*: circle {name} (hosts {host_names}): ", program=view.program.name, name=view.name, host_names=view.host_names)
    dates = ", ".join(_day(d, zone) for d in flag.details.get("dates", []))
    show = Button.for_command(_("Show the circle"), f"circle show {view.ref}")
    if flag.kind == FlagKind.REPEATED_ABSENCE:
        row = view.row_of(flag.person_id or 0)
        person = await repo.person(flag.person_id or 0)
        if row is None or row.status != MemberStatus.ACTIVE or person is None:
            return None
        name = person.display_name
        return say(lead + _("{name} missed the last two meetings ({dates}).", name=name, dates=dates),
                   Button.for_command(_("Nudge {name}", name=name)[:75], view.admin_command("nudge", f" {reference_to(person)}"),
                                      ButtonStyle.PRIMARY),
                   Button.for_command(_("Remove from the circle"), view.admin_command("remove", f" {reference_to(person)}"),
                                      ButtonStyle.DANGER), show)
    if flag.kind == FlagKind.CANCELED_TWICE:
        why = _("two meetings in a row canceled ({dates}).", dates=dates)
    elif flag.kind == FlagKind.SILENT:
        since = _day(str(flag.details.get("since")), zone) if flag.details.get("since") else _("the start")
        why = _("no meeting held since {since}; they are meant to meet {cadence_text}.", since=since, cadence_text=view.cadence_text)
    else:
        return None
    return say(lead + why, Button.for_command(_("Nudge the hosts"), view.admin_command("nudge"), ButtonStyle.PRIMARY),
               show)
