"""Research assignments presented at lunch-and-learns: a format (see format.py)."""
