"""How well each mentor fits each mentee, which pairs the hard rules forbid, and why a pair fits.

Scores are computed a block of mentees at a time against every mentor with numpy, so that a
cohort of 10,000 mentees and 3,000 mentors is scored in about a second. Every part of a fit
lies in [0, 1]; the fit is their weighted sum (the program's weights), also in [0, 1].
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from bot.i18n import N_, _, ngettext
from bot.i18n import formats
from bot.cadence.hours import zone_named
from bot.catalog import LANGUAGES, format_label, label_of
from bot.matching.cohort import Candidate, Cohort
from storage.enums import ProgramFormat, SessionMode

# Sessions last 45 minutes: a pair needs at least an hour of working time in common.
MIN_SHARED_MINUTES = 60
# Four shared hours or more count as a perfect fit on time.
FULL_SHARED_MINUTES = 240
# The solver works on integer fits: 1000 is a perfect fit.
FIT_SCALE = 1000
NOT_ALLOWED = -1.0
REASON_BLOCK = 256  # pairs whose reasons are scored together

# The hard rules, in the order they are reported, and how one broken rule reads.
RULES = ("format", "junior", "line", "past", "language", "hours")
RULE_WORDS = {
    "format": N_("{mentor} or {mentee} did not choose one-to-one sessions"),
    "junior": N_("{mentor} is not junior to {mentee}"),
    "line": N_("{mentor} and {mentee} are in the same reporting line"),
    "past": N_("{mentor} and {mentee} were paired before (one way or the other)"),
    "language": N_("{mentor} and {mentee} share no language"),
    "hours": N_("{mentor} and {mentee} share less than an hour of working time"),
}

_LOCATIONS = (SessionMode.REMOTE, SessionMode.IN_PERSON, SessionMode.EITHER)
# Remote vs in person cannot meet halfway; "either" suits both, a little less than agreement.
_LOCATION_FIT = np.array([[1.0, 0.0, 0.8], [0.0, 1.0, 0.8], [0.8, 0.8, 0.8]], dtype=np.float32)
_WORD = re.compile(r"[a-z][a-z0-9+#-]{2,}")
_STOP = frozenset("""and the for with how what want wants would like learn learning more about better use using
get into from that this can our your their them they are not but also how new some any all teach""".split())

Matrix = NDArray[np.float32]


def _words(text: str) -> list[str]:
    return [word for word in _WORD.findall(text.lower()) if word not in _STOP]


def _one_hot(sets: Sequence[Iterable[str]], vocabulary: dict[str, int]) -> Matrix:
    out = np.zeros((len(sets), max(len(vocabulary), 1)), dtype=np.float32)
    for row, values in enumerate(sets):
        for value in values:
            out[row, vocabulary[value]] = 1.0
    return out


def _vocabulary(*groups: Iterable[Iterable[str]]) -> dict[str, int]:
    names = sorted({value for group in groups for values in group for value in values})
    return {name: index for index, name in enumerate(names)}


def _text_matrix(docs: Sequence[list[str]], vocabulary: dict[str, int], idf: NDArray[np.float64]) -> sparse.csr_matrix:
    """Documents as L2-normalised TF-IDF rows."""
    rows, cols, values = [], [], []
    for row, words in enumerate(docs):
        counts: dict[int, int] = {}
        for word in words:
            counts[vocabulary[word]] = counts.get(vocabulary[word], 0) + 1
        norm = math.sqrt(sum((count * idf[col]) ** 2 for col, count in counts.items())) or 1.0
        for col, count in counts.items():
            rows.append(row)
            cols.append(col)
            values.append(count * idf[col] / norm)
    return sparse.csr_matrix((values, (rows, cols)), shape=(len(docs), max(len(vocabulary), 1)), dtype=np.float32)


def work_window(person: Candidate, cohort: Cohort) -> tuple[float, float]:
    """A person's working day on the cohort's day: start in minutes after 00:00 UTC, and length."""
    zone = zone_named(person.timezone)
    assert person.work_start is not None and person.work_end is not None
    midnight = datetime.combine(cohort.day, datetime.min.time(), UTC)
    start = datetime.combine(cohort.day, person.work_start, zone)
    end = datetime.combine(cohort.day, person.work_end, zone)
    length = (end - start).total_seconds() / 60
    return (start - midnight).total_seconds() / 60, length if length > 0 else length + 1440


def shared_minutes(starts: Matrix, lengths: Matrix, other_starts: Matrix, other_lengths: Matrix) -> Matrix:
    """Minutes two working days overlap (broadcast), counting windows that cross midnight UTC."""
    ends, other_ends = starts + lengths, other_starts + other_lengths
    total = np.zeros(np.broadcast_shapes(starts.shape, other_starts.shape), dtype=np.float32)
    for shift in (-1440.0, 0.0, 1440.0):
        total += np.clip(np.minimum(ends, other_ends + shift) - np.maximum(starts, other_starts + shift), 0, None)
    return np.minimum(total, np.minimum(lengths, other_lengths))


class FitModel:
    """Fits and hard rules for a complete cohort (every profile has what matching needs)."""

    def __init__(self, cohort: Cohort) -> None:
        self.cohort = cohort
        mentors, mentees = cohort.mentors, cohort.mentees
        self.mentor_index = {m.person_id: j for j, m in enumerate(mentors)}
        self.mentee_index = {m.person_id: i for i, m in enumerate(mentees)}
        topics = _vocabulary([m.topics for m in mentors], [m.topics for m in mentees])
        self._teach, self._want = _one_hot([m.topics for m in mentors], topics), _one_hot([m.topics for m in mentees], topics)
        self._wanted = self._want.sum(axis=1)
        self._init_text()
        formats = _vocabulary([m.formats for m in mentors], [m.formats for m in mentees])
        self._mentor_formats = _one_hot([m.formats for m in mentors], formats)
        self._mentee_formats = _one_hot([m.formats for m in mentees], formats)
        languages = _vocabulary([m.languages for m in mentors], [m.languages for m in mentees])
        self._mentor_languages = _one_hot([m.languages for m in mentors], languages)
        self._mentee_languages = _one_hot([m.languages for m in mentees], languages)
        styles = {name: code for code, name in enumerate(sorted({m.style or "" for m in mentors + mentees}))}
        self._mentor_style = np.array([styles[m.style or ""] for m in mentors], dtype=np.intp)
        self._mentee_style = np.array([styles[m.style or ""] for m in mentees], dtype=np.intp)
        self._mentor_location = np.array([_location_code(m.location) for m in mentors], dtype=np.intp)
        self._mentee_location = np.array([_location_code(m.location) for m in mentees], dtype=np.intp)
        self._mentor_one_to_one = np.array([chose_one_to_one(m) for m in mentors], dtype=bool)
        self._mentee_one_to_one = np.array([chose_one_to_one(m) for m in mentees], dtype=bool)
        self._mentor_level = np.array([m.level or 0 for m in mentors], dtype=np.intp)
        self._mentee_level = np.array([m.level or 0 for m in mentees], dtype=np.intp)
        self._mentor_hours = np.array([work_window(m, cohort) for m in mentors], dtype=np.float32).reshape(-1, 2)
        self._mentee_hours = np.array([work_window(m, cohort) for m in mentees], dtype=np.float32).reshape(-1, 2)
        self._forbidden = self._forbidden_pairs()

    def _init_text(self) -> None:
        """Mentees' own words against mentors' own words and topics, as TF-IDF cosine similarity."""
        mentee_docs = [_words(m.free_text) for m in self.cohort.mentees]
        mentor_docs = [_words(m.free_text + " " + " ".join(m.topics)) for m in self.cohort.mentors]
        vocabulary = {word: n for n, word in enumerate(sorted({w for doc in mentee_docs + mentor_docs for w in doc}))}
        frequency = np.zeros(max(len(vocabulary), 1))
        for doc in mentee_docs + mentor_docs:
            for word in set(doc):
                frequency[vocabulary[word]] += 1
        idf = np.log((len(mentee_docs) + len(mentor_docs) + 1) / (frequency + 1)) + 1
        self._mentee_text = _text_matrix(mentee_docs, vocabulary, idf)
        self._mentor_text_t = _text_matrix(mentor_docs, vocabulary, idf).T.tocsr()
        self._has_text = np.array([bool(doc) for doc in mentee_docs], dtype=bool)

    def _forbidden_pairs(self) -> dict[str, dict[int, set[int]]]:
        """Mentee index -> mentor indexes ruled out by the reporting line, and by a past pairing."""
        line: dict[int, set[int]] = {}
        past: dict[int, set[int]] = {}
        for i, mentee in enumerate(self.cohort.mentees):
            for boss in mentee.line:
                if boss in self.mentor_index:
                    line.setdefault(i, set()).add(self.mentor_index[boss])
        for j, mentor in enumerate(self.cohort.mentors):
            for boss in mentor.line:
                if boss in self.mentee_index:
                    line.setdefault(self.mentee_index[boss], set()).add(j)
        # A past pair blocks both directions: after a promotion, or with same-level pairs allowed,
        # a former mentee may now be on the mentor side.
        for first, second in self.cohort.past:
            for mentor_id, mentee_id in ((first, second), (second, first)):
                if mentor_id in self.mentor_index and mentee_id in self.mentee_index:
                    past.setdefault(self.mentee_index[mentee_id], set()).add(self.mentor_index[mentor_id])
        return {"line": line, "past": past}

    # --- blocks of mentees against every mentor -------------------------------------------

    def parts(self, rows: NDArray[np.intp], cols: NDArray[np.intp] | None = None) -> dict[str, Matrix]:
        """Each part of the fit of mentees ``rows`` (one row each) with mentors ``cols`` (default:
        every mentor), in [0, 1]; ``_minutes`` holds the shared working minutes."""
        cols = np.arange(len(self._teach)) if cols is None else cols
        wanted = self._wanted[rows][:, None]
        covered = np.divide(self._want[rows] @ self._teach[cols].T, wanted,
                            out=np.zeros((len(rows), len(cols)), dtype=np.float32), where=wanted > 0)
        text = (self._mentee_text[rows] @ self._mentor_text_t[:, cols]).toarray().astype(np.float32)
        has_text = self._has_text[rows][:, None]
        topics = np.where(wanted > 0, np.where(has_text, 0.75 * covered + 0.25 * text, covered), text)
        mentee_formats, mentor_formats = self._mentee_formats[rows], self._mentor_formats[cols]
        shared_formats = mentee_formats @ mentor_formats.T
        union = mentee_formats.sum(axis=1)[:, None] + mentor_formats.sum(axis=1)[None, :] - shared_formats
        formats = np.divide(shared_formats, union, out=np.full_like(shared_formats, 0.5), where=union > 0)
        hours = shared_minutes(self._mentee_hours[rows, :1], self._mentee_hours[rows, 1:],
                               self._mentor_hours[None, cols, 0], self._mentor_hours[None, cols, 1])
        spoken = self._mentee_languages[rows]
        languages = (spoken @ self._mentor_languages[cols].T) / np.maximum(spoken.sum(axis=1), 1)[:, None]
        return {
            "topics": topics.astype(np.float32),
            "hours": np.minimum(hours / FULL_SHARED_MINUTES, 1.0).astype(np.float32),
            "style": (self._mentee_style[rows][:, None] == self._mentor_style[None, cols]).astype(np.float32),
            "formats": formats.astype(np.float32),
            "location": _LOCATION_FIT[self._mentee_location[rows][:, None], self._mentor_location[None, cols]],
            "languages": languages.astype(np.float32),
            "_minutes": hours,
        }

    def rules(self, rows: NDArray[np.intp], minutes: Matrix) -> dict[str, NDArray[np.bool_]]:
        """Each hard rule for mentees ``rows`` and every mentor: True where it holds (capacity aside)."""
        if self.cohort.allow_same_level:
            junior = self._mentor_level[None, :] <= self._mentee_level[rows][:, None]
        else:
            junior = self._mentor_level[None, :] < self._mentee_level[rows][:, None]
        held = {"format": self._mentee_one_to_one[rows][:, None] & self._mentor_one_to_one[None, :],
                "junior": junior, "line": np.ones_like(junior), "past": np.ones_like(junior),
                "language": (self._mentee_languages[rows] @ self._mentor_languages.T) > 0,
                "hours": minutes >= MIN_SHARED_MINUTES}
        for rule in ("line", "past"):
            for position, row in enumerate(rows):
                for j in self._forbidden[rule].get(int(row), ()):
                    held[rule][position, j] = False
        return held

    def allowed(self, rows: NDArray[np.intp], minutes: Matrix) -> NDArray[np.bool_]:
        """Where every hard rule holds for mentees ``rows`` and every mentor (capacity aside)."""
        held = self.rules(rows, minutes)
        return np.logical_and.reduce([held[rule] for rule in RULES])

    def fit_rows(self, rows: NDArray[np.intp]) -> Matrix:
        """Fits of mentees ``rows`` with every mentor; :data:`NOT_ALLOWED` where a hard rule forbids."""
        parts = self.parts(rows)
        weights = self.cohort.weights
        fit = sum((weights[name] * parts[name] for name in weights), np.zeros(parts["hours"].shape, np.float32))
        return np.where(self.allowed(rows, parts["_minutes"]), fit, NOT_ALLOWED).astype(np.float32)

    # --- one pair ---------------------------------------------------------------------------

    def fit(self, i: int, j: int) -> float:
        """The fit of mentor ``j`` for mentee ``i`` (hard rules aside)."""
        parts = self.parts(np.array([i]), np.array([j]))
        return float(sum(self.cohort.weights[name] * parts[name][0, 0] for name in self.cohort.weights))

    def broken_rule(self, i: int, j: int) -> str | None:
        """The hard rule pairing mentor ``j`` with mentee ``i`` breaks, in words, or None."""
        rows = np.array([i])
        held = self.rules(rows, self.parts(rows)["_minutes"])
        broken = next((rule for rule in RULES if not held[rule][0, j]), None)
        if broken is None:
            return None
        return RULE_WORDS[broken].format(mentor=self.cohort.mentors[j].name, mentee=self.cohort.mentees[i].name)

    def reasons(self, i: int, j: int, limit: int = 3) -> list[str]:
        """The two or three strongest reasons mentor ``j`` fits mentee ``i``, in words."""
        return self.reasons_for([(i, j)], limit)[0]

    def reasons_for(self, pairs: Sequence[tuple[int, int]], limit: int = 3) -> list[list[str]]:
        """:meth:`reasons` for many (mentee, mentor) pairs, their parts scored a block at a time."""
        found: list[list[str]] = []
        for start in range(0, len(pairs), REASON_BLOCK):
            block = pairs[start:start + REASON_BLOCK]
            parts = self.parts(np.array([i for i, _ in block]), np.array([j for _, j in block]))
            for k, (i, j) in enumerate(block):
                found.append(self._pair_reasons(i, j, {name: float(value[k, k]) for name, value in parts.items()},
                                                limit))
        return found

    def _pair_reasons(self, i: int, j: int, parts: dict[str, float], limit: int) -> list[str]:
        """Reasons drawn from facts of both profiles, strongest first. A factor weighted 0 does
        not count in the score, but a true fact still reads as a reason (after the weighted ones)."""
        mentor, mentee = self.cohort.mentors[j], self.cohort.mentees[i]
        weights = self.cohort.weights
        found: list[tuple[str, float, str]] = []  # factor, part, words
        shared = sorted(mentor.topics & mentee.topics)
        if shared:
            found.append(("topics", parts["topics"],
                          _("{mentor} teaches {shared}, which {mentee} wants to learn", mentor=mentor.name, shared=_listed(shared), mentee=mentee.name)))
        elif parts["topics"] > 0:
            words = sorted(set(_words(mentee.free_text)) & set(_words(mentor.free_text + " " + " ".join(mentor.topics))))
            if words:
                found.append(("topics", parts["topics"], _("both mention {listed} in their own words", listed=_listed(words[:3]))))
        found.append(("location", parts["location"], location_reason(mentor, mentee)))
        hours = int(parts["_minutes"] // 60)
        if hours:
            found.append(("hours", parts["hours"], ngettext("{n} shared working hour", "{n} shared working hours", hours)))
        if mentor.style == mentee.style and mentor.style:
            found.append(("style", parts["style"], _("both like it {style}", style=mentor.style)))
        both = sorted(mentor.formats & mentee.formats)
        names = [format_label(f).lower() for f in both if f in set(ProgramFormat)]
        if names:
            found.append(("formats", parts["formats"], _("both want {names}", names=_listed(names))))
        spoken = sorted(label_of(LANGUAGES, code) for code in mentor.languages & mentee.languages)
        if spoken:
            found.append(("languages", parts["languages"] * 0.5, _("both speak {spoken}", spoken=_listed(spoken))))
        true = [(weights[factor] * part, part, text) for factor, part, text in found if text and part > 0]
        ranked = sorted(true, key=lambda item: (item[0] > 0, round(item[0] if item[0] > 0 else item[1], 6)),
                        reverse=True)
        return [text for _score, _key, text in ranked[:limit]]


def chose_one_to_one(person: Candidate) -> bool:
    """True when the person's profile names no formats, or one-to-one sessions among them."""
    return not person.formats or ProgramFormat.ONE_TO_ONE in person.formats


def _location_code(location: str | None) -> int:
    return _LOCATIONS.index(SessionMode(location)) if location in set(_LOCATIONS) else 2


def location_reason(mentor: Candidate, mentee: Candidate) -> str:
    """Where both are happy to meet, in words true of both profiles ("" when they differ)."""
    where = {mentor.location or SessionMode.EITHER, mentee.location or SessionMode.EITHER}
    if where == {SessionMode.EITHER}:
        return _("both happy to meet remotely or in person")
    if where <= {SessionMode.REMOTE, SessionMode.EITHER}:
        return _("both prefer remote") if where == {SessionMode.REMOTE} else _("both fine with meeting remotely")
    if where <= {SessionMode.IN_PERSON, SessionMode.EITHER}:
        return (_("both like to meet in person") if where == {SessionMode.IN_PERSON}
                else _("both fine with meeting in person"))
    return ""


def _listed(items: Sequence[str]) -> str:
    return formats.listed(items)
