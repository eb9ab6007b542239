"""One-to-one pairs: a format (see format.py): sessions, their cadence rules and tick, nudges, flags, commands."""
