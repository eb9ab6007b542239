"""``calendar connect`` and ``calendar status``: the organization's real calendars, for admins."""

from __future__ import annotations

from collections.abc import Sequence

from bot.cadence.hours import hours_of
from bot.i18n import N_, _, formats, ngettext
from bot.calendars import admin
from bot.commands.command_call import CommandCall
from bot.commands.grammar import Arg, ArgKind, CommandSpec
from bot.errors import CommandError
from bot.messages import Button, ButtonStyle, Message, say
from storage.enums import ConnectionStatus

DOMAIN = Arg("domain", max_length=200)
TENANT = Arg("tenant", max_length=200)


async def connect(call: CommandCall) -> Sequence[Message]:
    """``calendar connect microsoft [tenant=ID] | google domain=DOMAIN``."""
    turn, provider = call.turn, call.args["provider"]
    if provider == "google":
        directory = (call.args.get("domain") or "").strip().lower()
        if not directory or "." not in directory or " " in directory:
            raise CommandError(_("Say which Workspace domain: `/mentoring calendar connect google domain=example.com`."))
        again = f"calendar connect google domain={directory}"
    else:
        directory = (call.args.get("tenant") or "").strip()
        if not directory and turn.tenant.platform == "teams":
            directory = turn.tenant.external_id
        if not directory:
            raise CommandError(_("Say which Microsoft 365 tenant: `/mentoring calendar connect microsoft "
                                 "tenant=contoso.onmicrosoft.com` (its domain or tenant id)."))
        again = f"calendar connect microsoft tenant={directory}"
    outcome = await admin.connect(turn, provider, directory)
    label = admin.LABELS[provider]
    if outcome.connected:
        return [say(_("Connected to {label} ({directory}). From now on, sessions go on the executives' calendars "
                      "with their partner invited, slots are offered when both people are free, and I notice when a "
                      "session is moved, deleted or declined there. `/mentoring calendar status` shows how it goes.",
                      label=label, directory=directory))]
    return [say(_("Not connected yet: {problem}.\n{instructions}\nThen check again.", problem=outcome.problem,
                  instructions=outcome.instructions),
                Button.for_command(_("Check again"), again, ButtonStyle.PRIMARY))]


async def show_status(call: CommandCall) -> Sequence[Message]:
    """``calendar status``: connected or not, last sync, calendars that could not be read."""
    found = await admin.status(call.turn)
    row = found.connection
    if row is None:
        return [say(_("No calendar is connected: sessions come with calendar invites (.ics). Connect the "
                      "organization's calendars with `/mentoring calendar connect microsoft` or "
                      "`/mentoring calendar connect google domain=example.com`."))]
    zone = (await hours_of(call.turn.repo, call.turn.person)).zone
    label = admin.LABELS.get(row.provider, row.provider)
    synced = formats.moment(row.last_sync_at.astimezone(zone)) if row.last_sync_at else _("not yet")
    if row.status == ConnectionStatus.CONNECTED:
        head = ngettext("Connected to {label} ({directory}). Last sync: {synced}; {n} calendar read.",
                        "Connected to {label} ({directory}). Last sync: {synced}; {n} calendars read.",
                        found.calendars, label=label, directory=row.directory, synced=synced)
    else:
        head = _("{label} ({directory}) is not connected: {problem}.", label=label, directory=row.directory,
                 problem=row.problem or _("not checked yet"))
    lines = [head]
    if found.problems:
        lines.append(_("Calendars I could not use (their sessions get .ics invites instead):"))
        lines += [f"- {name}: {problem}" for name, problem in found.problems]
    return [say("\n".join(lines))]


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(("calendar", "connect"), N_("connect the organization's Microsoft 365 or Google Workspace calendars"),
                "/mentoring calendar connect google domain=example.com", connect,
                positionals=(Arg("provider", ArgKind.CHOICE, required=True, choices=("microsoft", "google")),),
                options=(DOMAIN, TENANT), admin=True),
    CommandSpec(("calendar", "status"), N_("the calendar connection: last sync, calendars that could not be read"),
                "/mentoring calendar status", show_status, admin=True),
)
