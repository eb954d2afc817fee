"""One exception type for everything a user can fix.

The CLI prints a ``UserError`` as one line (no traceback) and exits non-zero;
anything else is a bug and keeps its traceback. Messages name the thing that is
wrong and what to do, in the user's language, so they are built from i18n keys.
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """What the ``osslever`` process returns, the same for every command (docs/cli.md)."""

    OK = 0
    FINDINGS = 1
    USER_ERROR = 2
    INTERNAL_ERROR = 70
    INTERRUPTED = 130


EXIT_MEANINGS: dict[ExitCode, str] = {
    ExitCode.OK: "the command did what was asked",
    ExitCode.FINDINGS: "it ran but found what makes it fail: a check failed, some inputs could not be read "
    "(the rest was kept)",
    ExitCode.USER_ERROR: "bad input, options, environment or store; one line says what to fix, nothing was "
    "half-written (usage errors too)",
    ExitCode.INTERNAL_ERROR: "a bug: a traceback is printed (EX_SOFTWARE of sysexits.h); please report it",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C, 128 + SIGINT); completed batches are kept, re-running finishes the job",
}
"""One line per exit code, for docs/cli.md (generated) and ``osslever --help`` readers."""


class UserError(Exception):
    """An error caused by input, environment or configuration, not by a bug.

    ``key`` is an i18n message key (see ``osslever.i18n``); ``params`` fill it.
    ``exit_code`` lets scripts tell classes of failure apart (``ExitCode``).
    """

    def __init__(self, key: str, exit_code: int = ExitCode.USER_ERROR, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params
        self.exit_code = exit_code

    def render(self, lang: str | None = None) -> str:
        from osslever.i18n import t

        return t(self.key, lang=lang, **self.params)

    def __str__(self) -> str:
        return self.render("en")
