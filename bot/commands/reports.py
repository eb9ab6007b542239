"""Admin commands about a program's results: the report in chat and the CSV export.

Both are admin commands scoped to one program: :mod:`bot.commands.dispatch` checks the
rights and writes the audit entry (a refusal included) before and after these run.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.i18n import _, ngettext
from bot.i18n import formats
from bot.cadence.hours import hours_of
from bot.commands.command_call import CommandCall
from bot.messages import Attachment, Message, say
from bot.reports import links
from bot.reports.chat import report_message
from bot.reports.export import MEDIA_TYPE, csv_files
from bot.reports.figures import program_report
from bot.reports.links import DEFAULT_LIFETIME


async def report(call: CommandCall) -> Sequence[Message]:
    """``report``: sessions, completion, pairs at risk, goals, feedback, by format and cohort."""
    assert call.program is not None
    return [report_message(await program_report(call.turn.repo, call.program, call.turn.now))]


async def export(call: CommandCall) -> Sequence[Message]:
    """``export``: the program's CSV files, attached and behind signed links that expire."""
    turn, program = call.turn, call.program
    assert program is not None
    files = await csv_files(turn.repo, program)
    token, expires_at = await links.sign_for(turn, program.id)
    attachments = tuple(Attachment(name, MEDIA_TYPE, data, link=links.path(token, f"export/{name}"))
                        for name, data in files.items())
    zone = (await hours_of(turn.repo, turn.person)).zone
    text = (_("CSV files for {program}: {items}. Ratings, counts and outcomes only: no private notes, " "nothing a participant wrote.\nThe download links stay valid for {default_lifetime} (until " "{until} {zone}); ask again for fresh ones.", program=program.name, items=', '.join(files), default_lifetime=_duration(DEFAULT_LIFETIME), until=formats.weekday_time(expires_at.astimezone(zone), with_day=True), zone=zone.key))
    return [Message(text, say(text).blocks, attachments=attachments)]


def _duration(span: timedelta) -> str:
    hours = int(span.total_seconds() // 3600)
    if hours % 24 == 0 and hours >= 48:
        return ngettext("{n} day", "{n} days", hours // 24)
    return ngettext("{n} hour", "{n} hours", hours)
