"""The ``junction`` command (typer): ``env pull`` and ``run``."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from junction_cli import client
from junction_cli.errors import (
    CommandNotExecutable,
    CommandNotFound,
    JunctionError,
    PendingConnections,
    UsageProblem,
)
from junction_cli.files import write_private

# "\b" keeps click from rewrapping the table.
EXIT_CODES = """\
Settings: JUNCTION_URL, Junction's address; JUNCTION_TOKEN, a runtime token of
the component (from its page in Junction).

\b
Exit codes:
  0    done
  1    unexpected answer or server error
  2    usage: a missing setting, a bad option, a file that cannot be written
  3    token refused: revoked, expired or unknown
  4    server unreachable: connection refused, an unknown host, a timeout
  5    connections pending (run)
  6    rate limited: too many pulls with this token
  126  the command cannot be run (run)
  127  the command is not found (run)
"""

app = typer.Typer(
    name="junction",
    help="A component's connection values from Junction, for a program or a pipeline.",
    epilog=EXIT_CODES,
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    # A traceback's locals could hold the token.
    pretty_exceptions_enable=False,
)
env_app = typer.Typer(
    help="The values of the component's connections in the token's environment.",
    no_args_is_help=True,
)
app.add_typer(env_app, name="env")


class Format(StrEnum):
    dotenv = "dotenv"
    json = "json"
    k8s_secret = "k8s-secret"
    shell = "shell"


# Empty by default rather than required, so that a missing variable gets a
# message naming it instead of click's "Missing option '--url'".
Url = Annotated[
    str,
    typer.Option(
        "--url",
        envvar="JUNCTION_URL",
        metavar="URL",
        show_default=False,
        help="Junction's address.",
    ),
]
Token = Annotated[
    str,
    typer.Option(
        "--token",
        envvar="JUNCTION_TOKEN",
        metavar="TOKEN",
        show_default=False,
        help="A runtime token; prefer the variable (other users can read a command line).",
    ),
]


@contextmanager
def _reported() -> Iterator[None]:
    """Our failures as one line on stderr and their exit code."""
    try:
        yield
    except JunctionError as error:
        typer.echo(f"junction: {error}", err=True)
        raise typer.Exit(error.exit_code) from None


def _settings(url: str, token: str) -> tuple[str, str]:
    if not url.strip():
        raise UsageProblem(
            "JUNCTION_URL is not set: Junction's address, such as https://junction.example.com"
        )
    if not token.strip():
        raise UsageProblem("JUNCTION_TOKEN is not set: a runtime token from the component's page")
    return url, token


def _listed(pending: list[client.Pending]) -> str:
    return "; ".join(f"{p.connection} ({p.reason})" for p in pending)


def _warn_pending(pending: list[client.Pending]) -> None:
    if pending:
        typer.echo(f"junction: warning: not delivered: {_listed(pending)}", err=True)


@env_app.command("pull")
def env_pull(
    url: Url = "",
    token: Token = "",
    output_format: Annotated[
        Format,
        typer.Option("--format", "-f", metavar="FORMAT", help="dotenv, json, k8s-secret or shell."),
    ] = Format.dotenv,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write to this file (mode 0600, replaced atomically) instead of stdout.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Print the values (or write them to a file). A connection that cannot
    be delivered is named on stderr and left out; the exit code stays 0."""
    with _reported():
        body = client.pull(*_settings(url, token), output_format.value)
        # Read first: a json body that is not the format is never written.
        pending = client.pending_in(body, output_format.value)
        if output is None:
            sys.stdout.buffer.write(body)
            sys.stdout.buffer.flush()
        else:
            write_private(output, body)
        _warn_pending(pending)


def _exec(command: list[str], variables: dict[str, str]) -> NoReturn:
    """Become ``command``: the values live only in its environment, never on disk."""
    environment = {**os.environ, **variables}
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execvpe(command[0], command, environment)
    except FileNotFoundError:
        raise CommandNotFound(f"{command[0]}: command not found") from None
    except OSError as error:
        raise CommandNotExecutable(f"{command[0]}: {error.strerror}") from None


@app.command(options_metavar="[OPTIONS] --", context_settings={"allow_interspersed_args": False})
def run(
    command: Annotated[
        list[str],
        typer.Argument(
            metavar="COMMAND",
            help="The program to start and its arguments.",
            show_default=False,
        ),
    ],
    url: Url = "",
    token: Token = "",
    allow_pending: Annotated[
        bool,
        typer.Option(
            "--allow-pending", help="Start even while a connection is pending (without its values)."
        ),
    ] = False,
) -> None:
    """Start COMMAND with the values added to its environment (they win over
    variables of the same name). Refuses, with exit code 5, while a
    connection is pending, unless --allow-pending."""
    with _reported():
        configuration = client.configuration(*_settings(url, token))
        if configuration.pending and not allow_pending:
            raise PendingConnections(
                f"not starting {command[0]}: {len(configuration.pending)} pending in "
                f"{configuration.environment}: {_listed(configuration.pending)} "
                "(--allow-pending starts it without them)"
            )
        _warn_pending(configuration.pending)
        _exec(command, configuration.variables)


def main() -> None:
    app(prog_name="junction")
