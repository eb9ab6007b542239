"""The cadence engine's rules: what is due for a pair, when, and what it says."""
