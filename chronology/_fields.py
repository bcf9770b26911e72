"""Field converters every event family shares: windows and hedges given as text or values.

Every event family builds its events from these (:mod:`chronology.events`,
:mod:`chronology.plans`, :mod:`chronology.figures`), so a plan's window and a figure's period
are read exactly as a visit's window and a trade's period are, by one definition: an EDTF
string is parsed with :meth:`Window.parse <chronology.time.Window.parse>`, a likelihood by
its level's name. A bad value raises an :class:`~chronology.errors.EventError` (or a
:class:`~chronology.errors.WindowError`) naming ``Class.field``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from chronology._checks import converter, got, where
from chronology._fastinit import passes
from chronology.errors import EventError, WindowError
from chronology.hedges import Likelihood
from chronology.time import Window

__all__ = ["likelihood_field", "required_window_field", "window_field"]


def _window(value: Window | str | None, instance: Any, field: Any) -> Window | None:
    if value is None or isinstance(value, Window):
        return value
    if isinstance(value, str):
        try:
            return Window.parse(value)
        except WindowError as exc:
            raise WindowError(f"{where(instance, field)}: {exc}") from None
    raise EventError(
        f"{where(instance, field)}: expected a Window, an EDTF string or None, got {got(value)}"
    )


def _required_window(value: Window | str, instance: Any, field: Any) -> Window:
    if value is None:
        raise EventError(f"{where(instance, field)}: required (a Window or an EDTF string)")
    window = _window(value, instance, field)
    assert window is not None
    return window


#: The levels by their names.
_LEVELS: Final[dict[str, Likelihood]] = {level.value: level for level in Likelihood}


def _likelihood(value: Likelihood | str | None, instance: Any, field: Any) -> Likelihood | None:
    if value is None or isinstance(value, Likelihood):
        return value
    level = _LEVELS.get(value) if value.__class__ is str else None
    if level is not None:  # a level's name: calling the enum class takes ten times as long
        return level
    try:
        return Likelihood(value)
    except (ValueError, TypeError):
        levels = ", ".join(m.value for m in Likelihood)
        raise EventError(
            f"{where(instance, field)}: expected one of {levels} or None, got {got(value)}"
        ) from None


passes(_window, "v is None or v.__class__ is _Window", _Window=Window)
passes(_required_window, "v.__class__ is _Window", _Window=Window)
passes(_likelihood, "v is None or v.__class__ is _Likelihood", _Likelihood=Likelihood)

if TYPE_CHECKING:  # what attrs' mypy plugin understands: the types __init__ takes

    def window_field(value: Window | str | None) -> Window | None: ...
    def required_window_field(value: Window | str) -> Window: ...
    def likelihood_field(value: Likelihood | str | None) -> Likelihood | None: ...

else:
    window_field = converter(_window)
    required_window_field = converter(_required_window)
    likelihood_field = converter(_likelihood)
