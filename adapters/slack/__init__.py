"""The Slack adapter."""

SLACK = "slack"
"""The platform of Slack people's addresses (stored in the database: never change it)."""

CONVERSE, HOME, SUBMIT = "converse", "home", "submit"
"""The kinds of job the edge (:mod:`adapters.slack.app`) hands the turns (:mod:`adapters.slack.turns`):
answer an event where the person acted, publish their App Home, answer a modal submission."""
