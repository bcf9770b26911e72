"""Expectation kinds and fold handlers in the public registry: a user's family is folded by the
built-in projection and listed by views exactly as the built-in families are."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import attrs
import pytest
from click.testing import CliRunner

from chronology import Chronicle, KindError, Likelihood, Source, Status, Window
from chronology import registry as reg
from chronology.cli import cli
from chronology.events import Event, StatementMade, VisitAnnounced, event_type
from chronology.fold import ExpectationFold
from chronology.lifecycle import announcement, occurred


def _window(value: Window | str | None) -> Window | None:
    return Window.parse(value) if isinstance(value, str) else value


def _likelihood(value: Likelihood | str | None) -> Likelihood | None:
    return None if value is None else Likelihood(value)


class HarvestEvent(Event):
    """Base of the test family: harvests expected and brought in."""


@event_type("test.harvest.expected")
@attrs.frozen(kw_only=True)
class HarvestExpected(HarvestEvent):
    crop: str | None = None
    window: Window | None = attrs.field(default=None, converter=_window)
    likelihood: Likelihood | None = attrs.field(default=None, converter=_likelihood)
    probability: float | None = None


@event_type("test.harvest.done")
@attrs.frozen(kw_only=True)
class HarvestDone(HarvestEvent):
    tonnes: float | None = None


@event_type("test.harvest.note")
@attrs.frozen(kw_only=True)
class HarvestNote(Event):
    """No kind's base covers it: it only updates an expectation that exists."""

    note: str


@attrs.frozen(kw_only=True)
class HarvestExpectation:
    subject: str
    status: Status
    crop: str | None = None
    tonnes: float | None = None
    note: str | None = None
    window: Any = None
    first_window: Any = None
    likelihood: Any = None
    probability: float | None = None
    sources: tuple[Source, ...] = ()
    first_known_at: datetime
    updated_at: datetime
    event_ids: tuple[str, ...] = ()
    partial: bool = False

    kind: ClassVar[str] = "test.harvest"


def _done(fields: dict[str, Any], event: HarvestDone) -> None:
    fields["status"] = Status.OCCURRED
    if event.tonnes is not None:
        fields["tonnes"] = event.tonnes


def _note(fields: dict[str, Any], event: HarvestNote) -> None:
    fields["note"] = event.note


reg.register_kind(
    "test.harvest",
    events=HarvestEvent,
    value=HarvestExpectation,
    past_due={Status.ANNOUNCED: (Status.OVERDUE, "window")},
)
reg.register_fold_handler(HarvestExpected, announcement(scalars=("crop",)))
reg.fold_handler(HarvestDone)(_done)
reg.register_fold_handler(HarvestNote, _note)


def test_a_users_kind_is_folded_and_listed_like_a_built_in_one() -> None:
    c = Chronicle()
    c.extend(
        [
            HarvestExpected(
                subject="harvest/wheat",
                known_at="2024-06-01T00:00:00Z",
                crop="wheat",
                window="2024-07",
                source=Source("Ministry"),
            ),
            VisitAnnounced(subject="visit/x", known_at="2024-06-01T00:00:00Z"),
            HarvestDone(subject="harvest/wheat", known_at="2024-07-20T00:00:00Z", tonnes=12.5),
        ]
    )
    before, during, after = c.as_of("2024-06-02"), c.as_of("2024-08-02"), c.as_of("2024-08-03")
    (expected,) = before.of_kind("test.harvest")
    assert isinstance(expected, HarvestExpectation)
    assert (Status.ANNOUNCED, "wheat", False) == (expected.status, expected.crop, expected.partial)
    assert ["visit/x"] == [e.subject for e in before.visits()]
    done: Any = during["harvest/wheat"]
    assert (Status.OCCURRED, 12.5) == (done.status, done.tonnes)
    assert ("Ministry",) == tuple(s.name for s in after["harvest/wheat"].sources)
    assert [Status.ANNOUNCED, Status.OCCURRED] == [
        ch.after.status for ch in c.history("harvest/wheat") if ch.after is not None
    ]


def test_a_users_kind_derives_its_past_due_status() -> None:
    c = Chronicle()
    c.append(
        HarvestExpected(subject="harvest/rye", known_at="2024-06-01T00:00:00Z", window="2024-07")
    )
    assert Status.ANNOUNCED == c.as_of("2024-07-31")["harvest/rye"].status
    assert Status.OVERDUE == c.as_of("2024-08-01")["harvest/rye"].status


def test_an_event_of_no_kind_only_updates_an_expectation_that_exists() -> None:
    fold = ExpectationFold()
    assert not fold.apply(HarvestNote(subject="harvest/oat", known_at="2024-06-01", note="n"), "1")
    assert fold.apply(HarvestExpected(subject="harvest/oat", known_at="2024-06-02"), "2")
    assert fold.apply(HarvestNote(subject="harvest/oat", known_at="2024-06-03", note="dry"), "3")
    value: Any = fold.freeze_one("harvest/oat", None)
    assert ("dry", ("2", "3")) == (value.note, value.event_ids)


def test_the_first_kind_fixes_the_subject_and_other_kinds_are_left_out() -> None:
    fold = ExpectationFold()
    assert fold.apply(HarvestExpected(subject="s/1", known_at="2024-06-01"), "1")
    assert not fold.apply(VisitAnnounced(subject="s/1", known_at="2024-06-02"), "2")
    value = fold.freeze_one("s/1", None)
    assert value is not None
    assert ("test.harvest", ("1",)) == (value.kind, value.event_ids)


def test_a_statement_updates_the_hedge_of_a_users_kind() -> None:
    c = Chronicle()
    c.append(HarvestExpected(subject="harvest/corn", known_at="2024-06-01T00:00:00Z"))
    c.append(
        StatementMade(
            subject="harvest/corn", known_at="2024-06-02T00:00:00Z", likelihood="unlikely"
        )
    )
    assert "unlikely" == c.as_of("2024-06-03")["harvest/corn"].likelihood


def test_of_kind_refuses_an_unknown_kind_naming_the_known_ones() -> None:
    view = Chronicle().as_of("2024-06-01")
    with pytest.raises(KindError, match=r"no expectation kind 'nope'; known: visit, trade"):
        view.of_kind("nope")


def test_kinds_within_a_kind_include_its_specialisations() -> None:
    assert ("visit", "plan") == reg.kinds_within("plan")
    assert ("trade", "figure") == reg.kinds_within("figure")
    assert ("test.harvest",) == reg.kinds_within("test.harvest")


def test_the_built_in_kinds_are_registered_through_the_registry() -> None:
    names = [k.name for k in reg.expectation_kinds()]
    assert ["visit", "trade", "plan", "figure"] == names[:4]
    assert "VisitExpectation" == reg.expectation_kind("visit").value.__name__


def test_the_rule_of_an_event_class_is_resolved_once_and_a_registration_renews_it() -> None:
    @attrs.frozen(kw_only=True)
    class LateHarvest(HarvestDone):
        pass

    rules = reg.fold_rules()
    assert reg.handler_of(HarvestDone) is rules[LateHarvest][0]
    assert LateHarvest in rules
    reg.register_fold_handler(LateHarvest, _note)
    assert LateHarvest not in rules
    assert _note is rules[LateHarvest][0]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "Bad Name"}, "use dotted lowercase words"),
        ({"value": dict}, "value must be an attrs class"),
        ({"name": "test.other"}, "HarvestExpectation.kind must be 'test.other'"),
        ({"events": VisitAnnounced}, "is already registered"),
    ],
)
def test_a_bad_kind_is_refused_saying_what_is_wrong(change: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {"name": "test.harvest", "events": HarvestEvent}
    arguments["value"] = HarvestExpectation
    arguments.update(change)
    with pytest.raises(KindError, match=message):
        reg.register_kind(arguments.pop("name"), **arguments)


def test_a_value_class_lacking_a_common_field_is_refused_naming_it() -> None:
    @attrs.frozen(kw_only=True)
    class Thin:
        subject: str
        status: str

        kind: ClassVar[str] = "test.thin"

    with pytest.raises(KindError, match=r"lacks the field\(s\) event_ids, first_known_at"):
        reg.register_kind("test.thin", events=HarvestNote, value=Thin)


def test_an_event_base_builds_one_kind_only() -> None:
    @attrs.frozen(kw_only=True)
    class Again(HarvestExpectation):
        kind: ClassVar[str] = "test.again"

    with pytest.raises(KindError, match=r"already builds the kind 'test\.harvest'"):
        reg.register_kind("test.again", events=HarvestEvent, value=Again)


def test_registering_the_same_kind_again_changes_nothing() -> None:
    kind = reg.expectation_kind("test.harvest")
    again = reg.register_kind("test.harvest", events=HarvestEvent, value=HarvestExpectation)
    assert kind is again


def test_a_rule_naming_no_field_is_refused() -> None:
    with pytest.raises(KindError, match="'a-b' is not a field name"):
        announcement(scalars=("a-b",))


@attrs.frozen
class _Occurrence:
    place: str | None = None
    counterparts: tuple[str, ...] = ()
    window: Any = None


def test_compiled_rules_keep_an_occurrence_against_a_later_announcement() -> None:
    fields: dict[str, Any] = {"status": Status.UNKNOWN}
    occurred(fields, _Occurrence(place="farm", window="w"))
    later = HarvestExpected(subject="h", known_at="2024-07-02", crop="oat", window="2024-08")
    assert later.window is not None
    announcement(scalars=("crop",))(fields, later)
    expected = {"status": Status.OCCURRED, "place": "farm", "window": "w", "first_window": "w"}
    assert {**expected, "partial": False, "crop": "oat"} == fields


def test_the_command_lists_a_kind_and_refuses_an_unknown_one(tmp_path: Any) -> None:
    db = tmp_path / "h.db"
    c = Chronicle.open(db)
    c.append(HarvestExpected(subject="harvest/barley", known_at="2024-06-01T00:00:00Z"))
    c.append(VisitAnnounced(subject="visit/y", known_at="2024-06-01T00:00:00Z"))
    c.close()
    runner = CliRunner()
    args = ["as-of", "2024-06-02", "--db", str(db), "--format", "json"]
    result = runner.invoke(cli, [*args, "--kind", "test.harvest"])
    assert 0 == result.exit_code, result.output
    assert '"subject": "harvest/barley"' in result.output
    assert "visit/y" not in result.output
    refused = runner.invoke(cli, [*args, "--kind", "nope"])
    assert 2 == refused.exit_code
    assert "no expectation kind 'nope'; known: visit, trade, plan, figure" in refused.output
