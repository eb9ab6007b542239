"""Slack's request signature, checked whatever the headers hold.

slack_sdk's :class:`~slack_sdk.signature.SignatureVerifier` expects a well-formed timestamp
and signature: an unsigned request with ``X-Slack-Request-Timestamp: abc``, a fractional or
400-digit timestamp, or a non-ASCII signature makes it raise instead of saying no. Here such
headers are simply not a valid signature.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from slack_sdk.signature import SignatureVerifier

TIMESTAMP = re.compile(r"[0-9]{1,12}")
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


def is_signed(verifier: SignatureVerifier, body: str, headers: Mapping[str, str]) -> bool:
    """True when ``body`` carries a valid, recent signature of the app's signing secret."""
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if not TIMESTAMP.fullmatch(timestamp) or not SIGNATURE.fullmatch(signature):
        return False
    return verifier.is_valid(body, timestamp, signature)
