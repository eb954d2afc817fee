"""The one way osslever reads YAML that someone else wrote.

``yaml.safe_load`` already refuses ``!!python/object`` tags, but it still lets a 1 KB
file of nested aliases ("billion laughs") expand into a structure that every later
walk (validation, rendering, JSON) visits billions of times, and it lets a document
nested thousands deep reach the validators, which recurse until ``RecursionError``.
So before building any Python object this module walks the parser's event stream
(no recursion, libyaml when available) and refuses, with one translated line naming
the file and line:

* aliases (``*name``): no osslever file needs them, and they are what makes a bomb;
* tags outside YAML's core schema (``!!python/...``, ``!custom``);
* nesting deeper than ``max_depth`` collections;
* more than ``max_nodes`` scalars and collections, or more than ``max_bytes`` of text.

The refusal is a ``UserError`` *and* a ``yaml.YAMLError``, so code that already turns
YAML errors into its own message (a rule-pack problem, a profile parse error) keeps
doing so, and code that does not prints one line instead of a traceback.
"""

from __future__ import annotations

from typing import Any

import yaml

from osslever.errors import UserError

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: ~10× faster

#: Tags of YAML 1.1's core types, which SafeLoader turns into plain Python values.
CORE_TAGS = frozenset(
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp", "binary", "omap", "set")
) | {"!"}

MAX_DEPTH = 64
MAX_NODES = 2_000_000
MAX_BYTES = 64 * 1024 * 1024


class YAMLRejected(UserError, yaml.YAMLError):
    """A YAML document refused before construction (see the module docstring)."""


def load(
    text: str | bytes,
    source: str = "<yaml>",
    *,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
    max_bytes: int = MAX_BYTES,
) -> Any:
    """Parse one YAML document from ``text`` safely; ``source`` names it in messages.

    Syntax errors are raised as the ``yaml.YAMLError`` PyYAML gives (callers already
    word those); the refusals above as ``YAMLRejected``.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    if len(text) > max_bytes:
        raise YAMLRejected("yaml.too_large", file=source, limit=max_bytes)
    check(text, source, max_depth=max_depth, max_nodes=max_nodes)
    return yaml.load(text, Loader=_Loader)


def packaged(text: str | bytes) -> Any:
    """Parse a YAML file shipped inside osslever (locales, data tables) with libyaml.

    These files are ours, so the event walk of ``load`` is not needed; PyYAML's pure
    Python parser took ~0.6 s (2 s under load) of a first report just for the message
    catalogs and data tables. Same resolver and constructor as ``yaml.safe_load``.
    """
    return yaml.load(text, Loader=_Loader)


def check(text: str, source: str = "<yaml>", *, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES) -> None:
    """Walk the event stream of ``text`` and raise ``YAMLRejected`` on the first hostile construct."""
    depth = 0
    nodes = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            raise YAMLRejected("yaml.alias", file=source, line=_line(event), name=event.anchor)
        if isinstance(event, yaml.NodeEvent):
            nodes += 1
            if nodes > max_nodes:
                raise YAMLRejected("yaml.too_many_nodes", file=source, limit=max_nodes)
            tag = getattr(event, "tag", None)
            if tag is not None and tag not in CORE_TAGS:
                raise YAMLRejected("yaml.tag", file=source, line=_line(event), tag=tag)
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > max_depth:
                raise YAMLRejected("yaml.too_deep", file=source, line=_line(event), limit=max_depth)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _line(event: yaml.Event) -> int:
    mark = getattr(event, "start_mark", None)
    return mark.line + 1 if mark is not None else 0
