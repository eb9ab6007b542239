"""The Google Calendar provider against the fake Google over real HTTP: tokens from signed JWT
assertions (domain-wide delegation), free/busy, events created once under retry, changes since a
sync token across pages, watch channels, and the errors mapped."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.calendars.provider import CalendarRefused, CalendarUnavailable, CursorExpired, EventDraft
from calendars.google import GoogleProvider, ServiceAccount, google_event_id
from calendars.http import Backoff
from tests.kit.fakes.google_calendar import SCOPE, SERVICE_ACCOUNT, FakeGoogle, service_account_info

DOMAIN = "contoso.example"
EXEC, MENTOR = "victor@contoso.example", "zoe@contoso.example"
AT = datetime(2027, 1, 12, 14, 0, tzinfo=UTC)


async def no_wait(_: float) -> None:
    return None


def draft(start: datetime = AT, recurrence: str | None = None) -> EventDraft:
    return EventDraft("Reverse mentoring: Zoe & Victor", "Agenda", start, start + timedelta(minutes=45),
                      "Europe/Brussels", (MENTOR,), recurrence=recurrence)


@pytest.fixture
async def google() -> AsyncIterator[tuple[FakeGoogle, GoogleProvider]]:
    info, public = service_account_info()
    async with FakeGoogle(public) as fake:
        fake.add_tenant(DOMAIN, EXEC, MENTOR)
        provider = GoogleProvider(fake.api_url, fake.token_url, ServiceAccount(info), backoff=Backoff(sleep=no_wait))
        try:
            yield fake, provider
        finally:
            await provider.close()


async def test_each_call_acts_as_the_person_with_a_token_from_a_signed_assertion(
        google: tuple[FakeGoogle, GoogleProvider]) -> None:
    fake, calendar = google
    await calendar.check(DOMAIN, EXEC)
    await calendar.check(DOMAIN, EXEC)
    [token] = fake.called("POST", "/token")
    claims = token.body["claims"]
    assert (claims["iss"], claims["sub"], claims["scope"], claims["aud"]) == (SERVICE_ACCOUNT, EXEC, SCOPE,
                                                                              fake.token_url)
    assert token.body["assertion"] == "***" and fake.token_requests == 1  # cached until near expiry


async def test_an_assertion_signed_with_another_key_gets_no_token() -> None:
    info, _ = service_account_info()
    _, other_public = service_account_info()
    async with FakeGoogle(other_public) as fake:
        fake.add_tenant(DOMAIN, EXEC)
        calendar = GoogleProvider(fake.api_url, fake.token_url, ServiceAccount(info), backoff=Backoff(sleep=no_wait))
        with pytest.raises(CalendarRefused, match="is not a user"):
            await calendar.check(DOMAIN, EXEC)
        await calendar.close()
    [call] = fake.calls
    assert call.status == 400 and "claims" not in call.body


async def test_a_domain_that_has_not_authorised_the_client_id_is_told_what_to_do(
        google: tuple[FakeGoogle, GoogleProvider]) -> None:
    fake, calendar = google
    fake.revoke(DOMAIN)
    with pytest.raises(CalendarRefused, match="domain-wide delegation"):
        await calendar.check(DOMAIN, EXEC)
    assert "Manage domain-wide delegation" in calendar.how_to_connect(DOMAIN, None)


async def test_a_create_retried_after_a_lost_answer_makes_one_event(google: tuple[FakeGoogle, GoogleProvider]) -> None:
    fake, calendar = google
    first = await calendar.create_event(DOMAIN, EXEC, draft(recurrence="FREQ=WEEKLY;INTERVAL=2"), "mb-key-1")
    again = await calendar.create_event(DOMAIN, EXEC, draft(), "mb-key-1")
    [event] = fake.bot_events(EXEC)
    inserts = fake.called("POST", "/events")
    assert first == again == event["id"] == google_event_id("mb-key-1") and fake.duplicates == 1
    assert [c.status for c in inserts] == [200, 409]
    assert inserts[0].query == {"sendUpdates": "all", "conferenceDataVersion": "1"}
    assert event["attendees"] == [{"email": MENTOR, "responseStatus": "needsAction"}]
    assert event["hangoutLink"].startswith("https://meet.google.com/")
    assert event["recurrence"] == ["RRULE:FREQ=WEEKLY;INTERVAL=2"] and event["start"]["timeZone"] == "Europe/Brussels"


async def test_free_busy_includes_invitations_and_names_an_unknown_calendar(
        google: tuple[FakeGoogle, GoogleProvider]) -> None:
    fake, calendar = google
    fake.add_busy(MENTOR, AT, AT + timedelta(hours=1))
    await calendar.create_event(DOMAIN, EXEC, draft(AT + timedelta(days=1)), "mb-key-2")
    busy = await calendar.free_busy(DOMAIN, [EXEC, MENTOR, "ghost@contoso.example"], AT, AT + timedelta(days=2))
    assert sorted(busy[MENTOR]) == [(AT, AT + timedelta(hours=1)),
                                    (AT + timedelta(days=1), AT + timedelta(days=1, minutes=45))]
    assert busy[EXEC] == [(AT + timedelta(days=1), AT + timedelta(days=1, minutes=45))]
    assert isinstance(busy["ghost@contoso.example"], CalendarRefused)


async def test_the_first_read_follows_every_page_and_keeps_the_last_page_s_sync_token() -> None:
    info, public = service_account_info()
    async with FakeGoogle(public, page_size=2) as fake:
        fake.add_tenant(DOMAIN, EXEC, MENTOR)
        calendar = GoogleProvider(fake.api_url, fake.token_url, ServiceAccount(info), backoff=Backoff(sleep=no_wait))
        ids = [fake.add_busy(EXEC, AT + timedelta(days=n), AT + timedelta(days=n, hours=1)) for n in range(5)]
        first = await calendar.changes(DOMAIN, EXEC, None, AT - timedelta(days=1), AT + timedelta(days=30))
        fake.move(EXEC, ids[1], AT + timedelta(days=1, hours=3))
        fake.delete(EXEC, ids[3])
        second = await calendar.changes(DOMAIN, EXEC, first.cursor, AT, AT)
        quiet = await calendar.changes(DOMAIN, EXEC, second.cursor, AT, AT)
        fake.expire_sync_tokens()
        with pytest.raises(CursorExpired):
            await calendar.changes(DOMAIN, EXEC, quiet.cursor, AT, AT)
        await calendar.close()
    lists = fake.called("GET", "/events")
    assert [e.event_id for e in first.events] == ids and first.cursor
    assert [c.query.get("pageToken") is not None for c in lists[:3]] == [False, True, True]
    assert "timeMin" in lists[0].query and all("timeMin" not in c.query for c in lists[3:])
    assert [(e.event_id, e.status) for e in second.events] == [(ids[1], "confirmed"), (ids[3], "canceled")]
    assert second.events[0].starts_at == AT + timedelta(days=1, hours=3)
    assert quiet.events == [] and quiet.cursor == second.cursor and lists[-1].status == 410


async def test_rate_limits_and_server_errors_are_retried_then_reported_unavailable(
        google: tuple[FakeGoogle, GoogleProvider]) -> None:
    fake, calendar = google
    fake.fail_next(403, 429, 503)
    await calendar.check(DOMAIN, EXEC)
    fake.fail_next(*[403] * 6)
    with pytest.raises(CalendarUnavailable):
        await calendar.check(DOMAIN, EXEC)
    statuses = [c.status for c in fake.called("GET", "/calendars/")]
    assert statuses == [403, 429, 503, 200] + [403] * 6


async def test_a_watch_channel_carries_the_secret_and_can_be_stopped(google: tuple[FakeGoogle, GoogleProvider]) -> None:
    fake, calendar = google
    until = datetime.now(UTC) + timedelta(days=3)
    channel = await calendar.subscribe(DOMAIN, EXEC, "http://127.0.0.1:9/calendars/google/notifications", "s3cret",
                                       until)
    stored = fake.channels[channel.subscription_id]
    assert stored["token"] == "s3cret" and abs((channel.expires_at - until).total_seconds()) < 1
    with pytest.raises(CalendarRefused):
        await calendar.renew(DOMAIN, channel, until)
    await calendar.unsubscribe(DOMAIN, channel)
    await calendar.unsubscribe(DOMAIN, channel)  # gone already is fine
    assert fake.channels == {}
