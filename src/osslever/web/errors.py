"""Why a page section or an API answer is not there: ``Unavailable`` and its HTTP status.

The core's own failures are ``UserError`` (one translated line); this is the
web's word for "nothing to show" (no such project, no events, a bad parameter),
which a page turns into a panel and the API into ``{"error": ...}`` with a status.
"""

from __future__ import annotations


class Unavailable(Exception):
    """A section that cannot be shown, with the reason.

    ``key`` is an i18n key (``web.unavailable.*``), ``params`` fill it. ``status``
    is the HTTP status the API answers with (400 bad parameter, 404 no data, 409
    not ready / read-only, 422 input the core rejected, 503 writer busy).
    ``field_errors``: for a rejected form, the message for each field (by its path), so
    the page can put each one next to its control.
    """

    def __init__(
        self, key: str, status: int = 404, field_errors: dict[str, str] | None = None, **params: object
    ) -> None:
        super().__init__(key)
        self.key = key
        self.status = status
        self.params = params
        self.field_errors = field_errors or {}

    def render(self, lang: str) -> str:
        from osslever.i18n import t

        return t(self.key, lang, **self.params)
