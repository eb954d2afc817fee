"""The one Jinja2 policy for every page and report osslever renders.

Reports (``outputs/templates``) and the dashboard (``web/templates``) are made by
``environment``, so all of them escape the same way and fail the same way:

* autoescape on for HTML: author names, commit data, rule texts of user packs and
  uploaded file names are untrusted;
* ``Missing`` (``StrictUndefined`` for output): printing, iterating or comparing a
  field the document does not have is an error — a bug to see in the tests, never
  an empty cell a reader takes for a measurement. Testing it is allowed:
  ``{% if doc.events %}`` is false for a document without events (the documents
  of the dashboard have optional sections), and ``doc.events.monthly`` chains;
* ``trim_blocks``/``lstrip_blocks`` so block tags leave no stray blank lines, and
  ``keep_trailing_newline`` so Markdown files end like text files.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import jinja2


class Missing(jinja2.StrictUndefined):
    """Undefined that may be tested (false) and chained, but never printed, iterated or compared."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:
        if name[:2] == "__":
            raise AttributeError(name)
        return self

    def __getitem__(self, name: Any) -> Any:
        return self


def environment(
    folder: str,
    autoescape: bool = True,
    filters: Mapping[str, Callable[..., Any]] | None = None,
    globals: Mapping[str, Any] | None = None,  # noqa: A002 - Jinja's own name for them
) -> jinja2.Environment:
    """An environment over the package folder ``folder`` (e.g. ``"outputs/templates"``).

    ``autoescape=False`` only for Markdown output; ``filters`` and ``globals`` are the
    caller's presentation helpers.
    """
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("osslever", folder),
        autoescape=autoescape,
        undefined=Missing,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(filters or {})
    env.globals.update(globals or {})
    return env
