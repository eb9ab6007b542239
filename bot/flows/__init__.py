"""Conversation flows: small state machines whose state is kept in the database."""
