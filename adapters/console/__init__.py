"""The console adapter: chatting with the bot in a terminal."""

CONSOLE = "console"
"""The platform of console people's addresses (stored in the database: never change it)."""
