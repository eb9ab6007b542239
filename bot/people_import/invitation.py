"""The invitation an imported person gets: one tap starts onboarding, prefilled from the HR data."""

from __future__ import annotations

from bot.cadence.nudges import Context
from bot.catalog import LEVELS, label_of
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
        known += [f"reports to {profile.manager}"] if profile.manager else []
        known += [profile.timezone] if profile.timezone else []
    facts = f" I already have what HR gave me ({'; '.join(known)}): you only confirm it." if known else ""
    role = f" as a {enrollment.role}" if enrollment.role else ""
    return say(
        f"Hi {ctx.person.display_name}! You are invited to {program.name}{role}: reverse mentoring, where younger "
        f"colleagues mentor senior leaders on digital skills, and both sides learn.{facts} It takes about two "
        "minutes.",
        Button.for_command("Start", f'join "{program.name}"', ButtonStyle.PRIMARY),
        Button.for_command("Tell me more", "help"),
    )
