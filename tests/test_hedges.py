"""The likelihood scale: levels, default probabilities, and reading them from wording."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chronology import Likelihood
from chronology.errors import UnknownCueError
from chronology.events import Likelihood as EventsLikelihood
from chronology.events import StatementMade, VisitAnnounced
from chronology.hedges import CUES
from chronology.serialization import event_from_dict, event_to_dict

POSITIVE = (Likelihood.CERTAIN, Likelihood.PROBABLE, Likelihood.POSSIBLE)


def test_levels_keep_their_wire_values() -> None:
    expected = ["certain", "probable", "possible", "uncertain", "unlikely", "ruled_out"]
    assert expected == [level.value for level in Likelihood]
    assert EventsLikelihood is Likelihood


def test_default_probabilities() -> None:
    expected = {
        "certain": 0.95,
        "probable": 0.75,
        "possible": 0.5,
        "uncertain": 0.5,
        "unlikely": 0.25,
        "ruled_out": 0.05,
    }
    assert expected == {level.value: level.probability for level in Likelihood}


def test_new_levels_round_trip_through_the_wire_form() -> None:
    event = StatementMade(subject="s", known_at="2024-04-03T12:00:00Z", likelihood="ruled_out")
    data = event_to_dict(event)
    assert "ruled_out" == data["likelihood"]
    read = event_from_dict(data)
    assert isinstance(read, StatementMade)
    assert Likelihood.RULED_OUT is read.likelihood
    visit = VisitAnnounced(subject="v", known_at="2024-04-03T12:00:00Z", likelihood="unlikely")
    read_visit = event_from_dict(event_to_dict(visit))
    assert isinstance(read_visit, VisitAnnounced)
    assert Likelihood.UNLIKELY is read_visit.likelihood


# -- the misreadings of issue 20 ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the month is not a hedge
        ("Xi will visit Moscow in May", Likelihood.CERTAIN),
        ("Xi will visit Moscow on 9 May", Likelihood.CERTAIN),
        ("Xi will visit Moscow May 9-10", Likelihood.CERTAIN),
        ("the visit is set for mid-May", Likelihood.PROBABLE),
        ("Xi may visit Moscow in May", Likelihood.POSSIBLE),
        ("Xi May Visit Moscow", Likelihood.POSSIBLE),  # a headline's modal
        # negation
        ("Putin is not expected to attend", Likelihood.UNLIKELY),
        ("not expected to", Likelihood.UNLIKELY),
        ("the trip will not happen", Likelihood.RULED_OUT),
        ("he won't go", Likelihood.RULED_OUT),
        ("he won\u2019t go", Likelihood.RULED_OUT),
        ("officials do not expect a deal", Likelihood.UNLIKELY),
        ("the trip probably will not happen", Likelihood.UNLIKELY),
        ("the dates are not confirmed", Likelihood.UNCERTAIN),
        ("the visit is not yet scheduled", Likelihood.UNCERTAIN),
        ("a visit is not possible", Likelihood.RULED_OUT),
        ("talks may not happen", Likelihood.UNCERTAIN),
        # cues that were refused
        ("maybe", Likelihood.POSSIBLE),
        ("officials expect the talks to go ahead", Likelihood.PROBABLE),
        # the new levels' own cues
        ("a deal is unlikely", Likelihood.UNLIKELY),
        ("probably not before June", Likelihood.UNLIKELY),
        ("a summit looks doubtful", Likelihood.UNLIKELY),
        ("Moscow ruled out a visit", Likelihood.RULED_OUT),
        ("Beijing has no plans to host him", Likelihood.RULED_OUT),
        ("there are no plans to meet", Likelihood.RULED_OUT),
    ],
)
def test_from_cue_reads_negation_and_the_month(text: str, expected: Likelihood) -> None:
    assert expected is Likelihood.from_cue(text)


def test_the_month_alone_is_no_cue() -> None:
    with pytest.raises(UnknownCueError, match=r"no hedge cue found in 'talks in May'"):
        Likelihood.from_cue("talks in May")


def test_from_cue_refuses_what_is_not_text() -> None:
    with pytest.raises(UnknownCueError, match="expected a text to read a hedge from, got None"):
        Likelihood.from_cue(None)  # type: ignore[arg-type]


# -- a cue and its negation -----------------------------------------------------------------------

POSITIVE_CUES = [(level, cue) for level in POSITIVE for cue in CUES[level]]


@given(
    st.sampled_from(POSITIVE_CUES),
    st.sampled_from(["Xi", "The minister", "Officials say Lavrov"]),
    st.sampled_from(["visit Moscow", "attend the summit in May", "sign the deal on 9 May"]),
    st.sampled_from(["{cue} not", "not {cue}", "will not {cue}", "is not expected to {cue}"]),
)
def test_a_cue_and_its_negation_never_read_the_same_positive_level(
    level_cue: tuple[Likelihood, str], subject: str, rest: str, negation: str
) -> None:
    level, cue = level_cue
    sentence = f"{subject} {cue} {rest}"
    negated = f"{subject} {negation.format(cue=cue)} {rest}"
    read, read_negated = Likelihood.from_cue(sentence), Likelihood.from_cue(negated)
    assert level is read
    assert read_negated not in POSITIVE
