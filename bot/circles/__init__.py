"""Circles, small group discussions hosted by young mentors: a format (see format.py)."""
