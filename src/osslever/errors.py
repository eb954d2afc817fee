"""One exception type for everything a user can fix.

The CLI prints a ``UserError`` as one line (no traceback) and exits non-zero;
anything else is a bug and keeps its traceback. Messages name the thing that is
wrong and what to do, in the user's language, so they are built from i18n keys.
"""

from __future__ import annotations


class UserError(Exception):
    """An error caused by input, environment or configuration, not by a bug.

    ``key`` is an i18n message key (see ``osslever.i18n``); ``params`` fill it.
    ``exit_code`` lets scripts tell classes of failure apart.
    """

    def __init__(self, key: str, exit_code: int = 2, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params
        self.exit_code = exit_code

    def render(self, lang: str | None = None) -> str:
        from osslever.i18n import t

        return t(self.key, lang=lang, **self.params)

    def __str__(self) -> str:
        return self.render("en")
