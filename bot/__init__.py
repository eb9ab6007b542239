"""The platform-neutral core of mentorbot: domain, conversation flows and commands.

Nothing in this package imports a chat platform's SDK; adapters translate platform
traffic into :mod:`bot.messages` and render what the core answers.
"""
