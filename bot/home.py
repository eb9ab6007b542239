"""A person's home: where they stand at a glance (Slack's App Home, a Teams tab or card).

A participant sees their program, their pair, the next session and their goals with
progress; a program admin also sees each program's health this month. Buttons lead to the
common commands, so a press means the same as typing them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.i18n import _
from bot.catalog import word
from bot.i18n import formats
from bot.messages import Actions, Block, Button, ButtonStyle, Context, Fields, Message, Section, fallback_text
from bot.progress.goals import goal_line
from bot.turn import Turn
from storage.enums import EnrollmentStatus, Role
from storage.models import Enrollment, Program


async def home_for(turn: Turn) -> Message:
    """The home of the person speaking."""
    blocks: list[Block] = [Section(_("*Hi {person}*", person=turn.person.display_name))]
    enrollments = [e for e in await turn.repo.enrollments_of(turn.person.id) if e.status != EnrollmentStatus.LEFT]
    zone = await _zone(turn)
    for enrollment in enrollments:
        program = await turn.repo.program(enrollment.program_id)
        if program is not None:
            blocks += await _participant(turn, enrollment, program, zone)
    if not enrollments:
        blocks += await _newcomer(turn)
    for program_id in sorted(await turn.repo.admin_program_ids(turn.person.id)):
        program = await turn.repo.program(program_id)
        if program is not None:
            blocks += await _admin(turn, program)
    return Message(text=fallback_text(blocks), blocks=blocks)


async def _zone(turn: Turn) -> ZoneInfo:
    profile = await turn.repo.profile(turn.person.id)
    name = (profile.timezone if profile else None) or turn.person.platform_timezone or "UTC"
    return ZoneInfo(name)


async def _newcomer(turn: Turn) -> list[Block]:
    if not await turn.repo.programs():
        return [Section(_("There is no program here yet. An admin starts one with `/mentoring program create`.")),
                Actions([Button.for_command(_("Help"), "help")])]
    return [Section(_("You are not in a reverse-mentoring program yet: younger colleagues mentor senior "
                    "leaders on digital skills, and both sides learn.")),
            Actions([Button.for_command(_("Join the program"), "join", ButtonStyle.PRIMARY),
                     Button.for_command(_("Help"), "help")])]


async def _participant(turn: Turn, enrollment: Enrollment, program: Program, zone: ZoneInfo) -> list[Block]:
    if enrollment.status == EnrollmentStatus.ONBOARDING:
        return [Section(_("*{program}*: your onboarding is waiting for you.", program=program.name)),
                Actions([Button.for_command(_("Continue onboarding"), f'join "{program.name}"', ButtonStyle.PRIMARY)])]
    role = enrollment.role or Role.MENTEE
    status = _(", paused until {paused_until}", paused_until=enrollment.paused_until) if enrollment.status == EnrollmentStatus.PAUSED else ""
    pairs = [p for p in await turn.repo.pairs_of(turn.person.id) if p.program_id == program.id]
    partners = []
    for pair in pairs:
        other = await turn.repo.person(pair.mentee_id if pair.mentor_id == turn.person.id else pair.mentor_id)
        partners.append(other.display_name if other else "?")
    pair_ids = [p.id for p in pairs]
    session = await turn.repo.next_session(pair_ids, turn.now) if pair_ids else None
    partner_label = _("Your mentees") if role == Role.MENTOR else _("Your mentor")
    fields = [
        (partner_label, ", ".join(partners) or _("Not matched yet")),
        (_("Next session"), _when(session.starts_at, zone) if session else _("None on the calendar")),
    ]
    blocks: list[Block] = [Section(_("*{program}*: you are a {role}{status}.", program=program.name, role=word(role), status=status)), Fields(fields)]
    goals = await turn.repo.open_goals(pair_ids) if pair_ids else []
    if goals:
        blocks.append(Section(_("*Goals*\n") + "\n".join(goal_line(goal) for goal in goals)))
    buttons = [Button.for_command(_("My profile"), "profile"), Button.for_command(_("Change my profile"), "profile edit")]
    if enrollment.status == EnrollmentStatus.PAUSED:
        buttons.append(Button.for_command(_("Resume now"), f'resume program="{program.name}"'))
    blocks.append(Actions([*buttons, Button.for_command(_("Help"), "help")]))
    return blocks


async def _admin(turn: Turn, program: Program) -> list[Block]:
    now = turn.now
    month_start = datetime(now.year, now.month, 1, tzinfo=UTC)
    next_month = datetime(now.year + now.month // 12, now.month % 12 + 1, 1, tzinfo=UTC)
    health = await turn.repo.program_health(program.id, month_start, next_month)
    people = await turn.repo.count_enrollments(program.id)
    fields = [
        (_("Participants"), str(people.get(EnrollmentStatus.ACTIVE, 0))),
        (_("Onboarding"), str(people.get(EnrollmentStatus.ONBOARDING, 0))),
        (_("Active pairs"), str(health["active_pairs"])),
        (_("Sessions in {month}", month=formats.month_name(now)), _("{held} held, {canceled} canceled or missed", held=health['held'], canceled=health['canceled'])),
        (_("Open flags"), str(health["open_flags"])),
    ]
    return [
        Section(_("*Program health: {program}*", program=program.name)),
        Fields(fields),
        Actions([Button.for_command(_("Program details"), f'program show "{program.name}"'),
                 Button.for_command(_("Audit log"), f'audit program="{program.name}"'),
                 Button.for_command(_("All programs"), "program list")]),
        Context(_("You see this because you are an admin of the program.")),
    ]


def _when(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{formats.moment_in_year(local)} ({zone.key})"

