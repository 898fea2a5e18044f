"""What can go wrong, each with its own exit code, so that a pipeline can
tell a token to replace from a server to wait for (README.md)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    UNEXPECTED_ANSWER = 1
    # Click's own code for a usage error; ours say the same thing.
    USAGE = 2
    TOKEN_REFUSED = 3
    UNREACHABLE = 4
    PENDING = 5
    RATE_LIMITED = 6
    # The shell's codes for a command that cannot be run or is not found.
    COMMAND_NOT_EXECUTABLE = 126
    COMMAND_NOT_FOUND = 127


class JunctionError(Exception):
    """A failure the user can act on: its message is one line for stderr."""

    exit_code = ExitCode.UNEXPECTED_ANSWER


class UnexpectedAnswer(JunctionError):
    """The server answered, but not as the configuration endpoint does."""


class UsageProblem(JunctionError):
    exit_code = ExitCode.USAGE


class TokenRefused(JunctionError):
    """401: the token is missing, unknown, revoked or expired."""

    exit_code = ExitCode.TOKEN_REFUSED


class Unreachable(JunctionError):
    """No answer: connection refused, a name that does not resolve, a timeout."""

    exit_code = ExitCode.UNREACHABLE


class PendingConnections(JunctionError):
    exit_code = ExitCode.PENDING


class RateLimited(JunctionError):
    exit_code = ExitCode.RATE_LIMITED


class CommandNotFound(JunctionError):
    exit_code = ExitCode.COMMAND_NOT_FOUND


class CommandNotExecutable(JunctionError):
    exit_code = ExitCode.COMMAND_NOT_EXECUTABLE
