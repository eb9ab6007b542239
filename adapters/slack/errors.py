"""Slack failures in a few words, for logs (never a token: only Slack's error code or a type)."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError


def reason(problem: BaseException) -> str:
    """``channel_not_found`` for a Slack API error, the exception's type otherwise."""
    if isinstance(problem, SlackApiError):
        return str(problem.response.get("error", "error"))
    return type(problem).__name__
