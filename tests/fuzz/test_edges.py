"""Property-based fuzzing of the HTTP edges: whatever arrives, no 5xx, no traceback or ERROR in
the log, and no row changed by a request that is not authenticated or is refused.

Rule (hostile input): a request from outside gets a clear answer or a clean rejection (4xx),
never a server error, and one without a valid signature or token changes nothing.
"""

from __future__ import annotations

import time

from hypothesis import given
from hypothesis import strategies as st

from tests.kit.fakes.slack_workspace import signature_headers
from tests.fuzz.conftest import APP_ID, CONTOSO, EdgeServer, Recorder
from tests.fuzz.strategies import slack_bodies, teams_activities, unsigned_slack_headers

SLACK = "/slack/events"
TEAMS = "/api/messages"


def _settled(edge: EdgeServer, recorder: Recorder) -> None:
    time.sleep(0.05)
    assert recorder.failures() == [], "a request from outside caused an error in the log"


def test_unsigned_slack_requests_are_refused_and_change_nothing(edge: EdgeServer, recorder: Recorder) -> None:
    @given(body=slack_bodies(), headers=unsigned_slack_headers())
    def unsigned(body: str, headers: dict[str, str]) -> None:
        before, calls = edge.rows(), edge.calls()
        status, _ = edge.post(SLACK, body, headers)
        assert status in (400, 401), status
        assert edge.rows() == before and edge.calls() == calls
        assert recorder.failures() == []

    unsigned()


def test_signed_slack_requests_never_get_a_server_error(edge: EdgeServer, recorder: Recorder) -> None:
    @given(body=slack_bodies(), content_type=st.sampled_from(["application/json",
                                                              "application/x-www-form-urlencoded"]))
    def signed(body: str, content_type: str) -> None:
        before = edge.rows()
        status, answer = edge.post(SLACK, body, {"Content-Type": content_type, **signature_headers(body)})
        assert status < 500, answer
        if status in (400, 401, 403):
            assert edge.rows() == before
        _settled(edge, recorder)

    signed()


def test_teams_activities_without_a_valid_token_are_refused_and_change_nothing(
    edge: EdgeServer, recorder: Recorder
) -> None:
    forged = ["", "Bearer x", "Bearer " + "a" * 5000, "Bearer eyJhbGciOiJub25lIn0.e30.", "Basic é"]

    @given(body=teams_activities(edge.connector.url, CONTOSO), authorization=st.sampled_from(forged))
    def unauthenticated(body: str, authorization: str) -> None:
        before, calls = edge.rows(), edge.calls()
        headers = {"Content-Type": "application/json", **({"Authorization": authorization} if authorization else {})}
        status, _ = edge.post(TEAMS, body, headers)
        assert status in (400, 401), status
        assert edge.rows() == before and edge.calls() == calls
        assert recorder.failures() == []

    unauthenticated()


def test_teams_activities_with_a_valid_token_never_get_a_server_error(edge: EdgeServer, recorder: Recorder) -> None:
    token = edge.issuer.token(APP_ID, edge.connector.url)

    @given(body=teams_activities(edge.connector.url, CONTOSO))
    def authenticated(body: str) -> None:
        before = edge.rows()
        status, answer = edge.post(TEAMS, body, {"Content-Type": "application/json",
                                                 "Authorization": f"Bearer {token}"})
        assert status < 500, answer
        if status in (400, 401, 403):
            assert edge.rows() == before
        _settled(edge, recorder)

    authenticated()
