"""The Microsoft Graph provider against the fake Graph over real HTTP: tokens from MSAL, free/busy,
events created once under retry, changes since a delta link, and the errors mapped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.calendars.provider import CalendarRefused, CursorExpired, EventDraft
from calendars.graph import GraphProvider
from calendars.http import Backoff
from tests.kit.fakes.graph import CLIENT_ID, CLIENT_SECRET, FakeGraph

TENANT = "contoso-tenant"
EXEC, MENTOR = "victor@contoso.example", "zoe@contoso.example"
AT = datetime(2027, 1, 12, 14, 0, tzinfo=UTC)


async def no_wait(_: float) -> None:
    return None


def provider(graph: FakeGraph) -> GraphProvider:
    return GraphProvider(graph.api_url, graph.login_url, CLIENT_ID, CLIENT_SECRET, verify=graph.tls,
                         backoff=Backoff(sleep=no_wait))


def draft(start: datetime = AT) -> EventDraft:
    return EventDraft("Reverse mentoring: Zoe & Victor", "Agenda", start, start + timedelta(minutes=45),
                      "Europe/Brussels", (MENTOR,))


async def test_a_create_retried_after_a_lost_answer_makes_one_event() -> None:
    async with FakeGraph() as graph:
        graph.add_tenant(TENANT, EXEC, MENTOR)
        calendar = provider(graph)
        first = await calendar.create_event(TENANT, EXEC, draft(), "mb-key-1")
        again = await calendar.create_event(TENANT, EXEC, draft(), "mb-key-1")
        await calendar.close()
    assert first == again and len(graph.bot_events(EXEC)) == 1
    [call, *_] = graph.called("POST", "/events")
    assert call.body["transactionId"] == "mb-key-1" and call.body["attendees"][0]["emailAddress"]["address"] == MENTOR
    assert call.body["isOnlineMeeting"] is True and call.body["start"]["timeZone"] == "Europe/Brussels"


async def test_free_busy_includes_invitations_and_names_an_unknown_mailbox() -> None:
    async with FakeGraph() as graph:
        graph.add_tenant(TENANT, EXEC, MENTOR)
        graph.add_busy(MENTOR, AT, AT + timedelta(hours=1))
        calendar = provider(graph)
        await calendar.create_event(TENANT, EXEC, draft(AT + timedelta(days=1)), "mb-key-2")
        busy = await calendar.free_busy(TENANT, [EXEC, MENTOR, "ghost@contoso.example"], AT, AT + timedelta(days=2))
        await calendar.close()
    assert sorted(busy[MENTOR]) == [(AT, AT + timedelta(hours=1)),
                                    (AT + timedelta(days=1), AT + timedelta(days=1, minutes=45))]
    assert busy[EXEC] == [(AT + timedelta(days=1), AT + timedelta(days=1, minutes=45))]
    assert isinstance(busy["ghost@contoso.example"], CalendarRefused)


async def test_changes_follow_the_delta_link_and_an_expired_one_asks_for_a_full_read() -> None:
    async with FakeGraph() as graph:
        graph.add_tenant(TENANT, EXEC, MENTOR)
        calendar = provider(graph)
        event_id = await calendar.create_event(TENANT, EXEC, draft(), "mb-key-3")
        first = await calendar.changes(TENANT, EXEC, None, AT - timedelta(days=1), AT + timedelta(days=30))
        graph.move(EXEC, event_id, AT + timedelta(hours=2))
        graph.respond(EXEC, event_id, MENTOR, "declined")
        moved = await calendar.changes(TENANT, EXEC, first.cursor, AT, AT)
        graph.delete(EXEC, event_id)
        gone = await calendar.changes(TENANT, EXEC, moved.cursor, AT, AT)
        graph.expired_delta_tokens.add(gone.cursor.rsplit("=", 1)[1])
        with pytest.raises(CursorExpired):
            await calendar.changes(TENANT, EXEC, gone.cursor, AT, AT)
        await calendar.close()
    assert [e.event_id for e in first.events] == [event_id]
    [event] = moved.events
    assert event.starts_at == AT + timedelta(hours=2) and event.responses[MENTOR] == "declined"
    assert [(e.event_id, e.status) for e in gone.events] == [(event_id, "canceled")]


async def test_throttling_and_server_errors_are_retried_and_consent_revoked_is_a_refusal() -> None:
    async with FakeGraph() as graph:
        graph.add_tenant(TENANT, EXEC, MENTOR)
        calendar = provider(graph)
        graph.fail_next(429, 503, 429)
        await calendar.check(TENANT, EXEC)
        graph.revoke(TENANT)
        calendar._tokens.clear()
        with pytest.raises(CalendarRefused, match="consent"):
            await calendar.check(TENANT, EXEC)
        await calendar.close()
    assert [c.status for c in graph.called("GET", "/calendar")] == [429, 503, 429, 200, 401]
    assert all("graph-test-secret" not in str(c.body) for c in graph.calls)
