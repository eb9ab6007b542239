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
