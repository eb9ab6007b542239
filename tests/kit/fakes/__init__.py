"""Platforms played locally: Slack, Teams and Microsoft's token services over real HTTP on 127.0.0.1,
and a platform that exists only in the tests."""
