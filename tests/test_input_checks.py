"""Hardening of input (issue 14): every bad value is refused with a ChronologyError naming the
class and field (or the line and field of a file), when the object is built; nothing that can
not be stored and read back is ever accepted; ids do not depend on the process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import attrs
import pytest

from chronology import (
    Chronicle,
    ChronologyError,
    EventError,
    ImportLineError,
    Quantity,
    Source,
    Window,
    WindowError,
)
from chronology.events import (
    MAX_VIA_DEPTH,
    Event,
    Likelihood,
    Retracted,
    TradeProjected,
    TradeReported,
    VisitAnnounced,
    VisitCancelled,
    event_class,
    event_type,
    registered_tags,
)
from chronology.serialization import event_from_dict, event_from_payload, payload_of

AT = "2024-04-03T12:00:00+00:00"
BUILT_IN: list[type[Event]] = [
    event_class(t) for t in registered_tags() if not t.startswith("test.")
]
CLASSES: list[type] = [*BUILT_IN, Source, Quantity, Window]

#: A good value for every required field, so that one field at a time can be made bad.
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

#: How a refusal names each field: ``Class.field``, except the fields of Quantity and the bounds
#: of Window, whose checks are shared with other callers and name them in words.
WORDS: dict[tuple[type, str], str] = {
    (Quantity, f): f"quantity {f}" for f in ("value", "low", "high", "approximate")
}
WORDS.update({(Window, "start"): "window start", (Window, "end"): "window end"})

SURROGATE = "Lavrov \udcff"


def wrong(value: object) -> Any:
    """``value``, typed as anything: it is ill-typed on purpose."""
    return value


def build(cls: type, field: str, value: Any) -> Any:
    """``cls`` with good required fields and ``field`` set to ``value``."""
    required = {f.alias: GOOD[f.alias] for f in attrs.fields(cls) if f.default is attrs.NOTHING}
    return cls(**{**required, field: value})


def label(cls: type, field: str) -> str:
    return WORDS.get((cls, field), f"{cls.__name__}.{field}")


def fields() -> Iterator[tuple[type, str]]:
    for cls in CLASSES:
        for f in attrs.fields(cls):
            yield cls, f.alias


def round_trip(event: Event) -> None:
    """The event is stored, read back (fast and strict paths) and verified as it was."""
    payload = payload_of(event)
    payload.encode()
    assert event == event_from_payload(payload)
    assert event == event_from_dict(json.loads(payload))
    if isinstance(event, Retracted):
        return  # (its target would have to be stored first)
    c = Chronicle()
    assert event == c.append(event).event
    assert [event] == [r.event for r in c]
    assert 1 == c.verify()


# -- every field, every wrong type --------------------------------------------------------------

#: Values of every kind, most of them wrong for most fields.
JUNK: list[Any] = [
    None,
    5,
    -1.5,
    True,
    float("nan"),
    float("inf"),
    10**5000,
    "",
    "x",
    SURROGATE,
    b"bytes",
    [1],
    ["x", SURROGATE],
    ("x", 2),
    {"x", "y"},
    frozenset({"x"}),
    {"a": 1},
    object(),
    Source("R"),
    Quantity(1.0, "t"),
    Window(),
    Likelihood.CERTAIN,
    datetime(2024, 4, 3, 12),
    date(2024, 4, 3),
    [[[[[[[[[[[]]]]]]]]]]],
]


@pytest.mark.parametrize(("cls", "field"), list(fields()), ids=lambda x: getattr(x, "__name__", x))
def test_every_field_refuses_a_wrong_value_naming_class_and_field(cls: type, field: str) -> None:
    refusals = []
    for value in JUNK:
        try:
            made = build(cls, field, value)
        except ChronologyError as exc:
            refusals.append(str(exc))
            continue
        # Accepted: then it must be stored and read back as it was.
        event = made if isinstance(made, Event) else _holding(made)
        round_trip(event)
    named = (label(cls, field) + ": ", label(cls, field) + "[")
    assert [] == [m for m in refusals if not m.startswith(named)]
    assert refusals  # every field refuses something


def _holding(value: Source | Quantity | Window) -> Event:
    """An event holding a source, quantity or window, to store it."""
    if isinstance(value, Source):
        return VisitCancelled(subject="v", known_at=AT, source=value)
    if isinstance(value, Quantity):
        return TradeReported(subject="t", known_at=AT, quantity=value)
    return VisitAnnounced(subject="v", known_at=AT, window=value)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: VisitCancelled(subject="v", known_at=AT, source=wrong("Reuters")),
            "VisitCancelled.source: expected a Source or None, got 'Reuters' (str)",
        ),
        (
            lambda: TradeReported(subject="t", known_at=AT, quantity=wrong(1_700_000)),
            "TradeReported.quantity: expected a Quantity, got 1700000 (int)",
        ),
        (
            lambda: TradeProjected(subject="t", known_at=AT, quantity=wrong((1.7, "Mbbl/d"))),
            "TradeProjected.quantity: expected a Quantity or None, got (1.7, 'Mbbl/d') (tuple)",
        ),
        (lambda: Source("R", kind=wrong(5)), "Source.kind: expected a string or None, got 5 (int)"),
        (
            lambda: Source("R", url=wrong(b"x")),
            "Source.url: expected a string or None, got b'x' (bytes)",
        ),
        (lambda: Window(label=wrong(5)), "Window.label: expected a string or None, got 5 (int)"),
        (
            lambda: Window(uncertain=wrong(1)),
            "Window.uncertain: expected true or false, got 1 (int)",
        ),
        (
            lambda: VisitAnnounced(subject="v", known_at=AT, likelihood=wrong(["probable"])),
            "VisitAnnounced.likelihood: expected one of certain, probable, possible, uncertain, "
            "unlikely, ruled_out or None, got ['probable'] (list)",
        ),
        (
            lambda: VisitAnnounced(subject="v", known_at=AT, agenda=wrong(5)),
            "VisitAnnounced.agenda: expected a sequence of strings, got 5 (int)",
        ),
        (
            lambda: TradeProjected(subject="t", known_at=AT, claims=wrong([1])),
            "TradeProjected.claims[0]: expected a string, got 1 (int)",
        ),
        (
            lambda: VisitAnnounced(subject="v", known_at=AT, probability=False),
            "VisitAnnounced.probability: expected a probability in [0, 1], got False (bool)",
        ),
        (
            lambda: VisitAnnounced(subject="v", known_at=AT, probability=float("nan")),
            "VisitAnnounced.probability: expected a probability in [0, 1], got nan (float)",
        ),
        (
            lambda: Quantity(float("inf"), "t"),
            "quantity value: expected a finite number, got inf (float)",
        ),
        (
            lambda: Quantity(10**5000, "t"),
            "quantity value: expected a finite number, got <an integer of 16610 bits> (int)",
        ),
        (
            lambda: Source("R", via=wrong(5)),
            "Source.via: expected a sequence of sources or names, got 5 (int)",
        ),
        (
            lambda: Source("R", via=wrong([Source("K"), 5])),
            "Source.via[1]: expected a Source or a name, got 5 (int)",
        ),
        (
            lambda: VisitAnnounced(subject="v", known_at=AT, window=wrong(5)),
            "VisitAnnounced.window: expected a Window, an EDTF string or None, got 5 (int)",
        ),
    ],
)
def test_wrong_types_are_refused_when_built(make: Any, message: str) -> None:
    with pytest.raises(ChronologyError) as info:
        make()
    assert message == str(info.value)


def test_a_window_refusal_is_a_window_error() -> None:
    with pytest.raises(WindowError):
        Window(approximate="yes")  # type: ignore[arg-type]


# -- lone surrogates ----------------------------------------------------------------------------


def _text_fields() -> Iterator[tuple[type, str, Any]]:
    """Each field that holds text, with a value for it holding a lone surrogate."""
    for cls in CLASSES:
        for f in attrs.fields(attrs.resolve_types(cls)):
            if f.type in (str, str | None):
                yield cls, f.alias, SURROGATE
            elif f.type == tuple[str, ...]:
                yield cls, f.alias, ("fine", SURROGATE)


@pytest.mark.parametrize(
    ("cls", "field", "value"), list(_text_fields()), ids=lambda x: getattr(x, "__name__", None)
)
def test_a_lone_surrogate_is_refused_when_built(cls: type, field: str, value: Any) -> None:
    with pytest.raises(ChronologyError) as info:
        build(cls, field, value)
    where = label(cls, field) + ("[1]" if isinstance(value, tuple) else "")
    expected = (
        f"{where}: 'Lavrov \\udcff' holds a lone surrogate ('\\udcff' at index 7), "
        "which UTF-8 cannot encode"
    )
    assert expected == str(info.value)


def test_the_text_fields_found_are_all_of_them() -> None:
    found = {(c.__name__, f) for c, f, _ in _text_fields()}
    assert {("VisitAnnounced", "counterparts"), ("Source", "url"), ("Window", "label")} <= found
    assert ("Quantity", "unit") in found
    assert 30 < len(found)


def test_a_paired_surrogate_is_a_character_and_is_kept() -> None:
    e = VisitCancelled(subject="v", known_at=AT, reason="\U0001f600 \u00e9t\u00e9")
    round_trip(e)


@event_type("test.inputs.note")
@attrs.frozen(kw_only=True)
class Note(Event):
    """A custom event whose field has no check of its own."""

    text: Any


def test_a_custom_event_that_cannot_be_written_is_refused_at_append() -> None:
    c = Chronicle()
    c.append(VisitCancelled(subject="v", known_at=AT))
    for text, reason in [
        ("\udcff", "surrogates not allowed"),
        (10**5000, "Exceeds the limit"),
        ({1, 2}, "not JSON serializable"),
    ]:
        with pytest.raises(EventError, match=r"^events\[1\] \(Note\): cannot be written: ") as e:
            c.extend(
                [
                    VisitCancelled(subject="w", known_at=AT),
                    Note(subject="n", known_at=AT, text=text),
                ]
            )
        assert reason in str(e.value)
        assert 1 == len(c)


# -- sets ---------------------------------------------------------------------------------------

SEQUENCE_FIELDS = [
    (cls, f.alias)
    for cls in CLASSES
    for f in attrs.fields(attrs.resolve_types(cls))
    if f.type in (tuple[str, ...], tuple[Source, ...])
]


@pytest.mark.parametrize(("cls", "field"), SEQUENCE_FIELDS, ids=lambda x: getattr(x, "__name__", x))
@pytest.mark.parametrize("kind", [set, frozenset, dict.fromkeys])
def test_a_set_is_refused_in_a_sequence_field(cls: type, field: str, kind: Any) -> None:
    value = kind(["Wang Yi"])
    with pytest.raises(EventError) as info:
        build(cls, field, value)
    items = "sources or names" if field == "via" else "strings"
    expected = (
        f"{cls.__name__}.{field}: expected a sequence of {items} (a list or a tuple), got "
        f"{value!r} ({type(value).__name__}): it has no order of its own, so the event's id "
        "would differ from one process to the next"
    )
    assert expected == str(info.value)


def test_sequence_fields_cover_every_event_type_that_has_one() -> None:
    names = {f"{c.__name__}.{f}" for c, f in SEQUENCE_FIELDS}
    assert {"VisitAnnounced.counterparts", "VisitAnnounced.agenda", "AgendaChanged.added"} <= names
    assert {"TradeProjected.claims", "StatementMade.topics", "Source.via"} <= names


_IDS_SCRIPT = """
from chronology import Source
from chronology.events import VisitAnnounced
from chronology.record import prepare
names = ["Wang Yi", "Mao Ning", "Xi Jinping", "Qin Gang", "Li Qiang"]
common = dict(subject="visit/a", known_at="2024-04-03T00:00:00Z")
ordered = VisitAnnounced(
    counterparts=names, agenda=tuple(names), source=Source("R", via=names), **common
)
print(prepare([ordered]).ids[0])
for field in ("counterparts", "agenda"):
    try:
        event = VisitAnnounced(**{field: set(names)}, **common)
    except Exception as exc:
        print(field, type(exc).__name__)
    else:
        print(field, prepare([event]).ids[0])
"""


def test_event_ids_do_not_depend_on_the_hash_seed() -> None:
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", _IDS_SCRIPT],
            env={**os.environ, "PYTHONHASHSEED": seed},
            stdout=subprocess.PIPE,
            text=True,
        )
        for seed in ("0", "1", "2")
    ]
    outputs = {run.communicate()[0] for run in runs}
    assert [0, 0, 0] == [run.returncode for run in runs]
    assert 1 == len(outputs)
    (output,) = outputs
    assert ["counterparts EventError", "agenda EventError"] == output.splitlines()[1:]


# -- nesting of sources -------------------------------------------------------------------------


def chain(levels: int) -> Source:
    """A source with ``levels`` levels of ``via`` below it."""
    s = Source("Kpler", kind="data")
    for i in range(levels):
        s = Source(f"outlet {i}", via=(s, "TASS"))
    return s


def test_sources_nest_at_most_16_levels_of_via() -> None:
    assert 16 == MAX_VIA_DEPTH
    deepest = chain(16)
    with pytest.raises(EventError) as info:
        Source("one more", via=[Source("wide"), deepest])
    expected = (
        "Source.via: sources nested more than 16 levels deep (a via of a via ...); "
        "at most that many are kept"
    )
    assert expected == str(info.value)


@pytest.mark.parametrize("store", ["memory", "sqlite"])
def test_the_deepest_source_allowed_is_stored_read_back_and_verified(
    tmp_path: Path, store: str
) -> None:
    event = VisitCancelled(subject="v", known_at=AT, source=chain(MAX_VIA_DEPTH))
    if store == "memory":
        round_trip(event)
        return
    with Chronicle.open(tmp_path / "c.db") as c:
        c.append(event)
    with Chronicle.open(tmp_path / "c.db") as c:
        assert [event] == [r.event for r in c]
        assert 1 == c.verify()


# -- import lines -------------------------------------------------------------------------------

GOOD_LINE = json.dumps({"type": "visit.cancelled", "subject": "v", "known_at": AT})


@pytest.fixture
def imported(tmp_path: Path) -> Any:
    """Import ``text`` as line 2 of a file after a good line, into a chronicle holding one
    record; return the error, checking that nothing was appended."""

    def run(text: str) -> ImportLineError:
        path = tmp_path / "in.jsonl"
        path.write_text(f"{GOOD_LINE}\n{text}\n", encoding="utf-8")
        c = Chronicle()
        c.append(VisitCancelled(subject="w", known_at=AT))
        head = list(c)[-1].hash
        with pytest.raises(ImportLineError) as info:
            c.import_jsonl(path)
        assert 1 == len(c)
        assert head == list(c)[-1].hash
        assert 2 == info.value.line
        return info.value

    return run


def _line(**fields: str) -> str:
    """An event line with ``fields`` as raw JSON texts."""
    body = {"type": '"visit.announced"', "subject": '"v"', "known_at": f'"{AT}"', **fields}
    return "{" + ", ".join(f'"{k}": {v}' for k, v in body.items()) + "}"


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        (
            {"subject": r'"a\udcff"'},
            r"subject: 'a\udcff' holds a lone surrogate ('\udcff' at index 1), "
            "which UTF-8 cannot encode",
        ),
        (
            {"agenda": r'["SCO", "\ud800x"]'},
            r"agenda[1]: '\ud800x' holds a lone surrogate ('\ud800' at index 0), "
            "which UTF-8 cannot encode",
        ),
        (
            {"source": r'{"name": "R", "via": [{"name": "K", "kind": "\uDFFF"}]}'},
            r"source.via[0].kind: '\udfff' holds a lone surrogate ('\udfff' at index 0), "
            "which UTF-8 cannot encode",
        ),
        (
            {"window": r'{"\udcff": 1}'},
            r"window: the key '\udcff' holds a lone surrogate ('\udcff' at index 0), "
            "which UTF-8 cannot encode",
        ),
        ({"probability": "9" * 5000}, "probability: an integer of 5000 digits is too long to read"),
        (
            {"window": '{"label": -' + "1" * 4301 + "}"},
            "window.label: an integer of 4301 digits is too long to read",
        ),
        (
            {"reason": "[" * 65 + "]" * 65},
            # the path of the 65th level, cut short in the middle
            "reason" + "[0]" * 18 + "...0]" + "[0]" * 5 + ": nested more than 64 levels deep",
        ),
        (
            {"probability": "0.5", "visitor": '"A"', "probability ": "1", "visitor  ": "2"},
            "visit.announced: unknown field(s): probability , visitor   @ event",
        ),
    ],
)
def test_bad_values_in_a_line_are_refused_naming_line_and_field(
    imported: Any, fields: dict[str, str], reason: str
) -> None:
    assert reason == imported(_line(**fields)).reason


def test_a_big_integer_within_the_limit_is_refused_by_its_field(imported: Any) -> None:
    error = imported(_line(probability="9" * 4300))
    assert error.reason.startswith("visit.announced: expected a finite number, got <an integer")


def test_a_paired_surrogate_escape_is_read(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(_line(visitor=r'"\ud83d\ude00 \\udcff"') + "\n", encoding="utf-8")
    (record,) = Chronicle().import_jsonl(path)
    assert isinstance(record.event, VisitAnnounced)
    assert "\U0001f600 \\udcff" == record.event.visitor


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            '{"type": "visit.cancelled", "subject": "v", "subject": "w", "known_at": "2024-04-03"}',
            "duplicate key 'subject' in the event (each key may appear once)",
        ),
        (
            _line(source='{"name": "R", "via": [{"name": "K", "name": "L"}]}'),
            "duplicate key 'name' in source.via[0] (each key may appear once)",
        ),
        (
            _line(window='{"start": "2024-04-08", "end": "2024-04-10", "end": "2024-04-09"}'),
            "duplicate key 'end' in window (each key may appear once)",
        ),
    ],
)
def test_a_duplicate_key_is_refused(imported: Any, text: str, reason: str) -> None:
    assert reason == imported(text).reason


@pytest.mark.parametrize("version", ["true", "false", "1.0", '"1"', "0"])
def test_a_payload_version_must_be_a_positive_integer(imported: Any, version: str) -> None:
    reason = imported(_line(v=version)).reason
    shown = {"true": "True", "false": "False", '"1"': "'1'"}.get(version, version)
    assert f"visit.announced: 'v' must be a positive integer, got {shown}" == reason


def test_sources_nested_too_deep_in_a_line_are_refused_with_its_number(imported: Any) -> None:
    def nested(levels: int) -> str:
        text = '"Kpler"'
        for i in range(levels):
            text = f'{{"name": "outlet {i}", "via": [{text}]}}'
        return text

    reason = imported(_line(source=nested(MAX_VIA_DEPTH + 1))).reason
    assert reason.startswith("visit.announced: Source.via: sources nested more than 16 levels")
    assert reason.endswith("@ event.source")
    deep = imported(_line(source=nested(330))).reason
    assert deep.startswith("source.via[0].via[0]")
    assert deep.endswith(": nested more than 64 levels deep")
