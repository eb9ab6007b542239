"""Admin commands: creating and changing programs, and who runs them."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import DEFAULT, _, available, name_of, normalize
from bot.catalog import DEFAULT_TOPICS, cadence_label, topic_label, word
from bot.commands.command_call import CommandCall
from bot.errors import CommandError
from bot.messages import Button, Message, say, say_fields
from bot.people import find_person
from bot.turn import Turn
from storage.enums import Cadence, ProgramFormat
from storage.models import AuditEntry, Person, Program, ProgramAdmin


def program_fields(program: Program, counts: dict[str, int], admins: Sequence[Person]) -> list[tuple[str, str]]:
    """A program's settings and head counts as label/value pairs."""
    people = ", ".join(f"{n} {word(status)}" for status, n in sorted(counts.items())) or _("nobody yet")
    return [
        (_("Cadence"), f"{program.cadence} ({cadence_label(program.cadence)})"),
        (_("Capacity"), _("{capacity} mentees per mentor", capacity=program.capacity)),
        (_("Formats"), ", ".join(program.formats)),
        (_("Reminder"), _("{reminder_hours} h before a session", reminder_hours=program.reminder_hours)),
        (_("Topics"), "; ".join(topic_label(t) for t in program.topics) or "-"),
        (_("Baseline skills"), "; ".join(program.baseline_skills) or "-"),
        (_("Cycle ends"), _("{cycle_ends_on} (the evaluation goes out two weeks before)", cycle_ends_on=program.cycle_ends_on)
         if program.cycle_ends_on else _("not set")),
        (_("Participants"), people),
        (_("Admins"), ", ".join(a.display_name for a in admins) or "-"),
        (_("Language"), name_of(program.language)),
    ]


async def _show(turn: Turn, program: Program, lead: str) -> Message:
    counts = await turn.repo.count_enrollments(program.id)
    return say_fields(lead, program_fields(program, counts, await turn.repo.admins(program.id)))


def _program_name(name: str) -> str:
    # Buttons quote the name in the commands they carry; a quote inside would break them.
    if '"' in name or "“" in name or "”" in name:
        raise CommandError(_("A program name cannot contain double quotes."))
    return name


async def create_program(call: CommandCall) -> Sequence[Message]:
    """``program create NAME ...``: a new program, with its creator as first admin."""
    turn, args = call.turn, call.args
    name = _program_name(args["name"])
    if await turn.repo.program_named(name) is not None:
        raise CommandError(_('A program called "{name}" already exists; pick another name.', name=name))
    program = turn.repo.add(
        Program(
            name=name,
            cadence=args.get("cadence", Cadence.MONTHLY),
            capacity=args.get("capacity", 3),
            formats=args.get("formats", [ProgramFormat.ONE_TO_ONE]),
            topics=args.get("topics", list(DEFAULT_TOPICS)),
            language=_program_language(args["language"]) if "language" in args else normalize(turn.locale, pseudo=False)
            or DEFAULT,
            baseline_skills=args.get("baseline", []),
            reminder_hours=24,
            allow_same_level=False,
            match_weights={},
            status="active",
            created_at=turn.now,
            created_by_id=turn.person.id,
        )
    )
    await turn.repo.flush()
    turn.repo.add(ProgramAdmin(program_id=program.id, person_id=turn.person.id, added_at=turn.now))
    await turn.repo.flush()
    call.program = program
    lead = _('Program "{program}" is created and you are its admin. People can now join with ' "`/mentoring join`.", program=program.name)
    return [await _show(turn, program, lead)]


async def list_programs(call: CommandCall) -> Sequence[Message]:
    """``program list``: every program of the tenant with its head counts."""
    turn = call.turn
    programs = await turn.repo.programs(active_only=False)
    if not programs:
        return [say(_('No programs yet. Create one with `/mentoring program create "Digital Leaders 2027" cadence=monthly capacity=3`.'))]
    lines = []
    for program in programs:
        counts = await turn.repo.count_enrollments(program.id)
        active = counts.get("active", 0)
        lines.append(_("- {program}: {cadence}, capacity {capacity}, {active} active participants", program=program.name, cadence=program.cadence, capacity=program.capacity, active=active))
    return [say(_("Programs:\n") + "\n".join(lines))]


async def show_program(call: CommandCall) -> Sequence[Message]:
    """``program show [NAME]``."""
    assert call.program is not None
    return [await _show(call.turn, call.program, f"*{call.program.name}*")]


SETTABLE = ("rename", "cadence", "capacity", "formats", "topics", "baseline", "reminder", "ends", "language")


def _program_language(asked: str) -> str:
    """A program's language: one the bot speaks, else a refusal that lists them."""
    code = normalize(asked, pseudo=False)
    if code is None:
        raise CommandError(_("language: I can't write in '{language}' yet. The languages available are: {available}.",
                             language=asked, available=available()))
    return code


async def set_program(call: CommandCall) -> Sequence[Message]:
    """``program set [NAME] key=value ...``: change a program's settings."""
    turn, args, program = call.turn, call.args, call.program
    assert program is not None
    changes = {key: args[key] for key in SETTABLE if key in args}
    if not changes:
        raise CommandError(
            _("Nothing to change: give at least one of {settings}.\nExample: `/mentoring program set cadence=biweekly "
              "capacity=4`", settings=", ".join(f"{k}=…" for k in SETTABLE)))
    language = _program_language(changes["language"]) if "language" in changes else None
    if "rename" in changes:
        _program_name(changes["rename"])
        other = await turn.repo.program_named(changes["rename"])
        if other is not None and other.id != program.id:
            raise CommandError(_('A program called "{rename}" already exists.', rename=changes["rename"]))
        program.name = changes["rename"]
    if "cadence" in changes:
        program.cadence = changes["cadence"]
    if "capacity" in changes:
        program.capacity = changes["capacity"]
    if "formats" in changes:
        program.formats = changes["formats"]
    if "topics" in changes:
        program.topics = changes["topics"]
    if "baseline" in changes:
        program.baseline_skills = changes["baseline"]
    if "reminder" in changes:
        program.reminder_hours = changes["reminder"]
    if language is not None:
        program.language = language
    if "ends" in changes:
        if changes["ends"] < turn.today:
            raise CommandError(_("ends: {ends} is in the past; give the cycle's last day to come.", ends=changes['ends']))
        program.cycle_ends_on = changes["ends"]
    changed = ", ".join(changes)
    return [await _show(turn, program, _("Updated {changed} of *{program}*.", changed=changed, program=program.name))]


async def add_admin(call: CommandCall) -> Sequence[Message]:
    """``admin add NAME``: let someone run the program."""
    turn, program = call.turn, call.program
    assert program is not None
    person = await find_person(turn, call.args["name"])
    if person.id in {a.id for a in await turn.repo.admins(program.id)}:
        return [say(_("{person} is already an admin of {program}.", person=person.display_name, program=program.name))]
    turn.repo.add(ProgramAdmin(program_id=program.id, person_id=person.id, added_at=turn.now, added_by_id=turn.person.id))
    await turn.repo.flush()
    return [say(_("{person} is now an admin of {program}.", person=person.display_name, program=program.name))]


async def remove_admin(call: CommandCall) -> Sequence[Message]:
    """``admin remove NAME``: take someone off the admin list (never the last admin)."""
    turn, program = call.turn, call.program
    assert program is not None
    person = await find_person(turn, call.args["name"])
    await turn.repo.lock_program(program.id)
    admins = await turn.repo.admins(program.id)
    if person.id not in {a.id for a in admins}:
        return [say(_("{person} is not an admin of {program}.", person=person.display_name, program=program.name))]
    if len(admins) == 1:
        raise CommandError(_("{person} is the last admin of {program}; add another admin first.", person=person.display_name, program=program.name))
    await turn.repo.remove_admin(program.id, person.id)
    return [say(_("{person} is no longer an admin of {program}.", person=person.display_name, program=program.name),
                Button.for_command(_("Show the program"), f'program show "{program.name}"'))]


async def show_audit(call: CommandCall) -> Sequence[Message]:
    """``audit [limit=N]``: who did, or tried, what in the program (and tenant-wide), newest first."""
    turn, program = call.turn, call.program
    assert program is not None
    entries = await turn.repo.audit_log(program.id, call.args.get("limit", 20))
    if not entries:
        return [say(_("Nothing in the audit log of {program} yet.", program=program.name))]
    lines = []
    for entry, actor in entries:
        args = entry.details.get("args", {})
        detail = " ".join(f"{k}={_as_typed(v)}" for k, v in args.items())
        lines.append(f"- {entry.created_at:%Y-%m-%d %H:%M} UTC {actor}: {entry.action}{_outcome(entry)} {detail}".rstrip())
    return [say(_("Audit log of {program}, newest first:\n", program=program.name) + "\n".join(lines))]


def _outcome(entry: AuditEntry) -> str:
    if not entry.allowed:
        return " (refused)"
    if "error" in entry.details:
        return _(" (failed: {error})", error=entry.details['error'])
    return ""


def _as_typed(value: object) -> str:
    """An argument value written back the way it would be typed."""
    text = ",".join(map(str, value)) if isinstance(value, list) else str(value)
    return f'"{text}"' if " " in text else text
