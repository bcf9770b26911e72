"""The likelihood scale, and reading it from the wording of a statement.

:class:`Likelihood` has six levels, each with a default probability (:attr:`Likelihood.probability`)
anchored on two published scales of estimative words: Sherman Kent's "Words of Estimative
Probability" (1964) and the US intelligence community's ICD 203. :meth:`Likelihood.from_cue` reads a
level from a hedge phrase, through the cue lexicon :data:`CUES`, with two rules beyond finding
the cues:

* **Negation.** A cue with a negator just before it ("not", "never", "no", "n't", "cannot", up to
  two words back: "not yet scheduled") or "not" just after it ("may not") reads as its negative:
  a certain cue as ``RULED_OUT``, a probable one as ``UNLIKELY``, a possible one as
  ``UNCERTAIN`` (with a few exceptions: "not confirmed" and "not scheduled" are ``UNCERTAIN``,
  "not possible" is ``RULED_OUT``). Negative phrases of their own ("will not", "won't", "not
  expected to", "unlikely", ...) are cues of ``UNLIKELY`` and ``RULED_OUT``.
* **The month.** "may" preceded by a preposition or a number ("in May", "by May", "9 May"),
  followed by a number ("May 9", "May 2024"), or joined by a hyphen ("mid-May", "May-June") is
  the month, not a hedge.

When several cues occur: if any reads negative, the text is ``UNLIKELY`` when a hedge softens it
("probably will not") or an ``UNLIKELY`` cue occurs, else ``RULED_OUT``; otherwise the most hedged
positive level wins ("will likely" is ``PROBABLE``).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from chronology.errors import UnknownCueError

__all__ = ["CUES", "Likelihood"]


class Likelihood(enum.StrEnum):
    """How sure a source sounded: the hedge of a statement.

    ``CERTAIN`` ("will", "scheduled"), ``PROBABLE`` ("expected to", "poised to", "likely"),
    ``POSSIBLE`` ("may", "could"), ``UNCERTAIN`` ("analysts question"), and for negative
    hedges ``UNLIKELY`` ("not expected to", "unlikely") and ``RULED_OUT`` ("will not", "ruled
    out"). The string values are what logs store.
    """

    CERTAIN = "certain"
    PROBABLE = "probable"
    POSSIBLE = "possible"
    UNCERTAIN = "uncertain"
    UNLIKELY = "unlikely"
    RULED_OUT = "ruled_out"

    @property
    def probability(self) -> float:
        """The level's default probability (certain 0.95, probable 0.75, possible 0.5,
        uncertain 0.5, unlikely 0.25, ruled out 0.05), for scoring a statement that gave no
        number; see the concepts page for where these come from.

        Example:
            >>> Likelihood.UNLIKELY.probability
            0.25
        """
        return _PROBABILITIES[self]

    @classmethod
    def from_cue(cls, text: str) -> Likelihood:
        """The likelihood a hedge phrase expresses (see the module for the rules).

        The text is searched for known cues (whole words, any case), negation and the month
        "May" taken into account.

        Raises:
            UnknownCueError: if no cue occurs in the text.

        Example:
            >>> Likelihood.from_cue("Lavrov is expected to visit China soon")
            <Likelihood.PROBABLE: 'probable'>
            >>> Likelihood.from_cue("talks could cover trade")
            <Likelihood.POSSIBLE: 'possible'>
            >>> Likelihood.from_cue("Xi will visit Moscow in May")
            <Likelihood.CERTAIN: 'certain'>
            >>> Likelihood.from_cue("the trip will not happen")
            <Likelihood.RULED_OUT: 'ruled_out'>
            >>> Likelihood.from_cue("he is not expected to attend")
            <Likelihood.UNLIKELY: 'unlikely'>
        """
        if not isinstance(text, str):
            raise UnknownCueError(f"expected a text to read a hedge from, got {text!r}")
        return _read(text)


_PROBABILITIES: Final[dict[Likelihood, float]] = {
    Likelihood.CERTAIN: 0.95,
    Likelihood.PROBABLE: 0.75,
    Likelihood.POSSIBLE: 0.5,
    Likelihood.UNCERTAIN: 0.5,
    Likelihood.UNLIKELY: 0.25,
    Likelihood.RULED_OUT: 0.05,
}

#: The hedge cues of each level, as :meth:`Likelihood.from_cue` reads them (whole words, any
#: case; a space stands for any run of white space).
CUES: Final[Mapping[Likelihood, tuple[str, ...]]] = MappingProxyType(
    {
        Likelihood.CERTAIN: (
            "will",
            "shall",
            "scheduled",
            "confirmed",
            "is set to",
            "are set to",
            "is to",
            "are to",
            "to take place",
        ),
        Likelihood.PROBABLE: (
            "expected to",
            "expected",
            "expect",
            "expects",
            "poised to",
            "likely",
            "set for",
            "on track",
            "plans to",
            "planned",
            "intends to",
            "should",
            "probably",
        ),
        Likelihood.POSSIBLE: (
            "may",
            "might",
            "could",
            "possible",
            "possibly",
            "maybe",
            "considering",
            "mulling",
            "perhaps",
        ),
        Likelihood.UNCERTAIN: (
            "analysts question",
            "question",
            "questioned",
            "doubt",
            "doubts",
            "uncertain",
            "unclear",
            "skeptical",
            "sceptical",
        ),
        Likelihood.UNLIKELY: (
            "unlikely",
            "not expected to",
            "not likely",
            "probably not",
            "doubtful",
        ),
        Likelihood.RULED_OUT: (
            "will not",
            "won't",
            "shall not",
            "ruled out",
            "rules out",
            "no plans to",
            "has no plans",
            "have no plans",
            "not going to",
        ),
    }
)

_NEGATIVE: Final = frozenset({Likelihood.UNLIKELY, Likelihood.RULED_OUT})
#: Positive levels that, beside a negative cue, soften it to UNLIKELY ("probably will not").
_SOFTENERS: Final = frozenset({Likelihood.PROBABLE, Likelihood.POSSIBLE, Likelihood.UNCERTAIN})
#: What a negated positive cue reads as, by level, and the cues that read otherwise.
_NEGATED: Final[dict[Likelihood, Likelihood]] = {
    Likelihood.CERTAIN: Likelihood.RULED_OUT,
    Likelihood.PROBABLE: Likelihood.UNLIKELY,
    Likelihood.POSSIBLE: Likelihood.UNCERTAIN,
    Likelihood.UNCERTAIN: Likelihood.UNCERTAIN,
}
_NEGATED_CUE: Final[dict[str, Likelihood]] = {
    "confirmed": Likelihood.UNCERTAIN,
    "scheduled": Likelihood.UNCERTAIN,
    "possible": Likelihood.RULED_OUT,
}
#: Positive levels from the least to the most hedged.
_HEDGE_ORDER: Final = (
    Likelihood.CERTAIN,
    Likelihood.PROBABLE,
    Likelihood.POSSIBLE,
    Likelihood.UNCERTAIN,
)


def _pattern(cue: str) -> re.Pattern[str]:
    return re.compile(r"\b" + re.escape(cue).replace(r"\ ", r"\s+") + r"\b", re.IGNORECASE)


_CUE_PATTERNS: Final = [(level, cue, _pattern(cue)) for level, cues in CUES.items() for cue in cues]
_NEGATOR_BEFORE: Final = re.compile(
    r"(?:\b(?:not|never|no|cannot)\b|n't\b)(?:\s+\S+){0,2}\s*$", re.IGNORECASE
)
_NOT_AFTER: Final = re.compile(r"\s+(?:not|never)\b", re.IGNORECASE)
_MONTH_BEFORE: Final = re.compile(
    r"(?:\b(?:in|on|of|since|until|till|by|from|to|before|after|during|through|early|mid|late|"
    r"end|next|last|this|\d{1,2}(?:st|nd|rd|th)?)\s+|-)$",
    re.IGNORECASE,
)
_MONTH_AFTER: Final = re.compile(r"(?:\s+\d|-)")


def _is_month(text: str, start: int, end: int) -> bool:
    return bool(_MONTH_BEFORE.search(text, 0, start) or _MONTH_AFTER.match(text, end))


def _read(text: str) -> Likelihood:
    text = text.replace("\u2019", "'")
    negative_spans: list[tuple[int, int]] = []
    readings: list[tuple[Likelihood, bool]] = []  # (level, read through a negation)
    for level, _cue, pattern in _CUE_PATTERNS:
        if level in _NEGATIVE:
            for m in pattern.finditer(text):
                negative_spans.append(m.span())
                readings.append((level, True))
    for level, cue, pattern in _CUE_PATTERNS:
        if level in _NEGATIVE:
            continue
        for m in pattern.finditer(text):
            start, end = m.span()
            if any(s < end and start < e for s, e in negative_spans):
                continue  # part of a negative cue: "will" in "will not"
            if cue == "may" and _is_month(text, start, end):
                continue
            if _NEGATOR_BEFORE.search(text, 0, start) or _NOT_AFTER.match(text, end):
                readings.append((_NEGATED_CUE.get(cue, _NEGATED[level]), True))
            else:
                readings.append((level, False))
    if not readings:
        raise UnknownCueError(
            f"no hedge cue found in {text!r}; known cues: "
            + ", ".join(f"{c!r}" for cues in CUES.values() for c in cues)
        )
    levels = {level for level, _ in readings}
    if levels & _NEGATIVE:
        softened = any(level in _SOFTENERS and not negated for level, negated in readings)
        if softened or Likelihood.UNLIKELY in levels:
            return Likelihood.UNLIKELY
        return Likelihood.RULED_OUT
    return max(levels, key=_HEDGE_ORDER.index)
