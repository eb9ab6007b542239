"""Formats beyond one-to-one: circles (small group discussions hosted by young mentors) and
research assignments presented at lunch-and-learns."""
