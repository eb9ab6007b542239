"""The core's ``/mentoring`` commands (every command but ``help`` and those of the formats): their
words, arguments, rights and handler. :func:`commands` adds each registered format's commands.

``help`` lives in :mod:`bot.commands.dispatch`, since it lists these.
"""

from __future__ import annotations

from bot.i18n import N_
from bot import registry
from bot.commands import calendar, matching, participation, people_import, program_admin, report_links, reports, watch
from bot.commands.arguments import CADENCES, PARTNER, PROGRAM_OPTION, REASON
from bot.commands.grammar import Arg, ArgKind, CommandSpec
from bot.matching.cohort import WEIGHT_LIMIT, WEIGHT_NAMES
from bot.messages import LABEL_LIMIT
from storage.enums import ProgramFormat

FORMATS = tuple(f.value for f in ProgramFormat)
PROGRAM_SETTINGS = (
    Arg("cadence", ArgKind.CHOICE, choices=CADENCES),
    Arg("capacity", ArgKind.INT, low=1, high=4),
    Arg("formats", ArgKind.CHOICES, choices=FORMATS),
    Arg("topics", ArgKind.LIST, max_length=2000, item_max_length=LABEL_LIMIT),
    Arg("baseline", ArgKind.LIST, max_length=2000, item_max_length=LABEL_LIMIT),
    Arg("language", max_length=40),
)


CORE: tuple[CommandSpec, ...] = (
    CommandSpec(("join",), N_("join a program (or continue onboarding)"), "/mentoring join", participation.join,
                positionals=(Arg("program"),)),
    CommandSpec(("profile",), N_("see your profile"), "/mentoring profile", participation.show_profile,
                options=(PROGRAM_OPTION,)),
    CommandSpec(("profile", "edit"), N_("change your profile"), "/mentoring profile edit", participation.edit_profile,
                options=(PROGRAM_OPTION,)),
    CommandSpec(("language",), N_("see or change the language I write to you in"), "/mentoring language fr",
                participation.language, positionals=(Arg("language"),)),
    CommandSpec(("pause",), N_("pause until a date: no reminders, no matching"), "/mentoring pause 2027-01-15",
                participation.pause, positionals=(Arg("until", ArgKind.DATE, required=True),),
                options=(PROGRAM_OPTION,)),
    CommandSpec(("resume",), N_("come back from a pause"), "/mentoring resume", participation.resume,
                options=(PROGRAM_OPTION,)),
    CommandSpec(("leave",), N_("leave the program"), "/mentoring leave", participation.leave,
                options=(PROGRAM_OPTION,), flags=("confirm",)),
    CommandSpec(("cancel",), N_("stop what is under way (onboarding waits for `join`)"), "/mentoring cancel",
                participation.cancel),
    CommandSpec(("never-mind",), N_("change nothing (the answer to an are-you-sure button)"), "/mentoring never-mind",
                participation.never_mind, hidden=True),
    CommandSpec(("forget-me",), N_("erase your personal data"), "/mentoring forget-me", participation.forget_me,
                flags=("confirm",)),
    CommandSpec(("my-data",), N_("everything the bot holds about you, as a file"), "/mentoring my-data",
                participation.my_data),
    CommandSpec(("program", "create"), N_("start a program; you become its admin"),
                '/mentoring program create "Digital Leaders 2027" cadence=monthly capacity=3 formats=one-to-one,group',
                program_admin.create_program, positionals=(Arg("name", required=True, max_length=LABEL_LIMIT),),
                options=PROGRAM_SETTINGS, admin=True, bootstrap=True),
    CommandSpec(("program", "list"), N_("every program here"), "/mentoring program list",
                program_admin.list_programs, admin=True),
    CommandSpec(("program", "show"), N_("a program's settings and people"), '/mentoring program show "Digital Leaders 2027"',
                program_admin.show_program, positionals=(Arg("program"),), options=(PROGRAM_OPTION,), admin=True,
                program_scoped=True),
    CommandSpec(("program", "set"), N_("change a program's settings (rename, cadence, capacity, formats, topics, "
                "baseline, reminder, ends)"), "/mentoring program set cadence=biweekly capacity=4 topics=\"AI assistants,Video meetings\"",
                program_admin.set_program, positionals=(Arg("program"),),
                options=(PROGRAM_OPTION, Arg("rename", max_length=LABEL_LIMIT), *PROGRAM_SETTINGS, Arg("reminder", ArgKind.INT, low=1, high=168),
                         Arg("ends", ArgKind.DATE)),
                admin=True, program_scoped=True),
    CommandSpec(("admin", "add"), N_("let someone run the program"), "/mentoring admin add Sam",
                program_admin.add_admin, positionals=(Arg("name", required=True),), options=(PROGRAM_OPTION,),
                admin=True, program_scoped=True),
    CommandSpec(("import",), N_("bring in people from the HR file (CSV) attached to the message; dry-run changes nothing"),
                "/mentoring import dry-run", people_import.import_file, options=(PROGRAM_OPTION,),
                flags=("dry-run",), admin=True, program_scoped=True),
    CommandSpec(("audit",), N_("who did, or tried, what in the program"), "/mentoring audit limit=50",
                program_admin.show_audit, options=(PROGRAM_OPTION, Arg("limit", ArgKind.INT, low=1, high=200)),
                admin=True, program_scoped=True),
    CommandSpec(("status",), N_("the bot's health: last tick, messages waiting, failures, people it cannot reach"),
                "/mentoring status", watch.status, admin=True),
    CommandSpec(("flagged",), N_("pairs in trouble: open flags, with what to do"), "/mentoring flagged",
                watch.flagged, options=(PROGRAM_OPTION,), admin=True, program_scoped=True),
    CommandSpec(("pair", "rematch"), N_("end a pair and propose a new mentor (as `rematch`)"),
                "/mentoring pair rematch Victor", matching.rematch, positionals=(Arg("name", required=True),),
                options=(PROGRAM_OPTION, REASON), hidden=True),
    CommandSpec(("match",), N_("propose pairs for everyone onboarded without one (nothing is published yet)"),
                "/mentoring match", matching.match, options=(PROGRAM_OPTION,), admin=True, program_scoped=True),
    CommandSpec(("match", "show"), N_("the proposed pairs, why each fits, and who is unmatched and why"),
                "/mentoring match show", matching.show, options=(PROGRAM_OPTION,), admin=True, program_scoped=True),
    CommandSpec(("match", "swap"), N_("two proposed mentees exchange mentors"), "/mentoring match swap Victor Carla",
                matching.swap, positionals=(Arg("first", required=True), Arg("second", required=True)),
                options=(PROGRAM_OPTION,), flags=("force",), admin=True, program_scoped=True),
    CommandSpec(("match", "drop"), N_("take a pair out of the proposal"), "/mentoring match drop Victor",
                matching.drop, positionals=(Arg("name", required=True),), options=(PROGRAM_OPTION,), admin=True,
                program_scoped=True),
    CommandSpec(("match", "publish"), N_("make the proposed pairs real and introduce each pair"),
                "/mentoring match publish", matching.publish, options=(PROGRAM_OPTION,), admin=True,
                program_scoped=True),
    CommandSpec(("match", "weights"), N_("how much each part of the fit counts, 0 to 10"),
                "/mentoring match weights topics=6 hours=3", matching.weights,
                options=(PROGRAM_OPTION, *(Arg(name, ArgKind.INT, low=0, high=WEIGHT_LIMIT) for name in WEIGHT_NAMES)),
                admin=True, program_scoped=True),
    CommandSpec(("pair",), N_("pair a mentor and a mentee by hand (added to the proposal)"),
                "/mentoring pair Hana Victor", matching.pair_by_hand,
                positionals=(Arg("mentor", required=True), Arg("mentee", required=True)), options=(PROGRAM_OPTION,),
                flags=("force",), admin=True, program_scoped=True),
    CommandSpec(("rematch",), N_("admins: end a pair and propose a new mentor; participants: ask the admins, "
                "privately, for a new partner"), '/mentoring rematch Victor reason="no common ground"',
                matching.rematch, positionals=(Arg("name"),), options=(PROGRAM_OPTION, REASON, PARTNER)),
    CommandSpec(("digest",), N_("this week's digest of the program, now"), "/mentoring digest", watch.digest,
                options=(PROGRAM_OPTION,), admin=True, program_scoped=True),
    CommandSpec(("report",), N_("program report: sessions, completion, pairs at risk, goals, feedback, by format and cohort"),
                "/mentoring report", reports.report, options=(PROGRAM_OPTION,), admin=True, program_scoped=True),
    CommandSpec(("export",), N_("CSV files of pairs, sessions, goal progress and feedback scores"), "/mentoring export",
                reports.export, options=(PROGRAM_OPTION,), admin=True, program_scoped=True),
    CommandSpec(("admin", "remove"), N_("take someone off the admin list"), "/mentoring admin remove Sam",
                program_admin.remove_admin, positionals=(Arg("name", required=True),), options=(PROGRAM_OPTION,),
                admin=True, program_scoped=True),
    CommandSpec(("report", "link"), N_("a private link to the report page with charts (valid 24 hours, or hours=1 to 168)"),
                "/mentoring report link hours=48", report_links.report_link,
                options=(PROGRAM_OPTION, Arg("hours", ArgKind.INT, low=1, high=168)), admin=True, program_scoped=True),
    CommandSpec(("report", "charts"), N_("the report's charts as images: sessions per week, skills, formats"),
                "/mentoring report charts", report_links.report_charts, options=(PROGRAM_OPTION,), admin=True,
                program_scoped=True),
)


def commands() -> tuple[CommandSpec, ...]:
    """The core's commands, then each registered format's."""
    return (*CORE, *calendar.COMMANDS, *registry.commands())
