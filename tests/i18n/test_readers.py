"""Who reads which language: a person, their program, a channel, a group of people."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from bot.languages import locale_of, nudge_locale
from storage.enums import NudgeKind, NudgeStatus
from storage.models import Nudge, Person, Program
from storage.repository import Repository
from tests.kit.languages import speak
from tests.kit.progress import zoe_and_victor
from tests.kit.world import World


async def _program_language(world: World, language: str) -> None:
    async with world.db.transaction() as session:
        await session.execute(update(Program).values(language=language))


def _nudge(world: World, person: str, pair_id: int, **payload: object) -> Nudge:
    now = world.clock.now()
    return Nudge(tenant_id=world.tenant_id, person_id=world.people[person], pair_id=pair_id, kind=NudgeKind.INTRO,
                 key=f"test:{person}", payload=payload, due_at=now, expires_at=now + timedelta(days=1),
                 status=NudgeStatus.PENDING, attempts=0, created_at=now)


async def test_a_person_reads_their_choice_then_their_platform_then_their_program(world: World) -> None:
    await zoe_and_victor(world)
    await _program_language(world, "it")
    async with world.db.transaction() as session:
        repo = Repository(session, world.tenant_id)
        victor = await repo.person(world.people["Victor"])
        assert victor is not None
        assert await locale_of(repo, victor) == "it", "the program's, while nothing else is known"
        victor.platform_locale = "pt-BR"
        assert await locale_of(repo, victor) == "it", "a locale the bot does not speak is passed over"
        victor.platform_locale = "nl-BE"
        assert await locale_of(repo, victor) == "nl"
        victor.language = "pl"
        assert await locale_of(repo, victor) == "pl", "what the person chose wins"


async def test_a_channel_reads_the_program_s_language_and_a_group_its_common_one(world: World) -> None:
    pair = await zoe_and_victor(world)
    await _program_language(world, "de")
    await speak(world.db, ["Zoe"], "pl")
    await speak(world.db, ["Victor"], "fr")
    async with world.db.transaction() as session:
        repo = Repository(session, world.tenant_id)
        zoe = await repo.person(world.people["Zoe"])
        assert isinstance(zoe, Person)
        alone = _nudge(world, "Zoe", pair)
        channel = _nudge(world, "Zoe", pair, channel={"platform": "slack", "tenant": "T1", "user_id": "C1"})
        together = _nudge(world, "Zoe", pair, together=[world.people["Victor"]])
        assert await nudge_locale(repo, alone, zoe) == "pl"
        assert await nudge_locale(repo, channel, zoe) == "de"
        assert await nudge_locale(repo, together, zoe) == "de", "two languages: the program's"
    await speak(world.db, ["Victor"], "pl")
    async with world.db.transaction() as session:
        repo = Repository(session, world.tenant_id)
        zoe = await repo.person(world.people["Zoe"])
        assert isinstance(zoe, Person)
        assert await nudge_locale(repo, _nudge(world, "Zoe", pair, together=[world.people["Victor"]]), zoe) == "pl"
