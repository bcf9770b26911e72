"""Sphinx configuration for the chronology documentation.

Build it with::

    sphinx-build -n -W --keep-going -b html docs docs/_build/html
    sphinx-build -n -W --keep-going -b doctest docs docs/_build/doctest

The build needs no network: the intersphinx inventories it uses (Python, attrs, cattrs, click,
hypothesis, matplotlib) are small files kept in ``docs/_inventories/``; regenerate them with
``docs/_scripts/make_inventories.py``.
"""

from __future__ import annotations

import doctest
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE / "_ext"))

import chronology  # noqa: E402

project = "chronology"
author = "The chronology developers"
copyright = "2024, the chronology developers"
release = chronology.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.intersphinx",
    "sphinx.ext.doctest",
    "sphinx.ext.viewcode",
    "chronology_docs",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_scripts", "_ext", "_inventories", "Thumbs.db", ".DS_Store"]

# -- MyST -----------------------------------------------------------------------------------------

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# -- HTML -----------------------------------------------------------------------------------------

html_theme = "furo"
html_title = f"chronology {release}"
html_static_path = ["_static"]
html_show_sourcelink = False

# -- autodoc and napoleon -------------------------------------------------------------------------

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_preserve_defaults = True
autodoc_default_options = {"members": True, "show-inheritance": True}
autoclass_content = "class"
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False
napoleon_attr_annotations = True

# -- intersphinx, offline -------------------------------------------------------------------------
# Each inventory is read from a local file, so the build never touches the network; the links
# in the rendered pages still point at the projects' published documentation.


def _offline(url: str, name: str) -> tuple[str, str]:
    return url, str(HERE / "_inventories" / f"{name}.inv")


intersphinx_mapping = {
    "python": _offline("https://docs.python.org/3", "python"),
    "attrs": _offline("https://www.attrs.org/en/stable", "attrs"),
    "cattrs": _offline("https://catt.rs/en/stable", "cattrs"),
    "click": _offline("https://click.palletsprojects.com/en/stable", "click"),
    "hypothesis": _offline("https://hypothesis.readthedocs.io/en/latest", "hypothesis"),
    "matplotlib": _offline("https://matplotlib.org/stable", "matplotlib"),
}
intersphinx_timeout = 1

# -- nitpicky -------------------------------------------------------------------------------------
# Names that cannot resolve anywhere: the type variables of generic signatures. Keep this list
# short and specific; a name missing from the offline inventories belongs in
# docs/_scripts/make_inventories.py instead.

nitpick_ignore = [
    # ``When`` is a private alias, ``datetime | date | str``, in signatures.
    ("py:class", "When"),
    ("py:class", "chronology.events.E"),
    ("py:class", "chronology.registry.E"),
    ("py:class", "chronology.view.S"),
    ("py:obj", "chronology.view.S"),
    # The offline inventory of the standard library leaves these out.
    ("py:class", "sqlite3.Connection"),
    ("py:meth", "threading.Thread.start"),
    # pendulum's documentation is not built with Sphinx: it publishes no inventory.
    ("py:class", "pendulum.DateTime"),
    ("py:class", "pendulum.datetime.DateTime"),
]

# -- doctest --------------------------------------------------------------------------------------
# Docstring examples rendered by autodoc are executed too, each in its module's namespace (see
# docs/_ext/chronology_docs.py). Exception messages are compared too (Sphinx ignores their detail
# by default): a message printed in these pages is a message users will see.

doctest_default_flags = doctest.ELLIPSIS | doctest.DONT_ACCEPT_TRUE_FOR_1
