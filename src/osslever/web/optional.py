"""Lazy access to other areas' entry points, so a missing area is a panel, not a crash.

The dashboard is built while other areas are still being written; it must work
with whatever is installed. ``entry_point`` imports a function on first use and
turns an import failure into ``Unavailable``; ``call`` passes only the keyword
arguments the function accepts, so an area that has not (yet) grown an optional
parameter such as ``lang`` still answers.
"""

from __future__ import annotations

import importlib
import inspect
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger("osslever.web")


class Unavailable(Exception):
    """A section that cannot be shown: its area is not installed or the store has no data.

    ``key`` is an i18n key (``web.unavailable.*``), ``params`` fill it. ``status``
    is the HTTP status the API answers with (404 no data, 501 not installed).
    """

    def __init__(self, key: str, status: int = 404, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.status = status
        self.params = params

    def render(self, lang: str) -> str:
        from osslever.i18n import t

        return t(self.key, lang, **self.params)


def entry_point(module: str, name: str) -> Callable[..., Any]:
    """``module.name``, or ``Unavailable('web.unavailable.not_installed')``."""
    try:
        found = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        log.info("optional entry point %s.%s not available: %s", module, name, exc)
        raise Unavailable("web.unavailable.not_installed", status=501, feature=f"{module}.{name}") from exc
    if not callable(found):
        raise Unavailable("web.unavailable.not_installed", status=501, feature=f"{module}.{name}")
    return found


def call(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call with the keyword arguments ``function`` declares (all of them if it takes ``**``)."""
    try:
        params = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return function(*args, **kwargs)
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return function(*args, **kwargs)
    return function(*args, **{k: v for k, v in kwargs.items() if k in params})
