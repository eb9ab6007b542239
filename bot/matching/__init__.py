"""Matching young mentors to senior mentees on data.

- :mod:`bot.matching.cohort`: who is to be matched, as plain data (no database);
- :mod:`bot.matching.score`: the fit of every mentor for every mentee, the hard rules, the reasons;
- :mod:`bot.matching.solve`: the assignment with the largest total fit under the capacities;
- :mod:`bot.matching.explain`: why someone was left unmatched;
- :mod:`bot.matching.proposal`: a run on a program's data, the admin's review, publishing;
- :mod:`bot.matching.intro`: the introduction a new pair receives.
"""
