"""Random cohorts with realistic spreads, for the matching benchmark and tests.

Mentors are junior (levels 1-2), mentees senior (3-5); people work in a handful of zones,
want or teach two to four of the default topics (popular topics more often), speak English
and maybe a second language, and some mentees report to others in the cohort.
"""

from __future__ import annotations

import random
from datetime import date, time

from bot.catalog import DEFAULT_TOPICS, STYLES
from bot.matching.cohort import Candidate, Cohort, weights_of
from storage.enums import ProgramFormat, SessionMode

ZONES = ("Europe/Brussels", "Europe/London", "America/New_York", "America/Chicago", "Asia/Singapore",
         "Europe/Warsaw")
ZONE_WEIGHTS = (30, 15, 25, 10, 10, 10)
SECOND_LANGUAGES = ("fr", "nl", "de", "es", "pl")
TOPIC_WEIGHTS = tuple(len(DEFAULT_TOPICS) - n for n in range(len(DEFAULT_TOPICS)))
WORDS = ("dashboards", "chatgpt", "linkedin", "excel", "teams", "automation", "security", "podcasts",
         "genz", "hybrid", "copilot", "notion")


def _person(rng: random.Random, person_id: int, mentor: bool, capacity: int) -> Candidate:
    topics: set[str] = set()
    while len(topics) < rng.randint(2, 4):
        topics.add(rng.choices(DEFAULT_TOPICS, TOPIC_WEIGHTS)[0])
    start = rng.choice((7, 8, 8, 9, 9, 9, 10))
    return Candidate(
        person_id=person_id,
        name=f"{'Mentor' if mentor else 'Mentee'} {person_id}",
        level=rng.choice((1, 2)) if mentor else rng.choice((3, 4, 4, 5)),
        topics=frozenset(topics),
        free_text=" ".join(rng.sample(WORDS, rng.randint(0, 3))),
        style=rng.choice(STYLES).value,
        # People in a one-to-one matching run chose one-to-one sessions, and maybe another format.
        formats=frozenset({ProgramFormat.ONE_TO_ONE.value, rng.choice([f.value for f in ProgramFormat])}),
        location=rng.choice((SessionMode.REMOTE, SessionMode.REMOTE, SessionMode.IN_PERSON, SessionMode.EITHER)),
        timezone=rng.choices(ZONES, ZONE_WEIGHTS)[0],
        work_start=time(start),
        work_end=time(start + rng.choice((8, 8, 9))),
        languages=frozenset({"en"} | ({rng.choice(SECOND_LANGUAGES)} if rng.random() < 0.4 else set())),
        capacity=capacity if mentor else 1,
    )


def cohort(mentees: int, mentors: int, capacity: int = 4, seed: int = 1, day: date = date(2027, 1, 13),
           reporting_share: float = 0.2) -> Cohort:
    """A cohort of ``mentees`` and ``mentors`` (person ids: mentees first, then mentors)."""
    rng = random.Random(seed)
    senior = [_person(rng, n + 1, False, capacity) for n in range(mentees)]
    junior = [_person(rng, mentees + n + 1, True, capacity) for n in range(mentors)]
    # Some mentors report (up a chain) to a mentee: matching must keep them apart.
    for position, mentor in enumerate(junior):
        if senior and rng.random() < reporting_share:
            boss = rng.choice(senior)
            junior[position] = Candidate(**{**vars(mentor), "line": frozenset({boss.person_id})})
    return Cohort(junior, senior, day, weights=weights_of(None))
