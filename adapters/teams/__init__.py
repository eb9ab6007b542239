"""The Microsoft Teams adapter."""

TEAMS = "teams"
"""The platform of Teams people's addresses (stored in the database: never change it)."""
