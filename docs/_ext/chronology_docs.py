"""Sphinx helpers for the chronology docs: tables generated from the code, and API checks.

Directives (usable from MyST as ```` ```{vague-lexicon} ```` and so on):

``vague-lexicon``
    The default lexicon of vague phrases, each with the window it gives when said at an example
    instant (option ``:anchor:``). Built from :data:`chronology.time.DEFAULT_LEXICON`.
``event-tags``
    Every registered event tag with its class, family and summary, from
    :func:`chronology.events.registered_tags`.
``event-fields``
    For every registered tag, its payload version and the fields it carries beyond ``subject``,
    ``known_at`` and ``source``, read from the attrs classes.
``likelihood-cues``
    The likelihood levels, each with its default probability and the hedge cues
    :meth:`chronology.hedges.Likelihood.from_cue` knows for it, from :data:`chronology.hedges.CUES`.
``public-names``
    The names a module exports (its ``__all__``), each linked to where it is documented.
``command-output``
    Runs a ``chronology`` command line (through click's test runner, in a scratch directory that
    the commands of one page share) and shows it with its real output. A command that exits
    with another status than ``:returncode:`` (0 by default) is a build warning, so every shell
    example in the docs is executed by every build. ``:max-lines:`` shortens a long output.

Docstring examples run as module doctests: under the doctest builder, each example that autodoc
renders from a module's docstrings runs in its own group whose namespace is that module's, just
as ``python -m doctest`` would run it.

Checks, reported as warnings (so ``-W`` fails the build):

* every public module of the package is documented with ``automodule``, and every name in each
  documented module's ``__all__`` has an entry;
* loose references resolve when they are unambiguous: a name a module imports (``date`` in a
  signature whose annotations could not be evaluated) to the imported object, a re-export
  (``chronology.Chronicle``) to where it is documented, and a partial name
  (``Chronicle.verify``) to the one documented object it ends.
"""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import re
import shlex
import sys
import tempfile
from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.ext import intersphinx
from sphinx.pycode import ModuleAnalyzer
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

PACKAGE = "chronology"


def _xref(target: str, text: str, role: str = "obj") -> addnodes.pending_xref:
    ref = addnodes.pending_xref(
        "", refdomain="py", reftype=role, reftarget=target, refexplicit=True, refwarn=True
    )
    ref += nodes.literal(text, text, classes=["xref", "py", f"py-{role}"])
    return ref


def _table(header: Sequence[str], rows: Sequence[Sequence[nodes.Node | str]]) -> nodes.table:
    table = nodes.table(classes=["chronology-generated"])
    group = nodes.tgroup(cols=len(header))
    table += group
    for _ in header:
        group += nodes.colspec(colwidth=1)
    head = nodes.thead()
    group += head
    row = nodes.row()
    for title in header:
        row += nodes.entry("", nodes.paragraph(text=title))
    head += row
    body = nodes.tbody()
    group += body
    for cells in rows:
        row = nodes.row()
        for cell in cells:
            para = nodes.paragraph()
            para += nodes.Text(cell) if isinstance(cell, str) else cell
            row += nodes.entry("", para)
        body += row
    return table


def _summary(obj: object, home: str | None = None) -> str:
    """The first paragraph of a docstring, as plain text (roles and emphasis removed).

    For a module-level value (``home`` is its documented ``module.name``), the ``#:`` comment
    above its assignment, since the value's own docstring is its type's.
    """
    if home is not None and not (inspect.isclass(obj) or inspect.isroutine(obj)):
        module, _, name = home.rpartition(".")
        docs = ModuleAnalyzer.for_module(module).find_attr_docs()
        doc = "\n".join(docs.get(("", name), []))
    else:
        doc = inspect.getdoc(obj) or ""
    first = doc.strip().split("\n\n")[0].replace("\n", " ")
    first = _ROLE.sub(_role_text, first)
    return first.replace("``", "").replace("*", "")


_ROLE = re.compile(r":[\w:]+:`(~?)([^`<]*?)(?:\s*<[^>]*>)?`")


def _role_text(m: re.Match[str]) -> str:
    """The text a role shows: its title, or its target (only the last part after ``~``)."""
    text = m[2].strip().lstrip(".")
    return text.rsplit(".", 1)[-1] if m[1] else text


def _when(t: datetime | None) -> str:
    return "open" if t is None else t.strftime("%a %d %b %Y %H:%M")


class VagueLexicon(SphinxDirective):
    """A table of the default vague-phrase lexicon, evaluated at an example anchor."""

    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {"anchor": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        from chronology.time import DEFAULT_LEXICON, Window

        anchor = self.options.get("anchor", "2024-04-03T12:00:00+00:00")
        rows = []
        for phrase in DEFAULT_LEXICON:
            w = Window.vague(phrase, anchor=anchor)
            days = "" if w.duration is None else f"{w.duration.total_seconds() / 86400:g} days"
            rows.append([nodes.literal(phrase, phrase), _when(w.start), _when(w.end), days])
        return [_table(["phrase", "start", "end (first instant after)", "length"], rows)]


class EventTags(SphinxDirective):
    """A table of every registered event tag."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from chronology.events import TradeEvent, VisitEvent, event_class, registered_tags

        rows = []
        for tag in registered_tags():
            cls = event_class(tag)
            family = (
                "visit"
                if issubclass(cls, VisitEvent)
                else "trade"
                if issubclass(cls, TradeEvent)
                else "any"
            )
            target = f"{cls.__module__}.{cls.__qualname__}"
            rows.append(
                [
                    nodes.literal(tag, tag),
                    _xref(target, cls.__qualname__, "class"),
                    family,
                    _summary(cls),
                ]
            )
        return [_table(["tag", "class", "family", "what it records"], rows)]


class EventFields(SphinxDirective):
    """A table of each registered event type's payload version and fields."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        import attrs

        from chronology.events import Event, event_class, registered_tags

        common = {f.name for f in attrs.fields(Event)}
        rows = []
        for tag in registered_tags():
            cls = event_class(tag)
            fields = [f for f in attrs.fields(cls) if f.name not in common]
            fields.sort(key=lambda f: f.default is not attrs.NOTHING)  # required ones first
            cell = nodes.inline()
            for i, f in enumerate(fields):
                if i:
                    cell += nodes.Text(", ")
                name = nodes.literal(f.name, f.name)
                cell += nodes.strong("", "", name) if f.default is attrs.NOTHING else name
                kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", "")
                cell += nodes.Text(f" ({kind})")
            if not fields:
                cell += nodes.Text("none")
            rows.append([nodes.literal(tag, tag), str(cls.version), cell])
        return [_table(["tag", "version", "fields (required ones in bold)"], rows)]


class LikelihoodCues(SphinxDirective):
    """A table of the hedge cues of each likelihood level, from the cue list the code uses."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from chronology import hedges

        rows = []
        for level, cues in hedges.CUES.items():
            listed: list[nodes.Node | str] = []
            for i, cue in enumerate(cues):
                if i:
                    listed.append(", ")
                listed.append(nodes.literal(cue, cue))
            cell = nodes.inline()
            cell.extend(nodes.Text(x) if isinstance(x, str) else x for x in listed)
            rows.append([nodes.literal(level.name, level.name), f"{level.probability:g}", cell])
        return [_table(["level", "probability", "cues (whole words, any case)"], rows)]


_SCRATCH: dict[str, tempfile.TemporaryDirectory[str]] = {}


def _scratch(docname: str) -> str:
    """The scratch directory the commands of one page run in (made on first use)."""
    if docname not in _SCRATCH:
        _SCRATCH[docname] = tempfile.TemporaryDirectory(prefix="chronology-docs-")
    return _SCRATCH[docname].name


class CommandOutput(SphinxDirective):
    """A ``chronology`` command line, run at build time, shown with its output."""

    required_arguments = 1
    final_argument_whitespace = True
    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {
        "returncode": directives.nonnegative_int,
        "cwd-label": directives.unchanged,
        "max-lines": directives.positive_int,
    }

    def run(self) -> list[nodes.Node]:
        from click.testing import CliRunner

        from chronology.cli import cli

        line = self.arguments[0]
        argv = shlex.split(line)
        if not argv or argv[0] != "chronology":
            raise self.error(f"command-output runs chronology commands only, not {line!r}")
        where = _scratch(self.env.docname)
        here = os.getcwd()
        os.chdir(where)
        try:
            result = CliRunner().invoke(cli, argv[1:], env={"CHRONOLOGY_DB": None})
        finally:
            os.chdir(here)
        expected = self.options.get("returncode", 0)
        if result.exit_code != expected:
            detail = result.output or repr(result.exception)
            logger.warning(
                "%r exited with status %s, not %s:\n%s",
                line,
                result.exit_code,
                expected,
                detail,
                location=self.get_location(),
            )
        label = self.options.get("cwd-label", ".")
        output = result.output.replace(os.path.realpath(where), label).replace(where, label)
        lines = output.rstrip("\n").split("\n")
        if len(lines) > self.options.get("max-lines", len(lines)):
            lines = [*lines[: self.options["max-lines"]], "..."]
        text = "\n".join([f"$ {line}", *lines]).rstrip("\n")
        block = nodes.literal_block(text, text, language="console")
        self.set_source_info(block)
        return [block]


def _home(module: str, name: str) -> str:
    """Where a public name of ``module`` is documented: the module that defines it."""
    obj = getattr(sys.modules[module], name)
    defined_in = getattr(obj, "__module__", None)
    if (
        isinstance(defined_in, str)
        and defined_in.startswith(PACKAGE)
        and getattr(sys.modules.get(defined_in), name, None) is obj
    ):
        return f"{defined_in}.{name}"
    for other in sorted(sys.modules):
        mod = sys.modules[other]
        if (
            other.startswith(PACKAGE + ".")
            and other != module  # a package re-exporting a submodule's constant
            and name in getattr(mod, "__all__", ())
            and getattr(mod, name, None) is obj
        ):
            return f"{other}.{name}"
    return f"{module}.{name}"


class PublicNames(SphinxDirective):
    """A table of a module's ``__all__``, each name linked to its documentation."""

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        module = importlib.import_module(self.arguments[0])
        rows = []
        for name in module.__all__:
            home = _home(module.__name__, name)
            where = home.rsplit(".", 1)[0]
            rows.append(
                [
                    _xref(home, name),
                    nodes.literal(where, where),
                    _summary(getattr(module, name), home),
                ]
            )
        return [_table(["name", "documented in", "summary"], rows)]


def _public_modules() -> list[str]:
    package = importlib.import_module(PACKAGE)
    found = [PACKAGE]
    for info in pkgutil.walk_packages(package.__path__, prefix=PACKAGE + "."):
        parts = info.name.split(".")
        if any(p.startswith("_") for p in parts):
            continue
        try:
            importlib.import_module(info.name)
        except ImportError as exc:
            logger.warning("cannot import %s to check its API docs: %s", info.name, exc)
            continue
        found.append(info.name)
    return found


def check_api(app: Sphinx, env: BuildEnvironment) -> None:
    """Warn about public modules and names that the API reference leaves out."""
    domain = env.domains["py"]
    modules = set(domain.modules)  # type: ignore[attr-defined]
    objects = set(domain.objects)  # type: ignore[attr-defined]
    for name in _public_modules():
        if name not in modules:
            logger.warning(
                "module %s is public but not in the API reference (add it to docs/api.md)", name
            )
            continue
        module = sys.modules[name]
        if name == PACKAGE:
            continue
        for public in getattr(module, "__all__", ()):
            if f"{name}.{public}" not in objects and _home(name, public) not in objects:
                logger.warning(
                    "%s.%s is public but has no entry in the API reference", name, public
                )


def _canonical(target: str, context: str | None) -> str | None:
    """The documented name of what ``target`` names, seen from module ``context``.

    ``date`` in a module that imports it is ``datetime.date``; ``chronology.Chronicle.verify``
    (a re-export) is ``chronology.chronicle.Chronicle.verify``. Only modules already imported
    are looked at.
    """
    parts = target.split(".")
    scope = sys.modules.get(context or "")
    owner: object = None
    rest = parts
    if scope is not None and inspect.getattr_static(scope, parts[0], None) is not None:
        owner = scope  # a name the module defines or imports comes first
    else:
        for i in range(len(parts), 0, -1):
            module = sys.modules.get(".".join(parts[:i]))
            if module is not None:
                owner, rest = module, parts[i:]
                break
    if owner is None:
        return None
    obj = owner
    for attr in rest:
        obj = inspect.getattr_static(obj, attr, None)
        if obj is None:
            return None
    if isinstance(obj, property):
        obj = obj.fget
    elif isinstance(obj, classmethod | staticmethod):
        obj = obj.__func__
    module_name = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if not (isinstance(module_name, str) and isinstance(qualname, str)) or "<" in qualname:
        return None
    return f"{module_name}.{qualname}"


def resolve_loose_reference(
    app: Sphinx, env: BuildEnvironment, node: addnodes.pending_xref, contnode: nodes.Element
) -> nodes.Element | None:
    """Resolve Python references that Sphinx's own lookup misses, when they are unambiguous.

    In order: the object's canonical name (a name imported into the module, or a re-export
    such as ``chronology.Chronicle``), then the one documented object whose name ends with the
    target (``Chronicle.verify``). Anything still ambiguous or unknown stays a warning.
    """
    if node.get("refdomain") != "py":
        return None
    domain = env.domains["py"]
    target = node["reftarget"]
    candidates = []
    canonical = _canonical(target, node.get("py:module"))
    if canonical is not None and canonical != target:
        candidates.append(canonical)
    suffixed = [name for name in domain.objects if name.endswith("." + target)]  # type: ignore[attr-defined]
    if len(suffixed) == 1:
        candidates.append(suffixed[0])
    for qualified in candidates:
        retry = node.deepcopy()
        retry["reftarget"] = qualified
        found = domain.resolve_xref(
            env, node.get("refdoc", ""), app.builder, node["reftype"], qualified, retry, contnode
        )
        if found is None:
            found = intersphinx.missing_reference(app, env, retry, contnode)
        if found is not None:
            return found
    return None


def _docstring_module(source: str) -> str | None:
    """The module whose docstring a node came from, given autodoc's ``source`` attribute."""
    _, marker, name = source.partition(":docstring of ")
    if not marker:
        return None
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        candidate = ".".join(parts[:i])
        if candidate in sys.modules:
            return candidate
    return None


def group_docstring_examples(app: Sphinx, doctree: nodes.document) -> None:
    """Give each docstring example its module's namespace, as a module doctest has."""
    modules: set[str] = set()
    for block in doctree.findall(nodes.doctest_block):
        module = _docstring_module(block.source or "")
        if module is None:
            continue
        block["groups"] = [f"module {module}"]
        modules.add(module)
    for module in sorted(modules):
        code = (
            "import importlib as _importlib\n"
            f"globals().update(vars(_importlib.import_module({module!r})))"
        )
        doctree += nodes.comment(code, code, testnodetype="testsetup", groups=[f"module {module}"])


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directives and checks."""
    app.add_directive("vague-lexicon", VagueLexicon)
    app.add_directive("event-tags", EventTags)
    app.add_directive("event-fields", EventFields)
    app.add_directive("likelihood-cues", LikelihoodCues)
    app.add_directive("public-names", PublicNames)
    app.add_directive("command-output", CommandOutput)
    app.connect("env-check-consistency", check_api)
    app.connect("doctree-read", group_docstring_examples)
    app.connect("missing-reference", resolve_loose_reference, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
