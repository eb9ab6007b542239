"""``/mentoring import``: the HR file attached to the message brings in the organisation's people."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.i18n import N_, _, ngettext
from bot.commands.command_call import CommandCall
from bot.errors import CommandError
from bot.messages import Button, Message, say
from bot.people_import.apply import ImportResult, import_people
from bot.people_import.csv_file import MAX_BYTES, FileRefused, read_rows

log = logging.getLogger(__name__)

HOW_TO_ATTACH = (N_("Attach the HR file (CSV) to the message: in Slack, upload it in your chat with me and write "
                 "`/mentoring import` as its message; in Teams, attach it in your personal chat with me with "
                 "`mentoring import`; on the command line, run `mentorbot import FILE`. Columns: name, email, role, "
                 "level, department, manager email, languages, time zone, location, topics."))
MAX_LISTED = 15


async def import_file(call: CommandCall) -> Sequence[Message]:
    """``import [dry-run]``: import the attached CSV into the program (a dry run changes nothing)."""
    turn, program = call.turn, call.program
    assert program is not None
    files = [f for f in turn.inbound.files if f.filename.lower().endswith((".csv", ".txt", ".tsv"))
             or "csv" in f.media_type]
    if not turn.inbound.files:
        raise CommandError(_("There is no file with this message. {how_to_attach}", how_to_attach=HOW_TO_ATTACH))
    if len(files) != 1:
        names = ", ".join(f.filename for f in turn.inbound.files)
        raise CommandError(_("Attach exactly one CSV file (this message has: {names}). {how_to_attach}", names=names, how_to_attach=HOW_TO_ATTACH))
    upload = files[0]
    try:
        if upload.declared_size > MAX_BYTES:
            raise FileRefused(_("{filename} is {value:.0f} MB; I accept at most {value2} MB. Split it, or export only the " "columns I read.", filename=upload.filename, value=upload.declared_size / 1024 / 1024, value2=MAX_BYTES // 1024 // 1024))
        rows = read_rows(upload.data, upload.filename)
    except FileRefused as problem:
        log.info("an import was refused")
        log.debug("import of %s refused: %s", upload.filename, problem)
        raise CommandError(_("Nothing was imported: {problem}", problem=problem)) from None
    dry_run = bool(call.args.get("dry-run"))
    result = await import_people(turn.repo, rows, program=program, now=turn.now, platform=turn.person.platform,
                                 dry_run=dry_run)
    turn.audit("import file", True, program.id, file=upload.filename[:200], dry_run=dry_run,
               rows=len(rows), errors=len(result.plan.errors))
    text = summary(result, upload.filename)
    if dry_run and not result.plan.errors:
        return [say(text + _("\nSend the file again with `/mentoring import` (without dry-run) to apply it."))]
    return [say(text, Button.for_command(_("Program"), f'program show "{program.name}"'))]


def summary(result: ImportResult, filename: str) -> str:
    """What an import did or would do, or why it was refused (per line), in words."""
    plan, where = result.plan, _(" into {program}", program=result.program.name) if result.program else ""
    if plan.errors:
        lines = [_("- line {line}: {problem}", line=line, problem=problem) for line, problem in plan.errors[:MAX_LISTED * 2]]
        more = len(plan.errors) - len(lines)
        rows = len({line for line, _problem in plan.errors})
        return "\n".join([ngettext("{filename} was not imported{where}: {n} row needs fixing, and nothing was changed.",
                                    "{filename} was not imported{where}: {n} rows need fixing, and nothing was changed.",
                                    rows, filename=filename, where=where), *lines,
                          *([_("- and {more} more", more=more)] if more > 0 else []),
                          _("Fix them in the file and send it again.")])
    lead = (_("Dry run of {filename}{where}: nothing was changed. It would bring:", filename=filename, where=where) if result.dry_run
            else _("Imported {filename}{where}:", filename=filename, where=where))
    lines = [lead]
    for kind, label in (("new", _("New")), ("updated", _("Updated")), ("unchanged", _("Unchanged"))):
        entries = plan.of_kind(kind)
        if kind == "unchanged" or not entries:
            lines.append(f"- {label}: {len(entries)}")
            continue
        shown = [e.record.name + (f" ({', '.join(e.changed)})" if e.changed else "") for e in entries[:MAX_LISTED]]
        extra = _(", and {value} more", value=len(entries) - MAX_LISTED) if len(entries) > MAX_LISTED else ""
        lines.append(_("- {label}: {count}: {items}{extra}", label=label, count=len(entries), items=', '.join(shown), extra=extra))
    leaving = plan.leaving
    names = ", ".join(k.name for k in leaving[:MAX_LISTED]) + (", ..." if len(leaving) > MAX_LISTED else "")
    lines.append(_("- Leaving (no longer in the file; kept, no longer matched): {count}", count=len(leaving))
                 + (f": {names}" if leaving else ""))
    if not result.dry_run and result.program is not None:
        lines.append(invitations(result))
    return "\n".join(lines)


def invitations(result: ImportResult) -> str:
    """Who was invited and who cannot be reached yet."""
    text = _("Invitations: {invited} queued, each sent in the person's working hours.", invited=result.invited)
    if result.unreachable:
        text += (_(" {count} not reachable yet ({items}{value}): they get theirs once the platform finds them " "by email (Slack) or once they have the app (Teams: see the admin guide), or they can " "write to me.", count=len(result.unreachable), items=', '.join(result.unreachable[:MAX_LISTED]), value=', ...' if len(result.unreachable) > MAX_LISTED else ''))
    return text
