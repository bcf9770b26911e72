"""Fuzzing the two doors input comes in by: arbitrary JSON in import lines, and arbitrary
values in the fields of every constructor. The only exceptions allowed are ChronologyErrors,
a refused import appends nothing, and whatever is accepted is stored and read back."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st

from chronology import Chronicle, ChronologyError, Quantity, Source, Window
from chronology.events import (
    Event,
    Likelihood,
    TradeReported,
    VisitCancelled,
    VisitOccurred,
    event_class,
    registered_tags,
)
from chronology.serialization import event_from_dict, event_from_payload, event_to_dict, payload_of
from chronology.testing import strategies as cst

BUILT_IN: list[type[Event]] = [
    event_class(t) for t in registered_tags() if not t.startswith("test.")
]
CLASSES: list[type] = [*BUILT_IN, Source, Quantity, Window]
AT = "2024-04-03T12:00:00+00:00"
_DIR = Path(tempfile.mkdtemp(prefix="chronology-fuzz-"))


# -- JSON texts, including what json.dumps cannot write -----------------------------------------


@attrs.frozen
class Digits:
    """An integer written with this many digits (too many for ``int`` to ``str``)."""

    count: int


@attrs.frozen
class Pairs:
    """A JSON object as its pairs, so that a key may come twice."""

    pairs: tuple[tuple[str, Any], ...]


@attrs.frozen
class Deep:
    """Arrays nested this deep."""

    levels: int


def dump(value: Any) -> str:
    """The JSON text of ``value`` (surrogates written as escapes, NaN and infinities as
    Python's json writes them)."""
    if isinstance(value, Digits):
        return "9" * value.count
    if isinstance(value, Deep):
        return "[" * value.levels + "]" * value.levels
    if isinstance(value, Pairs):
        return "{" + ",".join(f"{json.dumps(k)}:{dump(v)}" for k, v in value.pairs) + "}"
    if isinstance(value, dict):
        return dump(Pairs(tuple(value.items())))
    if isinstance(value, list):
        return "[" + ",".join(dump(v) for v in value) + "]"
    return json.dumps(value)  # ensure_ascii: a lone surrogate becomes "\udcff"


_surrogates = st.integers(0xD800, 0xDFFF).map(chr)
_strings = st.one_of(
    st.just(""),
    st.text(max_size=6),
    st.lists(st.one_of(_surrogates, st.characters()), min_size=1, max_size=4).map("".join),
    st.sampled_from(["2024-04-03", "2024-04", "probable", "t", "Reuters", "soon"]),
)
_keys = st.one_of(
    st.sampled_from(["name", "value", "unit", "start", "end", "label", "via", ""]), _strings
)
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(4290, 4400).map(Digits),
    st.floats(),  # NaN and the infinities included
    _strings,
    st.integers(60, 1200).map(Deep),
)
json_values = st.recursive(
    _scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.lists(st.tuples(_keys, children), max_size=3).map(lambda p: Pairs(tuple(p))),
    ),
    max_leaves=8,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a decoded event where a value sits."""
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


def _replace(data: Any, path: tuple[Any, ...], junk: Any) -> Any:
    if not path:
        return junk
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {**data, head: _replace(data.get(head), rest, junk)}
    if isinstance(data, list) and isinstance(head, int) and head < len(data):
        return [*data[:head], _replace(data[head], rest, junk), *data[head + 1 :]]
    return junk


@st.composite
def event_lines(draw: st.DrawFn) -> str:
    """A valid event line with one field (top-level, or inside a source, window or quantity)
    replaced by junk; or a junk line."""
    if draw(st.integers(0, 9)) == 0:
        return dump(draw(json_values))
    cls = draw(st.sampled_from(BUILT_IN))
    data = event_to_dict(draw(cst.events_of(cls)))
    places = [(f.name,) for f in attrs.fields(cls)] + _paths(data) + [("type",), ("v",)]
    path = draw(st.sampled_from(places))
    return dump(_replace(data, path, draw(json_values)))


def _head(c: Chronicle) -> tuple[int, str]:
    records = list(c)
    return len(records), records[-1].hash


@given(st.lists(event_lines(), min_size=1, max_size=3))
def test_any_import_line_is_read_or_refused_with_a_chronology_error(lines: list[str]) -> None:
    path = _DIR / "fuzz.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
    c = Chronicle()
    c.append(VisitCancelled(subject="v", known_at=AT))
    before = _head(c)
    try:
        c.import_jsonl(path)
    except ChronologyError:
        assert before == _head(c)
        return
    assert c.verify() == len(c)
    for record in c:
        assert record.event == event_from_payload(payload_of(record.event))


# -- constructors -------------------------------------------------------------------------------

_python_values = st.one_of(
    json_values.map(lambda v: v.pairs if isinstance(v, Pairs) else v),
    st.builds(lambda v: 10**v, st.integers(300, 6000)),
    st.sets(st.text(max_size=3), max_size=3),
    st.frozensets(st.text(max_size=3), max_size=3),
    st.lists(_strings, max_size=3).map(tuple),
    st.binary(max_size=3),
    st.sampled_from([Source("R"), Quantity(1.0, "t"), Window(), Likelihood.CERTAIN, object()]),
    cst.instants(),
    st.dates(),
    st.datetimes(),  # naive
)

GOOD: dict[str, Any] = {
    "subject": "visit/a",
    "known_at": AT,
    "window": "2024-05",
    "target": "0" * 32,
    "quantity": Quantity(1.0, "Mt"),
    "name": "Reuters",
    "value": 1.0,
    "unit": "Mt",
}


@given(st.data())
def test_any_value_in_any_field_is_accepted_and_stored_or_refused_with_a_chronology_error(
    data: st.DataObject,
) -> None:
    cls = data.draw(st.sampled_from(CLASSES))
    fields = attrs.fields(cls)
    kwargs = {f.alias: GOOD[f.alias] for f in fields if f.default is attrs.NOTHING}
    for f in data.draw(st.lists(st.sampled_from(fields), min_size=1, max_size=3)):
        kwargs[f.alias] = data.draw(_python_values)
    try:
        made = cls(**kwargs)
    except ChronologyError:
        return
    if isinstance(made, Source):
        made = VisitCancelled(subject="v", known_at=AT, source=made)
    elif isinstance(made, Quantity):
        made = TradeReported(subject="t", known_at=AT, quantity=made)
    elif isinstance(made, Window):
        made = VisitOccurred(subject="v", known_at=AT, window=made)
    payload = payload_of(made)
    assert made == event_from_payload(payload)
    assert made == event_from_dict(json.loads(payload))
    if made.tag != "retracted":  # (its target would have to be stored first)
        assert made == Chronicle().append(made).event
