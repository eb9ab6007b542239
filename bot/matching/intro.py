"""What a new pair is told when an admin publishes it, and what each side is told when it ends."""

from __future__ import annotations

from bot.i18n import N_, _
from bot.catalog import LEVELS, cadence_label, label_of
from bot.messages import Button, ButtonStyle, Message, say
from storage.models import Pair, Person, Profile, Program
from storage.repository import Repository

GROUND_RULES = (
    N_("What you say stays between the two of you."),
    N_("Both of you learn: digital know-how one way, how the business is run the other."),
    N_("Meet {cadence}, about 45 minutes; if you must cancel, say so early and pick a new date."),
    N_("No question is too basic, on either side."),
)
FIRST_AGENDA = (
    N_("get to know each other: your roles, a typical week, the tools you use;"),
    N_("agree on one to three goals for {mentee} (`/mentoring goals`);"),
    N_("try one small thing together{topic};"),
    N_("put the next sessions on the calendar."),
)


def _about(person: Person, profile: Profile | None, teaches: bool) -> str:
    if profile is None:
        return person.display_name
    where = profile.department or "-"
    level = label_of(LEVELS, str(profile.level)).split(" - ")[-1] if profile.level else ""
    topics = profile.skills_offered if teaches else profile.topics_wanted
    verb = _("can teach") if teaches else _("wants to learn")
    subject = f"; {verb} {', '.join(topics)}" if topics else ""
    return _("{person} ({value}{where}){subject}", person=person.display_name, value=level + ', ' if level else '', where=where, subject=subject)


async def introduction(repo: Repository, pair: Pair, program: Program) -> Message | None:
    """One message for both sides of a newly published pair, or None when either is gone."""
    mentor, mentee = await repo.person(pair.mentor_id), await repo.person(pair.mentee_id)
    if mentor is None or mentee is None or mentor.erased_at is not None or mentee.erased_at is not None:
        return None
    mentee_profile, mentor_profile = await repo.profile(mentee.id), await repo.profile(mentor.id)
    cadence = cadence_label(pair.cadence or program.cadence)
    shared = sorted(set(mentor_profile.skills_offered if mentor_profile else ())
                    & set(mentee_profile.topics_wanted if mentee_profile else ()))
    topic = _(", for instance with {lower}", lower=shared[0].lower()) if shared else ""
    lines = [
        _("*Meet your mentoring partner* ({program})", program=program.name),
        _("{mentee} and {mentor}, you are now a pair: {mentor} mentors {mentee}.", mentee=mentee.display_name, mentor=mentor.display_name),
        _("- Mentor: {mentor}", mentor=_about(mentor, mentor_profile, teaches=True)),
        _("- Mentee: {mentee}", mentee=_about(mentee, mentee_profile, teaches=False)),
    ]
    if pair.reasons:
        lines.append(_("Why you two: ") + "; ".join(pair.reasons) + ".")
    lines.append(_("Ground rules:\n") + "\n".join("- " + _(rule, cadence=cadence) for rule in GROUND_RULES))
    agenda = [step.format(mentee=mentee.display_name, topic=topic) for step in FIRST_AGENDA]
    lines.append(_("For your first session:\n") + "\n".join(f"{n}. {step}" for n, step in enumerate(agenda, 1)))
    return say("\n".join(lines),
               Button.for_command(_("Schedule the first session"), f"schedule with=#{pair.id}", ButtonStyle.PRIMARY))


async def pair_ended(repo: Repository, pair: Pair, person: Person) -> Message | None:
    """Telling one side that their pair was ended by an admin (the reason stays with the admins)."""
    partner = await repo.person(pair.mentee_id if person.id == pair.mentor_id else pair.mentor_id)
    program = await repo.program(pair.program_id)
    if program is None:
        return None
    name = partner.display_name if partner is not None and partner.erased_at is None else _("your partner")
    return say(_("Your mentoring pair with {name} in {program} has ended. Thank you for the sessions you " "had together. Your program admin will introduce you to someone new; you need not do " "anything.", name=name, program=program.name))
