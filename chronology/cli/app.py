"""The ``chronology`` command group: how it reports failures, and its entry point.

Errors print one line to stderr (``Error: ...``) and exit with status 1 for a refusal by the
chronicle (a bad line in a file, a tampered record) or 2 for a mistake on the command line (an
unknown option, a malformed date). The commands themselves are in the other modules of
:mod:`chronology.cli`, which add them to :data:`cli`.
"""

from __future__ import annotations

import errno
import importlib
import io
import os
import sys
from collections.abc import Sequence
from typing import Any, Final, NoReturn

import click

from chronology import __version__
from chronology.errors import ChronologyError
from chronology.registry import load_plugins
from chronology.render import printable

__all__ = ["COMMAND_MODULES", "cli", "main"]


#: The module that adds each command to the group, imported when the command is first asked
#: for (``chronology as-of`` loads neither the plots nor the scoring, interchange or copying
#: code; ``chronology --help``, which lists them all, imports every one).
COMMAND_MODULES: Final = {
    "as-of": "chronology.cli.views",
    "history": "chronology.cli.views",
    "diff": "chronology.cli.views",
    "demo": "chronology.cli.demo",
    "import": "chronology.cli.interchange",
    "export": "chronology.cli.interchange",
    "outcomes": "chronology.cli.scoring",
    "score": "chronology.cli.scoring",
    "verify": "chronology.cli.integrity",
    "head": "chronology.cli.integrity",
    "follow": "chronology.cli.shared",
    "copy": "chronology.cli.shared",
    "plot": "chronology.cli.drawing",
}


def _one_line(text: str) -> str:
    return " ".join(text.split())


class _Command(click.Group):
    """The root group: every failure becomes one line on stderr and a non-zero exit status.

    ``main`` runs click in non-standalone mode and reports errors itself, so the installed
    executable and :class:`click.testing.CliRunner` (which both call ``main``) behave the same.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Bare ``chronology`` prints the help, as ``--help`` does, and exits with status 0.

        (click 8.2 and later report it as a usage error instead, which ``main`` would squash
        into one line.)
        """
        if not args and self.no_args_is_help and not ctx.resilient_parsing:
            click.echo(ctx.get_help(), color=ctx.color)
            ctx.exit(0)
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command's name, sorted: those added and those not imported yet."""
        return sorted({*self.commands, *COMMAND_MODULES})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command named ``cmd_name``, its module imported first if it is not yet."""
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            importlib.import_module(COMMAND_MODULES[cmd_name])
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ChronologyError as exc:
            raise click.ClickException(_one_line(str(exc))) from None

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as exc:
            hint = ""
            if exc.ctx is not None:
                hint = f" (see '{exc.ctx.command_path} --help')"
            _fail(f"{_one_line(exc.format_message())}{hint}", exc.exit_code)
        except click.ClickException as exc:
            _fail(_one_line(exc.format_message()), exc.exit_code)
        except click.Abort:
            _fail("aborted", 1)
        except OSError as exc:
            if exc.errno != errno.EPIPE:
                _fail(_one_line(str(exc)), 1)
            # The reader went away (``chronology export | head``): stop quietly.
            _silence_stdout()
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"Error: {printable(message)}", err=True)
    sys.exit(code)


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass


@click.group(
    "chronology",
    cls=_Command,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="chronology")
def cli() -> None:
    """A bitemporal chronicle of expectations: what was expected as of any date.

    Every command but demo works on the chronicle file given with --db, by default
    chronology.db in the current directory, or $CHRONOLOGY_DB when set.

    Dates: 2024-04-04 stands for the end of that day (UTC); date-times need an offset,
    as in 2024-04-04T09:00:00+03:00 or 2024-04-04T06:00:00Z.

    \b
    Start with the seed case:
      chronology demo
      chronology history visit/lavrov-china-2024-04 --db chronology-demo.db

    Installed plugins (entry point group chronology.events) are loaded first, so a chronicle
    holding their events reads.
    """
    load_plugins()


def main() -> None:
    """Run the ``chronology`` command (the console-script entry point)."""
    cli.main(prog_name="chronology")
