"""A research assignment's flag as the program admins see it: the write-up is overdue."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.catalog import topic_label
from bot.i18n import N_, _
from bot.i18n import formats
from bot.messages import Button, ButtonStyle, Message, say
from bot.research.assignments import live, names_of, ref
from storage import research as queries
from storage.enums import FlagKind
from storage.models import Flag
from storage.repository import Repository

NEW_DUE_AHEAD = timedelta(days=7)
"""How far ahead the "move the due date" button of a flag puts it."""

TITLES: dict[str, str] = {FlagKind.RESEARCH_OVERDUE: N_("research write-up overdue")}
"""How the admins' digest, the reports and the simulation name a research flag."""


async def flag_message(repo: Repository, flag: Flag, zone: ZoneInfo, now: datetime) -> Message | None:
    """A research flag with what an admin needs to act on it, or None when it no longer applies."""
    assignment = await queries.assignment(repo, flag.assignment_id or 0)
    program = await repo.program(flag.program_id)
    if assignment is None or program is None or flag.resolved_at is not None:
        return None
    if assignment.writeup or not live(assignment) or assignment.due_on is None:
        return None
    names = ", ".join(await names_of(repo, await queries.mentor_ids(repo, assignment.id)))
    new_due = now.astimezone(zone).date() + NEW_DUE_AHEAD
    return say(_("*Flag in {program}*: research on '{topic}' ({names}): write-up overdue since {due_on}.", program=program.name, topic=topic_label(assignment.topic), names=names, due_on=formats.day_in_year(assignment.due_on)),
               Button.for_command(_("Nudge the mentors"), f"research nudge {ref(assignment)}", ButtonStyle.PRIMARY),
               Button.for_command(_("Move the due date"), f"research due {ref(assignment)} {new_due.isoformat()}"))
