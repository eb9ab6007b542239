"""The ``PUBLIC_URL`` setting: the bot's public http(s) address, used for calendar links."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from mentorbot.settings import Settings


def _settings(**values: Any) -> Settings:
    """Settings from ``values`` and the environment, without any .env file."""
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.mark.parametrize(("given", "kept"), [
    ("https://mentorbot.example.com/", "https://mentorbot.example.com"),
    ("  http://127.0.0.1:3000  ", "http://127.0.0.1:3000"),
    ("https://example.com/bots/mentorbot//", "https://example.com/bots/mentorbot"),
    ("", None),
])
def test_a_public_url_is_kept_without_its_trailing_slash(given: str, kept: str | None) -> None:
    assert _settings(public_url=given).public_url == kept


def test_public_url_is_optional(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PUBLIC_URL", raising=False)
    assert _settings().public_url is None


@pytest.mark.parametrize("given", ["mentorbot.example.com", "ftp://example.com", "https://", "javascript:alert(1)",
                                   "https://example.com/?a=1", "https://example.com/#top"])
def test_anything_but_an_http_address_is_refused(given: str) -> None:
    with pytest.raises(ValidationError, match="PUBLIC_URL must be"):
        _settings(public_url=given)


def test_the_environment_variable_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUBLIC_URL", "https://bot.example.org/")
    assert _settings().public_url == "https://bot.example.org"
