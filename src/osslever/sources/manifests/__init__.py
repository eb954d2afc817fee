"""Readers of dependency manifests and lockfiles, one module per ecosystem.

Each ecosystem module exposes ``READERS``: a mapping from a file-name test to a
function ``read(path, text) -> Manifest``. A reader raises ``ManifestError``
(or lets a parser's own error escape) for malformed input; ``scan`` turns any
of those into a per-file problem and goes on with the next file, so one broken
lockfile never hides the other dependencies.

Scopes: a reader records what the file says a dependency is for — ``runtime``
(shipped with the project), ``optional`` (an extra the user may install),
``development`` (tests, linters, docs) or ``build`` (compilers, code generators,
container-provided APIs). Which scopes reach which distribution mode is knowledge,
kept in ``data/license/compatibility.yaml``.

Licenses: a reader fills ``Dependency.license`` only when the file itself
says it (package-lock.json v2+ does); ``installed`` modules look in local
package caches (node_modules, site-packages, ~/.cargo, ~/go/pkg/mod, ~/.m2).
"""

from __future__ import annotations

import json
import re
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import lru_cache

import yaml


class ManifestError(ValueError):
    """A manifest that does not have the shape its format requires."""


@dataclass
class Dependency:
    ecosystem: str  # pypi, npm, go, cargo, maven
    name: str
    version: str | None
    license: str | None = None  # SPDX expression once normalised
    source: str = "manifest"  # manifest | lockfile | installed | registry
    direct: bool | None = None
    manifest: str = ""  # path of the file it came from
    declared: str | None = None  # the license as written, before normalisation
    # runtime | optional | development | build, as the file says; None when the file
    # cannot tell (most lockfiles): then the manifest's word for the same name wins,
    # and with no word at all the dependency counts as runtime (shipped).
    scope: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Manifest:
    path: str
    ecosystem: str
    kind: str  # manifest | lockfile
    dependencies: list[Dependency] = field(default_factory=list)
    declared_license: str | None = None  # the project's own license as written here
    license_file: str | None = None  # a license file the metadata points to


@dataclass
class Problem:
    path: str
    key: str  # i18n key
    detail: str = ""


Reader = Callable[[str, str], Manifest]

PARSE_ERRORS = (
    ManifestError,
    tomllib.TOMLDecodeError,
    json.JSONDecodeError,
    yaml.YAMLError,
    ET.ParseError,
    KeyError,
    TypeError,
    AttributeError,
    IndexError,
    UnicodeDecodeError,
)


@lru_cache(maxsize=1)
def all_readers() -> dict[str, Reader]:
    """File name → reader, for every ecosystem."""
    from osslever.sources.manifests import go, java, javascript, python, rust

    readers: dict[str, Reader] = {}
    for module in (python, javascript, go, rust, java):
        readers.update(module.READERS)
    return readers


def reader_for(name: str) -> Reader | None:
    """The reader for a file name; requirement files have many names."""
    reader = all_readers().get(name)
    if reader is not None:
        return reader
    if name[:1] in "rRcC" and _REQUIREMENTS_RE.match(name.lower()):
        from osslever.sources.manifests import python

        return python.read_requirements
    return None


_REQUIREMENTS_RE = re.compile(r"^(requirements|constraints)([-_.][\w.-]*)?\.(txt|in)$")


# When one name is declared in several scopes, the one that ships wins.
SCOPE_ORDER = ("runtime", "optional", "build", "development")


def widest_scope(*scopes: str | None) -> str | None:
    """The scope that reaches the most users among ``scopes`` (None: nothing known)."""
    known = [s for s in scopes if s]
    return min(known, key=SCOPE_ORDER.index) if known else None


def dedupe(deps: list[Dependency]) -> list[Dependency]:
    """One row per (ecosystem, name, version); lockfile facts beat manifest ranges.

    A lockfile rarely says what a package is for; the manifest that declared the
    same name does, so its scope is carried over to the locked row.
    """
    rank = {"registry": 0, "installed": 1, "lockfile": 2, "manifest": 3}
    best: dict[tuple[str, str], Dependency] = {}
    locked_names: set[tuple[str, str]] = set()
    declared_scope: dict[tuple[str, str], str | None] = {}
    for dep in deps:
        if dep.source != "manifest":
            locked_names.add((dep.ecosystem, dep.name))
        else:
            key = (dep.ecosystem, dep.name)
            declared_scope[key] = widest_scope(declared_scope.get(key), dep.scope or "runtime")
    for dep in deps:
        if dep.source == "manifest" and (dep.ecosystem, dep.name) in locked_names:
            continue  # the lockfile has the resolved version
        if dep.scope is None:
            dep.scope = declared_scope.get((dep.ecosystem, dep.name))
        key = (dep.ecosystem, f"{dep.name}@{dep.version or ''}")
        old = best.get(key)
        if old is None or rank.get(dep.source, 9) < rank.get(old.source, 9):
            if old is not None:
                dep.license = dep.license or old.license
                dep.direct = dep.direct if dep.direct is not None else old.direct
                dep.scope = widest_scope(dep.scope, old.scope)
            best[key] = dep
        else:
            old.license = old.license or dep.license
            if old.direct is None:
                old.direct = dep.direct
            old.scope = widest_scope(old.scope, dep.scope)
    return sorted(best.values(), key=lambda d: (d.ecosystem, d.name.lower(), d.version or ""))
