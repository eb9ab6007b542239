"""Participant commands: joining, the profile, pausing, leaving and erasing one's data."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.i18n import SUPPORTED, _, available, formats, name_of, normalize
from bot.catalog import word
from bot.cadence.when_and_where import local_today
from bot.commands.command_call import CommandCall
from bot.errors import CommandError
from bot.flows.active import ONBOARDING, PROFILE, latest_flow
from bot.flows.onboarding import ProfileFlow
from bot.languages import choose_language
from bot.messages import Button, ButtonStyle, Message, say, say_fields
from bot.my_data import my_data_message
from bot.profiles import answers_from, profile_fields
from bot.programs import program_named
from bot.turn import Turn
from storage.enums import EnrollmentStatus
from storage.erasure import erase_person
from storage.models import Enrollment, Program


async def current_enrollment(
    turn: Turn, name: str | None = None, latest: bool = False
) -> tuple[Enrollment, Program]:
    """The enrollment a participant command is about: named, or the only one not left.

    With ``latest``, several enrollments are no problem: the newest one past onboarding
    is taken (the profile belongs to the person, whatever the program).
    """
    if name:
        program = await program_named(turn, name)
        enrollment = await turn.repo.enrollment(program.id, turn.person.id)
        if enrollment is None or enrollment.status == EnrollmentStatus.LEFT:
            raise CommandError(_("You are not in {program}.", program=program.name))
        return enrollment, program
    current = [e for e in await turn.repo.enrollments_of(turn.person.id) if e.status != EnrollmentStatus.LEFT]
    if not current:
        raise CommandError(_("You are not in a program yet. Join one with `/mentoring join`."))
    if len(current) > 1 and latest:
        onboarded = [e for e in current if e.status != EnrollmentStatus.ONBOARDING]
        current = onboarded or current
    elif len(current) > 1:
        raise CommandError(_('You are in several programs: add program="NAME" to say which.'))
    found = await turn.repo.program(current[0].program_id)
    assert found is not None
    return current[0], found


async def _program_to_join(turn: Turn, name: str | None) -> Program | Message:
    if name:
        return await program_named(turn, name)
    for enrollment in await turn.repo.enrollments_of(turn.person.id):
        if enrollment.status == EnrollmentStatus.ONBOARDING:
            program = await turn.repo.program(enrollment.program_id)
            if program is not None:
                return program
    programs = await turn.repo.programs()
    if not programs:
        return say(_("There is no program to join yet: a program admin starts one with `/mentoring program create`."))
    if len(programs) == 1:
        return programs[0]
    buttons = [Button.for_command(p.name, f'join "{p.name}"') for p in programs]
    return say(_("Which program would you like to join?"), *buttons)


async def join(call: CommandCall) -> Sequence[Message]:
    """``join [PROGRAM]``: start onboarding, or pick it up where it was left."""
    turn = call.turn
    target = await _program_to_join(turn, call.args.get("program"))
    if isinstance(target, Message):
        return [target]
    program = target
    enrollment = await turn.repo.enrollment(program.id, turn.person.id)
    if enrollment is not None and enrollment.status == EnrollmentStatus.ACTIVE:
        return [say(_("You are already in {program}.", program=program.name), Button.for_command(_("My profile"), "profile"))]
    if enrollment is not None and enrollment.status == EnrollmentStatus.PAUSED:
        return [say(_("You are in {program}, paused until {paused_until}.", program=program.name, paused_until=enrollment.paused_until),
                    Button.for_command(_("Resume now"), f'resume program="{program.name}"'))]
    state = await turn.repo.conversation(turn.person.id, ONBOARDING.name)
    if (enrollment is not None and enrollment.status == EnrollmentStatus.ONBOARDING and state is not None
            and state.data.get("program_id") == program.id):
        return [await ONBOARDING.resume(turn, state, prefix=_("Welcome back! Let's carry on where we left off."))]
    if enrollment is None:
        enrollment = turn.repo.add(Enrollment(program_id=program.id, person_id=turn.person.id,
                                              status=EnrollmentStatus.ONBOARDING, joined_at=turn.now))
    else:
        enrollment.status, enrollment.left_at = EnrollmentStatus.ONBOARDING, None
    await turn.repo.flush()
    profile = await turn.repo.profile(turn.person.id)
    previous = {**answers_from(turn.person, profile, enrollment.role or "mentee"), "role": enrollment.role}
    data: dict[str, object] = {"program_id": program.id, "previous": previous}
    return await ONBOARDING.start(turn, data)


def _not_onboarded() -> Message:
    return say(_("You have not finished onboarding yet."), Button.for_command(_("Continue onboarding"), "join"))


async def show_profile(call: CommandCall) -> Sequence[Message]:
    """``profile``: what the bot knows about you, with a button to change it."""
    turn = call.turn
    enrollment, program = await current_enrollment(turn, call.args.get("program"), latest=True)
    profile = await turn.repo.profile(turn.person.id)
    if profile is None or enrollment.status == EnrollmentStatus.ONBOARDING:
        return [_not_onboarded()]
    lead = _("Your profile ({program}, {status})", program=program.name, status=word(enrollment.status))
    edit = Button.for_command(_("Change my profile"), "profile edit")
    return [say_fields(lead, profile_fields(turn.person, profile, enrollment.role), edit)]


async def edit_profile(call: CommandCall) -> Sequence[Message]:
    """``profile edit``: the profile questions again, prefilled."""
    turn = call.turn
    enrollment, program = await current_enrollment(turn, call.args.get("program"), latest=True)
    profile = await turn.repo.profile(turn.person.id)
    if profile is None or enrollment.role is None:
        return [_not_onboarded()]
    data = ProfileFlow.data_for(program.id, enrollment.role, turn.person, profile)
    return await PROFILE.start(turn, data, intro=_("Let's update your profile. Your current answers are filled in."))


async def language(call: CommandCall) -> Sequence[Message]:
    """``language [CODE]``: the language the bot writes to you in, or a change of it."""
    turn = call.turn
    asked = call.args.get("language")
    if not asked:
        buttons = [Button.for_command(name_of(code), f"language {code}") for code in SUPPORTED if code != turn.locale]
        return [say(_("I write to you in {language}. To change it, pick one below or type `/mentoring language CODE` "
                      "with one of: {available}.", language=formats.language_name(turn.locale), available=available()), *buttons)]
    code = normalize(asked, pseudo=True)
    if code is None:
        raise CommandError(_("I can't write in '{language}' yet. The languages available are: {available}.",
                             language=asked, available=available()))
    choose_language(turn, code)
    return [say(_("From now on I write to you in {language}. Commands stay as they are (`/mentoring help`).",
                  language=formats.language_name(code)))]


async def pause(call: CommandCall) -> Sequence[Message]:
    """``pause DATE``: no nudges and no matching until that date (in the person's time zone)."""
    turn = call.turn
    until = call.args["until"]
    today = await local_today(turn)
    if until <= today:
        when = _("is in the past") if until < today else _("is today")
        raise CommandError(_("{until} {when}: pick a date after today, for example `/mentoring pause {isoformat}`.", until=until.isoformat(), when=when, isoformat=(today + timedelta(days=30)).isoformat()))
    enrollment, program = await current_enrollment(turn, call.args.get("program"))
    if enrollment.status == EnrollmentStatus.ONBOARDING:
        raise CommandError(_("Finish onboarding first (`/mentoring join`); then you can pause."))
    enrollment.status, enrollment.paused_until = EnrollmentStatus.PAUSED, until
    return [say(_("Paused until {until}: I won't send you anything about {program} until then.", until=until.isoformat(), program=program.name),
                Button.for_command(_("Resume now"), f'resume program="{program.name}"'))]


async def resume(call: CommandCall) -> Sequence[Message]:
    """``resume``: come back from a pause."""
    turn = call.turn
    enrollment, program = await current_enrollment(turn, call.args.get("program"))
    if enrollment.status != EnrollmentStatus.PAUSED:
        return [say(_("You are not paused in {program}; nothing to resume.", program=program.name))]
    enrollment.status, enrollment.paused_until = EnrollmentStatus.ACTIVE, None
    await turn.repo.restart_pairs_of(turn.person.id, program.id, turn.now)
    return [say(_("Welcome back to {program}!", program=program.name))]


async def leave(call: CommandCall) -> Sequence[Message]:
    """``leave [confirm]``: leave a program (asks for confirmation first)."""
    turn = call.turn
    enrollment, program = await current_enrollment(turn, call.args.get("program"))
    if not call.args.get("confirm"):
        return [say(_("Leave {program}? Your pair, if you have one, ends.", program=program.name),
                    Button.for_command(_("Leave the program"), f'leave confirm program="{program.name}"', ButtonStyle.DANGER),
                    Button.for_command(_("Stay"), "never-mind"))]
    enrollment.status, enrollment.left_at = EnrollmentStatus.LEFT, turn.now
    person = turn.person.id
    await turn.repo.end_pairs_of(person, _("a participant left the program"), turn.now, program_id=program.id)
    for state in await turn.repo.conversations(person):
        if state.data.get("program_id") == program.id:
            await turn.repo.drop_conversation(state)
    turn.audit("leave", program_id=program.id)
    return [say(_("You have left {program}. Thank you for taking part; `/mentoring join` brings you back.", program=program.name))]


async def _programs_only_they_run(turn: Turn) -> list[Program]:
    mine = await turn.repo.admin_program_ids(turn.person.id)
    stranded = []
    for program in await turn.repo.programs(active_only=False):
        if program.id in mine:
            await turn.repo.lock_program(program.id)
            if len(await turn.repo.admins(program.id)) == 1:
                stranded.append(program)
    return stranded


async def forget_me(call: CommandCall) -> Sequence[Message]:
    """``forget-me [confirm]``: erase one's personal data (asks for confirmation first)."""
    turn = call.turn
    if not call.args.get("confirm"):
        return [say(
            _("This erases your name, your profile, your private notes and everything you wrote, and takes you out "
            "of every program. Session counts and ratings stay in the program's statistics without your name. "
            "It cannot be undone."),
            Button.for_command(_("Erase my data"), "forget-me confirm", ButtonStyle.DANGER),
            Button.for_command(_("Keep my data"), "never-mind"),
        )]
    stranded = await _programs_only_they_run(turn)
    if stranded:
        names = ", ".join(p.name for p in stranded)
        raise CommandError(
            _("You are the last admin of {names}: add another admin first (`/mentoring admin add NAME`), " "then erase your data, so that the program is not left without anyone to run it.", names=names)
        )
    turn.audit("forget-me")
    await erase_person(turn.repo, turn.person, turn.now)
    return [say(_("Done: your personal data is erased. If you write to me again, I will treat you as someone new."))]


async def my_data(call: CommandCall) -> Sequence[Message]:
    """``my-data``: everything the bot holds about the person asking, as a JSON file."""
    call.turn.audit("my-data")
    return [await my_data_message(call.turn)]


async def cancel(call: CommandCall) -> Sequence[Message]:
    """``cancel``: stop what is under way. Onboarding is kept on hold; other flows end unsaved."""
    turn = call.turn
    active = await latest_flow(turn)
    if active is None:
        return [say(_("Nothing changed."))]
    flow, state = active
    if flow.name == ONBOARDING.name:
        flow.hold(turn, state)
        return [say(_("Onboarding is on hold and your answers are kept. `/mentoring join` carries on from here."),
                    Button.for_command(_("Carry on now"), "join"))]
    await turn.repo.drop_conversation(state)
    return [say(_("Stopped: {title} is left as it was.", title=flow.label().lower()))]


async def never_mind(call: CommandCall) -> Sequence[Message]:
    """``never-mind``: the answer to "are you sure?" buttons; changes nothing, stops nothing."""
    return [say(_("Nothing changed."))]
