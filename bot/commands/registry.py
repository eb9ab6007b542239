"""Every ``/mentoring`` command but ``help``: its words, arguments, rights and handler.

``help`` lives in :mod:`bot.commands.dispatch`, since it lists these.
"""

from __future__ import annotations

from bot.commands import participation, program_admin
from bot.commands.grammar import Arg, ArgKind, CommandSpec
from bot.messages import LABEL_LIMIT
from storage.enums import Cadence, ProgramFormat

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
    CommandSpec(("admin", "remove"), "take someone off the admin list", "/mentoring admin remove Sam",
                program_admin.remove_admin, positionals=(Arg("name", required=True),), options=(PROGRAM_OPTION,),
                admin=True, program_scoped=True),
)
