"""Every ``/mentoring`` command but ``help``: its words, arguments, rights and handler.

``help`` lives in :mod:`bot.commands.dispatch`, since it lists these.
"""

from __future__ import annotations

from bot.commands import cadence_admin, matching, participation, program_admin, sessions
from bot.commands.grammar import Arg, ArgKind, CommandSpec
from bot.messages import LABEL_LIMIT
from storage.enums import Cadence, ProgramFormat
from bot.commands.sessions import OUTCOMES
from bot.matching.cohort import WEIGHT_LIMIT, WEIGHT_NAMES

CADENCES = tuple(c.value for c in Cadence)
FORMATS = tuple(f.value for f in ProgramFormat)
PROGRAM_OPTION = Arg("program")
PROGRAM_SETTINGS = (
    Arg("cadence", ArgKind.CHOICE, choices=CADENCES),
    Arg("capacity", ArgKind.INT, low=1, high=4),
    Arg("formats", ArgKind.CHOICES, choices=FORMATS),
    Arg("topics", ArgKind.LIST, max_length=2000, item_max_length=LABEL_LIMIT),
    Arg("baseline", ArgKind.LIST, max_length=2000, item_max_length=LABEL_LIMIT),
)

PARTNER = Arg("with", max_length=LABEL_LIMIT)
REASON = Arg("reason", max_length=500)
WHEN = (Arg("date", max_length=20), Arg("time", max_length=10), Arg("where", max_length=200))


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(("join",), "join a program (or continue onboarding)", "/mentoring join", participation.join,
                positionals=(Arg("program"),)),
    CommandSpec(("profile",), "see your profile", "/mentoring profile", participation.show_profile,
                options=(PROGRAM_OPTION,)),
    CommandSpec(("profile", "edit"), "change your profile", "/mentoring profile edit", participation.edit_profile,
                options=(PROGRAM_OPTION,)),
    CommandSpec(("pause",), "pause until a date: no reminders, no matching", "/mentoring pause 2027-01-15",
                participation.pause, positionals=(Arg("until", ArgKind.DATE, required=True),),
                options=(PROGRAM_OPTION,)),
    CommandSpec(("resume",), "come back from a pause", "/mentoring resume", participation.resume,
                options=(PROGRAM_OPTION,)),
    CommandSpec(("leave",), "leave the program", "/mentoring leave", participation.leave,
                options=(PROGRAM_OPTION,), flags=("confirm",)),
    CommandSpec(("cancel",), "stop what is under way (onboarding waits for `join`)", "/mentoring cancel",
                participation.cancel),
    CommandSpec(("never-mind",), "change nothing (the answer to an are-you-sure button)", "/mentoring never-mind",
                participation.never_mind, hidden=True),
    CommandSpec(("forget-me",), "erase your personal data", "/mentoring forget-me", participation.forget_me,
                flags=("confirm",)),
    CommandSpec(("schedule",), "put your next session on the calendar (in your time zone; remote or a place)",
                "/mentoring schedule 2027-01-12 15:00 remote", sessions.schedule, positionals=WHEN, flags=("repeat",),
                options=(PARTNER,)),
    CommandSpec(("reschedule",), "move your next session", "/mentoring reschedule 2027-01-19 15:00",
                sessions.reschedule, positionals=WHEN, options=(PARTNER,)),
    CommandSpec(("cancel-session",), "call off your next session", "/mentoring cancel-session",
                sessions.cancel_session, options=(PARTNER,)),
    CommandSpec(("sessions",), "your sessions and what became of them", "/mentoring sessions", sessions.list_sessions),
    CommandSpec(("invite",), "the calendar invite (.ics) for your next session", "/mentoring invite", sessions.invite,
                options=(PARTNER,)),
    CommandSpec(("outcome",), "what became of a session", "/mentoring outcome 42 held", sessions.outcome,
                positionals=(Arg("session", ArgKind.INT, required=True, low=1, high=2**31 - 1),
                             Arg("what", ArgKind.CHOICE, required=True, choices=tuple(OUTCOMES))),
                options=(Arg("by", ArgKind.CHOICE, choices=("me", "partner")),), hidden=True),
    CommandSpec(("program", "create"), "start a program; you become its admin",
                '/mentoring program create "Digital Leaders 2027" cadence=monthly capacity=3 formats=one-to-one,group',
                program_admin.create_program, positionals=(Arg("name", required=True, max_length=LABEL_LIMIT),),
                options=PROGRAM_SETTINGS, admin=True, bootstrap=True),
    CommandSpec(("program", "list"), "every program here", "/mentoring program list",
                program_admin.list_programs, admin=True),
    CommandSpec(("program", "show"), "a program's settings and people", '/mentoring program show "Digital Leaders 2027"',
                program_admin.show_program, positionals=(Arg("program"),), options=(PROGRAM_OPTION,), admin=True,
                program_scoped=True),
    CommandSpec(("program", "set"), "change a program's settings (rename, cadence, capacity, formats, topics, "
                "baseline, reminder)", "/mentoring program set cadence=biweekly capacity=4 topics=\"AI assistants,Video meetings\"",
                program_admin.set_program, positionals=(Arg("program"),),
                options=(PROGRAM_OPTION, Arg("rename", max_length=LABEL_LIMIT), *PROGRAM_SETTINGS, Arg("reminder", ArgKind.INT, low=1, high=168)),
                admin=True, program_scoped=True),
    CommandSpec(("admin", "add"), "let someone run the program", "/mentoring admin add Sam",
                program_admin.add_admin, positionals=(Arg("name", required=True),), options=(PROGRAM_OPTION,),
                admin=True, program_scoped=True),
    CommandSpec(("audit",), "who did, or tried, what in the program", "/mentoring audit limit=50",
                program_admin.show_audit, options=(PROGRAM_OPTION, Arg("limit", ArgKind.INT, low=1, high=200)),
                admin=True, program_scoped=True),
    CommandSpec(("flagged",), "pairs in trouble: open flags, with what to do", "/mentoring flagged",
                cadence_admin.flagged, options=(PROGRAM_OPTION,), admin=True, program_scoped=True),
    CommandSpec(("nudge",), "nudge a pair now (a participant's name, or #PAIR)", "/mentoring nudge Victor",
                cadence_admin.nudge, positionals=(Arg("name", required=True),), options=(PROGRAM_OPTION,),
                admin=True, program_scoped=True),
    CommandSpec(("pair", "pause"), "pause a pair: no nudges until a date (default four weeks)",
                "/mentoring pair pause Victor until=2027-02-01", cadence_admin.pause_pair,
                positionals=(Arg("name", required=True),), options=(PROGRAM_OPTION, Arg("until", ArgKind.DATE)),
                admin=True, program_scoped=True),
    CommandSpec(("pair", "resume"), "resume a paused pair", "/mentoring pair resume Victor", cadence_admin.resume_pair,
                positionals=(Arg("name", required=True),), options=(PROGRAM_OPTION,), admin=True, program_scoped=True),
    CommandSpec(("pair", "rematch"), "end a pair and propose a new mentor (as `rematch`)",
                "/mentoring pair rematch Victor", matching.rematch, positionals=(Arg("name", required=True),),
                options=(PROGRAM_OPTION, REASON), hidden=True),
    CommandSpec(("match",), "propose pairs for everyone onboarded without one (nothing is published yet)",
                "/mentoring match", matching.match, options=(PROGRAM_OPTION,), admin=True, program_scoped=True),
    CommandSpec(("match", "show"), "the proposed pairs, why each fits, and who is unmatched and why",
                "/mentoring match show", matching.show, options=(PROGRAM_OPTION,), admin=True, program_scoped=True),
    CommandSpec(("match", "swap"), "two proposed mentees exchange mentors", "/mentoring match swap Victor Carla",
                matching.swap, positionals=(Arg("first", required=True), Arg("second", required=True)),
                options=(PROGRAM_OPTION,), flags=("force",), admin=True, program_scoped=True),
    CommandSpec(("match", "drop"), "take a pair out of the proposal", "/mentoring match drop Victor",
                matching.drop, positionals=(Arg("name", required=True),), options=(PROGRAM_OPTION,), admin=True,
                program_scoped=True),
    CommandSpec(("match", "publish"), "make the proposed pairs real and introduce each pair",
                "/mentoring match publish", matching.publish, options=(PROGRAM_OPTION,), admin=True,
                program_scoped=True),
    CommandSpec(("match", "weights"), "how much each part of the fit counts, 0 to 10",
                "/mentoring match weights topics=6 hours=3", matching.weights,
                options=(PROGRAM_OPTION, *(Arg(name, ArgKind.INT, low=0, high=WEIGHT_LIMIT) for name in WEIGHT_NAMES)),
                admin=True, program_scoped=True),
    CommandSpec(("pair",), "pair a mentor and a mentee by hand (added to the proposal)",
                "/mentoring pair Hana Victor", matching.pair_by_hand,
                positionals=(Arg("mentor", required=True), Arg("mentee", required=True)), options=(PROGRAM_OPTION,),
                flags=("force",), admin=True, program_scoped=True),
    CommandSpec(("rematch",), "admins: end a pair and propose a new mentor; participants: ask the admins, "
                "privately, for a new partner", '/mentoring rematch Victor reason="no common ground"',
                matching.rematch, positionals=(Arg("name"),), options=(PROGRAM_OPTION, REASON, PARTNER)),
    CommandSpec(("pair", "set"), "a pair's own cadence (or cadence=program)", "/mentoring pair set Victor cadence=weekly",
                cadence_admin.set_pair, positionals=(Arg("name", required=True),),
                options=(PROGRAM_OPTION, Arg("cadence", ArgKind.CHOICE, choices=(*CADENCES, "program"))),
                admin=True, program_scoped=True),
    CommandSpec(("digest",), "this week's digest of the program, now", "/mentoring digest", cadence_admin.digest,
                options=(PROGRAM_OPTION,), admin=True, program_scoped=True),
    CommandSpec(("admin", "remove"), "take someone off the admin list", "/mentoring admin remove Sam",
                program_admin.remove_admin, positionals=(Arg("name", required=True),), options=(PROGRAM_OPTION,),
                admin=True, program_scoped=True),
)
