"""Write the small intersphinx inventories the docs build reads offline.

The docs are built where only package registries can be reached, so intersphinx cannot download
the ``objects.inv`` of Python, attrs, cattrs, click, hypothesis or matplotlib. Instead
``docs/conf.py`` points intersphinx at the files this script writes into ``docs/_inventories/``:
each lists only the objects our pages and docstrings refer to, with their address in the
published docs, so the rendered links still go to the right place.

A name referred to but missing here makes the nitpicky build (``-n -W``) fail: add it to the
table below and run, from the repository root::

    python docs/_scripts/make_inventories.py
"""

from __future__ import annotations

import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "_inventories"

# name -> (domain:role, page) or (domain:role, page, anchor). Without an anchor, the anchor on
# the page is the name itself (``module-<name>`` for a module).
Entry = tuple[str, str] | tuple[str, str, str]

PYTHON: dict[str, Entry] = {
    "abc.ABC": ("py:class", "library/abc.html"),
    "collections.abc.Callable": ("py:class", "library/collections.abc.html"),
    "collections.abc.Collection": ("py:class", "library/collections.abc.html"),
    "collections.abc.Iterable": ("py:class", "library/collections.abc.html"),
    "collections.abc.Iterator": ("py:class", "library/collections.abc.html"),
    "collections.abc.Mapping": ("py:class", "library/collections.abc.html"),
    "collections.abc.Sequence": ("py:class", "library/collections.abc.html"),
    "datetime": ("py:module", "library/datetime.html"),
    "datetime.UTC": ("py:data", "library/datetime.html"),
    "datetime.date": ("py:class", "library/datetime.html"),
    "datetime.datetime": ("py:class", "library/datetime.html"),
    "datetime.datetime.isoformat": ("py:method", "library/datetime.html"),
    "datetime.timedelta": ("py:class", "library/datetime.html"),
    "datetime.timezone": ("py:class", "library/datetime.html"),
    "datetime.timezone.utc": ("py:attribute", "library/datetime.html"),
    "datetime.tzinfo": ("py:class", "library/datetime.html"),
    "enum.StrEnum": ("py:class", "library/enum.html"),
    "hashlib.sha256": ("py:function", "library/hashlib.html"),
    "importlib.resources.abc.Traversable": ("py:class", "library/importlib.resources.abc.html"),
    "json": ("py:module", "library/json.html"),
    "os.PathLike": ("py:class", "library/os.html"),
    "pathlib.Path": ("py:class", "library/pathlib.html"),
    "sqlite3": ("py:module", "library/sqlite3.html"),
    "typing.Protocol": ("py:class", "library/typing.html"),
    "typing.Final": ("py:data", "library/typing.html"),
    "typing.TypeAlias": ("py:data", "library/typing.html"),
    "typing.TypeVar": ("py:class", "library/typing.html"),
    "Exception": ("py:exception", "library/exceptions.html"),
    "KeyError": ("py:exception", "library/exceptions.html"),
    "TypeError": ("py:exception", "library/exceptions.html"),
    "ValueError": ("py:exception", "library/exceptions.html"),
    "bool": ("py:class", "library/functions.html"),
    "dict": ("py:class", "library/stdtypes.html"),
    "float": ("py:class", "library/functions.html"),
    "frozenset": ("py:class", "library/stdtypes.html"),
    "int": ("py:class", "library/functions.html"),
    "list": ("py:class", "library/stdtypes.html"),
    "object": ("py:class", "library/functions.html"),
    "str": ("py:class", "library/stdtypes.html"),
    "tuple": ("py:class", "library/stdtypes.html"),
    "type": ("py:class", "library/functions.html"),
    "None": ("py:data", "library/constants.html"),
    "True": ("py:data", "library/constants.html"),
    "False": ("py:data", "library/constants.html"),
}

ATTRS: dict[str, Entry] = {
    "attrs": ("py:module", "api.html"),
    "attrs.Attribute": ("py:class", "api.html"),
    "attrs.define": ("py:function", "api.html"),
    "attrs.evolve": ("py:function", "api.html"),
    "attrs.field": ("py:function", "api.html"),
    "attrs.frozen": ("py:function", "api.html"),
}

MATPLOTLIB: dict[str, Entry] = {
    "matplotlib": ("py:module", "index.html"),
    "matplotlib.pyplot": ("py:module", "api/pyplot_summary.html"),
    "matplotlib.figure.Figure": ("py:class", "api/_as_gen/matplotlib.figure.Figure.html"),
    "matplotlib.axes.Axes": ("py:class", "api/_as_gen/matplotlib.axes.Axes.html"),
}

CATTRS: dict[str, Entry] = {
    "cattrs": ("py:module", "cattrs.html"),
    "cattrs.Converter": ("py:class", "cattrs.html"),
}


CLICK: dict[str, Entry] = {
    "click": ("py:module", "api/"),
    "click.ClickException": ("py:exception", "api/"),
    "click.Context": ("py:class", "api/"),
    "click.Group": ("py:class", "api/"),
    "click.Parameter": ("py:class", "api/"),
    "click.ParamType": ("py:class", "api/"),
    "click.testing.CliRunner": ("py:class", "api/"),
    # Where type hints put them; documented under their public names.
    "click.core.Context": ("py:class", "api/", "click.Context"),
    "click.core.Parameter": ("py:class", "api/", "click.Parameter"),
    "click.types.ParamType": ("py:class", "api/", "click.ParamType"),
}

HYPOTHESIS: dict[str, Entry] = {
    "hypothesis": ("py:module", "reference/api.html"),
    "hypothesis.settings": ("py:class", "reference/api.html"),
    # Where type hints put it; documented under its public name.
    "hypothesis._settings.settings": ("py:class", "reference/api.html", "hypothesis.settings"),
    "hypothesis.stateful.RuleBasedStateMachine": ("py:class", "reference/api.html"),
    "hypothesis.stateful.run_state_machine_as_test": ("py:function", "reference/api.html"),
    "hypothesis.strategies.SearchStrategy": ("py:class", "reference/strategies.html"),
    "hypothesis.strategies.from_type": ("py:function", "reference/strategies.html"),
}


def write(path: Path, project: str, version: str, objects: dict[str, Entry]) -> None:
    """Write one inventory in Sphinx's version 2 format."""
    lines = []
    for name, entry in sorted(objects.items()):
        role, page = entry[0], entry[1]
        if len(entry) == 3:
            anchor = entry[2]
        else:
            anchor = f"module-{name}" if role == "py:module" else name
        lines.append(f"{name} {role} 1 {page}#{anchor} -\n")
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n"
        f"# Version: {version}\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    body = zlib.compress("".join(lines).encode(), 9)
    path.write_bytes(header.encode() + body)


def main() -> None:
    """Write the inventories into ``docs/_inventories/``."""
    OUT.mkdir(exist_ok=True)
    write(OUT / "python.inv", "Python", "3", PYTHON)
    write(OUT / "attrs.inv", "attrs", "stable", ATTRS)
    write(OUT / "cattrs.inv", "cattrs", "stable", CATTRS)
    write(OUT / "matplotlib.inv", "Matplotlib", "stable", MATPLOTLIB)
    write(OUT / "click.inv", "Click", "stable", CLICK)
    write(OUT / "hypothesis.inv", "Hypothesis", "latest", HYPOTHESIS)


if __name__ == "__main__":
    main()
