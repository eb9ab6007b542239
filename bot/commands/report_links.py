"""Admin commands that hand out the program report: a signed link to its page, its charts in chat.

The core does not know the bot's public address: a reply carries the page or the charts as
:class:`~bot.messages.Attachment` whose ``link`` is a path on the bot's server, and each
adapter turns that into a full URL under ``PUBLIC_URL`` (a button, an image), or says that
``PUBLIC_URL`` is missing. The console, with no server of its own, saves the files instead;
the path is in the text as well, for opening it on a ``mentorbot serve`` of the same database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.i18n import _
from bot.i18n import formats
from bot.cadence.hours import zone_named
from bot.cadence.when_and_where import zone_of
from bot.commands.command_call import CommandCall
from bot.messages import Attachment, Context, Message, Section
from bot.reports import links
from bot.reports.charts import CHART_NAMES, chart_pngs, description
from bot.reports.figures import ProgramReport, program_report
from bot.reports.page import report_page
from bot.turn import Turn
from storage.models import Program

PAGE_FILE = "report.html"


async def report_link(call: CommandCall) -> Sequence[Message]:
    """``report link [hours=N]``: a link to the program's report page, valid N hours (24 by default)."""
    turn, program = call.turn, _program(call)
    hours = call.args.get("hours") or int(links.DEFAULT_LIFETIME.total_seconds() // 3600)
    token, expires_at = await links.sign_for(turn, program.id, timedelta(hours=hours))
    report, charts = await _report_and_charts(turn, program)
    page_path = links.path(token)
    text = (_("The report page of *{program}*, valid for {hours} hours (until {value}): sessions per " "week, skills from start to now, formats compared, and the CSV files. Anyone who has the " "link can open it until then: keep it to yourself.", program=program.name, hours=hours, value=await _local(turn, expires_at)))
    where = _("Its address is the bot's web address (PUBLIC_URL) followed by {page_path}", page_path=page_path)
    page = Attachment(PAGE_FILE, "text/html", report_page(report, page_path, charts).encode(), link=page_path)
    return [Message(f"{text}\n{where}", [Section(text), Context(where)], attachments=(page,))]


async def report_charts(call: CommandCall) -> Sequence[Message]:
    """``report charts``: the report's three charts as PNG images."""
    turn, program = call.turn, _program(call)
    token, _expires = await links.sign_for(turn, program.id)
    report, charts = await _report_and_charts(turn, program)
    images = tuple(Attachment(name, "image/png", charts[name], link=links.path(token, f"charts/{name}"))
                   for name in CHART_NAMES)
    lines = [f"- {description(report, name)}" for name in CHART_NAMES]
    text = _("Charts of *{program}*, as of {value}:\n", program=program.name, value=await _local(turn, report.generated_at)) + "\n".join(lines)
    return [Message(text, [Section(text)], attachments=images)]


def _program(call: CommandCall) -> Program:
    assert call.program is not None, "report commands are program-scoped"
    return call.program


async def _report_and_charts(turn: Turn, program: Program) -> tuple[ProgramReport, dict[str, bytes]]:
    report = await program_report(turn.repo, program, turn.now)
    # Drawing takes a few hundred milliseconds of CPU: off the event loop, where others' turns run.
    return report, await asyncio.to_thread(chart_pngs, report)


async def _local(turn: Turn, moment: datetime) -> str:
    zone = await zone_of(turn)
    return f"{formats.moment(moment.astimezone(zone_named(zone)))} ({zone})"
