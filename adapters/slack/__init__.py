"""The Slack adapter."""

SLACK = "slack"
"""The platform of Slack people's addresses (stored in the database: never change it)."""
