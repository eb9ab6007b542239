"""The invitation an imported person gets: one tap starts onboarding, prefilled from the HR data."""

from __future__ import annotations

from bot.i18n import _
from bot.cadence.nudges import Context
from bot.catalog import LEVELS, label_of, word
from bot.messages import Button, ButtonStyle, Message, say
from storage.enums import EnrollmentStatus


async def render_invitation(ctx: Context) -> Message | None:
    """The invitation, or None once the person has started onboarding, left, or the program ended."""
    program = await ctx.repo.program(int(ctx.nudge.payload.get("program_id", 0)))
    if program is None or program.status != "active":
        return None
    enrollment = await ctx.repo.enrollment(program.id, ctx.person.id)
    if enrollment is None or enrollment.status != EnrollmentStatus.ONBOARDING or enrollment.onboarded_at:
        return None
    if await ctx.repo.conversation(ctx.person.id, "onboarding") is not None:
        return None
    profile = await ctx.repo.profile(ctx.person.id)
    known = []
    if profile is not None:
        known += [label_of(LEVELS, str(profile.level))] if profile.level else []
        known += [profile.department] if profile.department else []
        known += [_("reports to {manager}", manager=profile.manager)] if profile.manager else []
        known += [profile.timezone] if profile.timezone else []
    facts = _(" I already have what HR gave me ({items}): you only confirm it.", items='; '.join(known)) if known else ""
    role = _(" as a {role}", role=word(enrollment.role)) if enrollment.role else ""
    return say(
        _("Hi {person}! You are invited to {program}{role}: reverse mentoring, where younger " "colleagues mentor senior leaders on digital skills, and both sides learn.{facts} It takes " "about two minutes.", person=ctx.person.display_name, program=program.name, role=role, facts=facts),
        Button.for_command(_("Start"), f'join "{program.name}"', ButtonStyle.PRIMARY),
        Button.for_command(_("Tell me more"), "help"),
    )
