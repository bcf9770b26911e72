"""The generated ``__init__`` of events, ``Source``, ``Quantity`` and ``Window`` behaves as the
one attrs generated: same values, same refusals with the same messages, same signature."""

from __future__ import annotations

import inspect
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chronology import Quantity, Source, Window
from chronology._fastinit import _ORIGINAL, speed_up_init
from chronology.errors import EventError
from chronology.events import Event, Likelihood, event_class, registered_tags
from chronology.testing import strategies as cst

BUILT_IN = [event_class(t) for t in registered_tags() if not t.startswith("test.")]
CLASSES: list[type] = [*BUILT_IN, Source, Quantity, Window]

# Values of every kind the fields meet, good and bad.
POOL: list[Any] = [
    None,
    "",
    "   ",
    "text",
    "2024-04-03",
    "2024-04-03T10:00:00+03:00",
    "2024-04-03T10:00:00",
    "2024-04/2024-05",
    "soon",
    "likely",
    "nonsense-cue",
    0,
    1,
    -1.5,
    0.5,
    2.0,
    float("nan"),
    float("inf"),
    10**400,
    True,
    False,
    datetime(2024, 4, 3, 12, tzinfo=UTC),
    datetime(2024, 4, 3, 12, tzinfo=timezone(timedelta(hours=5))),
    datetime(2024, 4, 3, 12),
    date(2024, 4, 3),
    (),
    ("a", "b"),
    ("a", 1),
    ["x"],
    "single",
    Source("Reuters"),
    (Source("Kpler"), "TASS"),
    Window(datetime(2024, 5, 1, tzinfo=UTC), datetime(2024, 5, 2, tzinfo=UTC)),
    Quantity(1.5, "Mt"),
    Likelihood.PROBABLE,
    object(),
]


def _outcome(init: Any, cls: type[Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    instance = object.__new__(cls)
    try:
        init(instance, *args, **kwargs)
    except Exception as exc:
        return ("raised", type(exc), str(exc))
    return ("made", tuple(getattr(instance, f.name) for f in attrs.fields(cls)))


def _same(cls: type[Any], *args: Any, **kwargs: Any) -> None:
    expected = _outcome(_ORIGINAL[cls], cls, args, kwargs)
    actual = _outcome(vars(cls)["__init__"], cls, args, kwargs)
    if expected[0] == "made" and actual[0] == "made":
        # NaN is not equal to itself: compare the text of the values.
        assert repr(expected) == repr(actual)
    else:
        assert expected == actual


def test_every_built_in_class_has_the_generated_init_with_the_same_signature() -> None:
    for cls in CLASSES:
        assert cls in _ORIGINAL, cls
        init = vars(cls)["__init__"]
        assert "<chronology init" in init.__code__.co_filename
        assert inspect.signature(_ORIGINAL[cls]) == inspect.signature(init)


@given(st.data())
def test_well_formed_events_come_out_the_same(data: st.DataObject) -> None:
    cls = data.draw(st.sampled_from(BUILT_IN))
    event = data.draw(cst.events_of(cls))
    kwargs = {f.alias: getattr(event, f.name) for f in attrs.fields(cls)}
    _same(cls, **kwargs)
    assert event == cls(**kwargs)


@given(st.data())
def test_any_value_in_any_field_gives_the_same_value_or_the_same_error(
    data: st.DataObject,
) -> None:
    cls = data.draw(st.sampled_from(CLASSES))
    fields = attrs.fields(cls)
    kwargs: dict[str, Any] = {}
    for f in fields:
        if data.draw(st.booleans()) or f.default is attrs.NOTHING:
            kwargs[f.alias] = data.draw(st.sampled_from(POOL))
    positional = [f.alias for f in fields if not f.kw_only and f.alias in kwargs]
    args = tuple(kwargs.pop(name) for name in positional[:1])
    _same(cls, *args, **kwargs)


# A well-formed value for every required field, to vary one field at a time.
GOOD: dict[str, Any] = {
    "subject": "visit/a",
    "known_at": datetime(2024, 4, 3, tzinfo=UTC),
    "window": Window(datetime(2024, 5, 1, tzinfo=UTC), datetime(2024, 5, 2, tzinfo=UTC)),
    "target": "0" * 32,
    "quantity": Quantity(1.0, "Mt"),
    "name": "Reuters",
    "value": 1.0,
    "unit": "Mt",
}


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_each_value_in_each_field_gives_the_same_value_or_the_same_error(cls: type) -> None:
    fields = attrs.fields(cls)
    required = {f.alias: GOOD[f.alias] for f in fields if f.default is attrs.NOTHING}
    for f in fields:
        for value in POOL:
            _same(cls, **{**required, f.alias: value})


def test_missing_and_unknown_arguments_are_refused_alike() -> None:
    _same(Source)
    _same(Source, "a", "b")
    _same(Event, subject="s")
    _same(Event, subject="s", known_at="2024-01-01", nope=1)
    _same(Window, 1, 2, 3, 4, 5, 6)


def test_disabled_validators_are_honoured() -> None:
    with attrs.validators.disabled():
        source = Source(5)  # type: ignore[arg-type]
    name: object = source.name
    assert 5 == name


def test_a_class_with_a_post_init_or_a_factory_keeps_the_attrs_init() -> None:
    @attrs.frozen
    class Later:
        x: int

        def __attrs_post_init__(self) -> None:
            pass

    @attrs.frozen
    class Made:
        items: list[int] = attrs.Factory(list)

    for cls in (Later, Made):
        init = cls.__init__
        assert cls is speed_up_init(cls)
        assert init is cls.__init__
        assert cls not in _ORIGINAL


@pytest.mark.parametrize("cls", [Source, Window])
def test_positional_arguments_work(cls: type) -> None:
    if cls is Source:
        _same(cls, "Reuters", kind="news")
    else:
        _same(cls, "2024-04-01", "2024-04-03", "early April", True)


def test_a_source_given_by_name_alone_is_shared() -> None:
    assert Source("Reuters") is Source("Reuters")
    assert Source("Reuters") is not Source("Reuters", kind="news")
    assert Source("Reuters") == Source("Reuters", kind=None)
    assert Source("Reuters") is not Source("TASS")

    class Outlet(Source):
        pass

    assert Outlet("Reuters") is not Outlet("Reuters")
    assert Outlet is type(Outlet("Reuters"))


def test_a_refused_source_name_is_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    from chronology import values

    with pytest.raises(EventError, match=r"Source\.name: expected a non-empty string"):
        Source("   ")
    assert "   " not in values.SHARED_SOURCES
    with attrs.validators.disabled():
        assert "" == Source("").name  # as before: validation is off
    assert "" not in values.SHARED_SOURCES  # and it is not handed out later
    with pytest.raises(EventError, match=r"Source\.name: expected a non-empty string"):
        Source("")


def test_shared_sources_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from chronology import values

    monkeypatch.setattr(values, "SHARED_SOURCES_MAX", 3)
    made = [Source(f"outlet {i}") for i in range(10)]
    assert len(values.SHARED_SOURCES) <= 3
    assert [f"outlet {i}" for i in range(10)] == [s.name for s in made]
