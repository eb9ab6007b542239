"""What a new pair is told when an admin publishes it, and what each side is told when it ends."""

from __future__ import annotations

from bot.catalog import CADENCE_LABELS, LEVELS, label_of
from bot.messages import Button, ButtonStyle, Message, say
from storage.enums import Cadence
from storage.models import Pair, Person, Profile, Program
from storage.repository import Repository

GROUND_RULES = (
    "What you say stays between the two of you.",
    "Both of you learn: digital know-how one way, how the business is run the other.",
    "Meet {cadence}, about 45 minutes; if you must cancel, say so early and pick a new date.",
    "No question is too basic, on either side.",
)
FIRST_AGENDA = (
    "get to know each other: your roles, a typical week, the tools you use;",
    "agree on one to three goals for {mentee} (`/mentoring goals`);",
    "try one small thing together{topic};",
    "put the next sessions on the calendar.",
)


def _about(person: Person, profile: Profile | None, teaches: bool) -> str:
    if profile is None:
        return person.display_name
    where = profile.department or "-"
    level = label_of(LEVELS, str(profile.level)).split(" - ")[-1] if profile.level else ""
    topics = profile.skills_offered if teaches else profile.topics_wanted
    verb = "can teach" if teaches else "wants to learn"
    subject = f"; {verb} {', '.join(topics)}" if topics else ""
    return f"{person.display_name} ({level + ', ' if level else ''}{where}){subject}"


async def introduction(repo: Repository, pair: Pair, program: Program) -> Message | None:
    """One message for both sides of a newly published pair, or None when either is gone."""
    mentor, mentee = await repo.person(pair.mentor_id), await repo.person(pair.mentee_id)
    if mentor is None or mentee is None or mentor.erased_at is not None or mentee.erased_at is not None:
        return None
    mentee_profile, mentor_profile = await repo.profile(mentee.id), await repo.profile(mentor.id)
    cadence = CADENCE_LABELS[Cadence(pair.cadence or program.cadence)]
    shared = sorted(set(mentor_profile.skills_offered if mentor_profile else ())
                    & set(mentee_profile.topics_wanted if mentee_profile else ()))
    topic = f", for instance with {shared[0].lower()}" if shared else ""
    lines = [
        f"*Meet your mentoring partner* ({program.name})",
        f"{mentee.display_name} and {mentor.display_name}, you are now a pair: "
        f"{mentor.display_name} mentors {mentee.display_name}.",
        f"- Mentor: {_about(mentor, mentor_profile, teaches=True)}",
        f"- Mentee: {_about(mentee, mentee_profile, teaches=False)}",
    ]
    if pair.reasons:
        lines.append("Why you two: " + "; ".join(pair.reasons) + ".")
    lines.append("Ground rules:\n" + "\n".join(f"- {rule.format(cadence=cadence)}" for rule in GROUND_RULES))
    agenda = [step.format(mentee=mentee.display_name, topic=topic) for step in FIRST_AGENDA]
    lines.append("For your first session:\n" + "\n".join(f"{n}. {step}" for n, step in enumerate(agenda, 1)))
    return say("\n".join(lines),
               Button.for_command("Schedule the first session", f"schedule with=#{pair.id}", ButtonStyle.PRIMARY))


async def pair_ended(repo: Repository, pair: Pair, person: Person) -> Message | None:
    """Telling one side that their pair was ended by an admin (the reason stays with the admins)."""
    partner = await repo.person(pair.mentee_id if person.id == pair.mentor_id else pair.mentor_id)
    program = await repo.program(pair.program_id)
    if program is None:
        return None
    name = partner.display_name if partner is not None and partner.erased_at is None else "your partner"
    return say(f"Your mentoring pair with {name} in {program.name} has ended. Thank you for the sessions you "
               "had together. Your program admin will introduce you to someone new; you need not do anything.")
