"""The Slack app manifest kept in the repository matches what the adapter serves."""

from __future__ import annotations

from pathlib import Path

import yaml

from adapters.slack.app import BOT_SCOPES, COMMAND

MANIFEST = Path(__file__).parents[3] / "adapters" / "slack" / "manifest.yaml"


def _manifest() -> dict:
    return yaml.safe_load(MANIFEST.read_text())


def test_the_manifest_asks_for_exactly_the_scopes_the_install_flow_requests() -> None:
    assert sorted(_manifest()["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)


def test_the_command_events_and_interactivity_all_point_at_slack_events() -> None:
    manifest = _manifest()
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == COMMAND
    urls = {command["url"], manifest["settings"]["event_subscriptions"]["request_url"],
            manifest["settings"]["interactivity"]["request_url"]}
    assert {url.split(".com", 1)[1] for url in urls} == {"/slack/events"}
    assert manifest["oauth_config"]["redirect_urls"][0].endswith("/slack/oauth_redirect")


def test_the_manifest_subscribes_to_the_events_the_adapter_handles() -> None:
    manifest = _manifest()
    assert sorted(manifest["settings"]["event_subscriptions"]["bot_events"]) == ["app_home_opened", "message.im"]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True


SOCKET_MANIFEST = MANIFEST.with_name("manifest.socket.yaml")
URL_FIELDS = ("url", "request_url", "redirect_urls")


def _without_urls(value: object) -> object:
    if isinstance(value, dict):
        return {key: _without_urls(item) for key, item in value.items() if key not in URL_FIELDS}
    if isinstance(value, list):
        return [_without_urls(item) for item in value]
    return value


def test_the_socket_mode_manifest_is_the_same_app_without_urls() -> None:
    socket = yaml.safe_load(SOCKET_MANIFEST.read_text())
    assert socket["settings"].pop("socket_mode_enabled") is True
    http = _manifest()
    assert http["settings"].pop("socket_mode_enabled") is False
    assert socket == _without_urls(http), "scopes, command, events, interactivity and App Home as over HTTP"
    assert "https://" not in SOCKET_MANIFEST.read_text().split("\ndisplay_information:")[1], "no public address"
