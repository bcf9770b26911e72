"""``render.printable``: the characters it escapes, and its fast path for text with none."""

from __future__ import annotations

from chronology.render import printable

ESCAPED = [
    *range(0x00, 0x20),
    0x7F,
    *range(0x80, 0xA0),
    0x061C,
    0x200E,
    0x200F,
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
    0x2028,
    0x2029,
]


def test_control_bidi_and_separator_characters_are_escaped_even_among_plain_text() -> None:
    for code in ESCAPED:
        text = f"Lavrov {chr(code)} Wang"
        shown = printable(text)
        assert chr(code) not in shown, hex(code)
        assert shown.startswith("Lavrov ")
        assert shown.endswith(" Wang")


def test_text_without_such_characters_is_returned_as_it_is() -> None:
    for text in ("", "visit/lavrov-china-2024-04", "Пекин 北京 café", "1.7M bbl/d ~ 2024-04"):
        assert text == printable(text)
