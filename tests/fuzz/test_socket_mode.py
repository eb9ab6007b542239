"""Property-based fuzzing of the Slack Socket Mode edge: whatever frame arrives on the connection,
no traceback or ERROR in the log, every envelope with a readable id is acknowledged, the
connection stays the one it was, and nothing is stored for what is refused.

Rule (hostile input): a malformed envelope or one for another workspace gets a clean rejection
(acknowledged empty, one WARNING line) and changes nothing.
"""

from __future__ import annotations

import time

from hypothesis import given

from tests.fuzz.conftest import Recorder, SocketEdge
from tests.fuzz.strategies import socket_frames


def test_socket_mode_frames_never_fail_nor_cost_the_connection(socket_edge: SocketEdge, recorder: Recorder) -> None:
    @given(frame=socket_frames())
    def frame(frame: str) -> None:
        envelope_id = socket_edge.send(frame)
        if envelope_id is not None:
            assert envelope_id in socket_edge.socket.acknowledged, "every envelope with an id is acknowledged"
        time.sleep(0.02)
        assert recorder.failures() == [], "a frame from outside caused an error in the log"
        assert socket_edge.connected(), "the connection is kept"

    frame()


def test_socket_mode_envelopes_for_another_workspace_change_nothing(socket_edge: SocketEdge,
                                                                    recorder: Recorder) -> None:
    @given(frame=socket_frames(team="TOTHER"))
    def stranger(frame: str) -> None:
        before = socket_edge.rows()
        socket_edge.send(frame)
        time.sleep(0.02)
        assert socket_edge.rows() == before
        assert recorder.failures() == []

    stranger()
