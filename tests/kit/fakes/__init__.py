"""Platforms played locally over real HTTP on 127.0.0.1: Slack, Teams and Microsoft's token services."""
