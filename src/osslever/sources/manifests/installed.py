"""Offline license facts from packages already on this machine.

Where each package manager keeps what it downloaded (all overridable by the
package managers' own environment variables, so tests point them at a temp dir):

* npm: ``node_modules/<name>/package.json`` in the project;
* PyPI: ``.venv``/``venv`` ``site-packages/<name>-<version>.dist-info/METADATA``
  (``License-Expression``, ``License`` or trove classifiers);
* Cargo: ``$CARGO_HOME/registry/src/*/<name>-<version>/Cargo.toml``;
* Go: ``$GOMODCACHE/<module>@<version>/LICENSE*`` or ``vendor/<module>/LICENSE*``
  (a license text, read by the text matcher);
* Maven: ``$MAVEN_REPOSITORY`` or ``~/.m2/repository/<group>/<artifact>/<version>/*.pom``.
"""

from __future__ import annotations

import email.parser
import json
import os
import re
import tomllib
from pathlib import Path

from osslever.sources.filetree import decode_text
from osslever.sources.manifests import Dependency
from osslever.sources.manifests.go import escape_module_path
from osslever.sources.manifests.java import parse_pom, pom_licenses
from osslever.sources.manifests.javascript import license_field
from osslever.sources.manifests.python import normalize_name

MAX_BYTES = 1_000_000


def _read(path: Path) -> str | None:
    try:
        if path.stat().st_size > MAX_BYTES:
            return None
        return decode_text(path.read_bytes())
    except OSError:
        return None


def cargo_home() -> Path:
    return Path(os.environ.get("CARGO_HOME") or Path.home() / ".cargo")


def go_mod_cache() -> Path:
    if os.environ.get("GOMODCACHE"):
        return Path(os.environ["GOMODCACHE"])
    gopath = os.environ.get("GOPATH", "").split(os.pathsep)[0]
    return Path(gopath or Path.home() / "go") / "pkg" / "mod"


def maven_repository() -> Path:
    return Path(os.environ.get("MAVEN_REPOSITORY") or Path.home() / ".m2" / "repository")


class InstalledLicenses:
    """Looks up one dependency's declared license in local caches (or returns None)."""

    def __init__(self, project: Path | None) -> None:
        self.project = project
        self._site_packages: dict[str, Path] | None = None

    def lookup(self, dep: Dependency) -> tuple[str | None, str | None]:
        """(declared license string, license text) — either may be None."""
        finder = getattr(self, f"_{dep.ecosystem}", None)
        if finder is None:
            return None, None
        try:
            return finder(dep)
        except (OSError, ValueError, KeyError, TypeError, tomllib.TOMLDecodeError):
            return None, None

    def _npm(self, dep: Dependency) -> tuple[str | None, str | None]:
        if self.project is None:
            return None, None
        text = _read(self.project / "node_modules" / dep.name / "package.json")
        if not text:
            return None, None
        data = json.loads(text)
        return (license_field(data) if isinstance(data, dict) else None), None

    def _dist_infos(self) -> dict[str, Path]:
        if self._site_packages is None:
            found: dict[str, Path] = {}
            if self.project is not None:
                for venv in (".venv", "venv", "env"):
                    for site in (self.project / venv).glob("lib/python*/site-packages"):
                        for info in site.glob("*.dist-info"):
                            name = info.name[: -len(".dist-info")].rsplit("-", 1)[0]
                            found.setdefault(normalize_name(name), info)
            self._site_packages = found
        return self._site_packages

    def _pypi(self, dep: Dependency) -> tuple[str | None, str | None]:
        info = self._dist_infos().get(normalize_name(dep.name))
        if info is None:
            return None, None
        text = _read(info / "METADATA")
        if not text:
            return None, None
        return metadata_license(text), None

    def _cargo(self, dep: Dependency) -> tuple[str | None, str | None]:
        for crate in (cargo_home() / "registry" / "src").glob(f"*/{dep.name}-{dep.version}"):
            text = _read(crate / "Cargo.toml")
            if text:
                package = tomllib.loads(text).get("package") or {}
                value = package.get("license")
                if isinstance(value, str):
                    return value, None
        return None, None

    def _go(self, dep: Dependency) -> tuple[str | None, str | None]:
        folders = [go_mod_cache() / f"{escape_module_path(dep.name)}@{dep.version}"]
        if self.project is not None:
            folders.append(self.project / "vendor" / dep.name)
        for folder in folders:
            if not folder.is_dir():
                continue
            for candidate in sorted(folder.iterdir()):
                if re.match(r"(?i)^(licen[cs]e|copying)(\.|$)", candidate.name):
                    text = _read(candidate)
                    if text:
                        return None, text
        return None, None

    def _maven(self, dep: Dependency) -> tuple[str | None, str | None]:
        if ":" not in dep.name or not dep.version:
            return None, None
        group, artifact = dep.name.split(":", 1)
        pom = maven_repository() / Path(*group.split(".")) / artifact / dep.version / f"{artifact}-{dep.version}.pom"
        text = _read(pom)
        if not text:
            return None, None
        names = pom_licenses(parse_pom(text))
        return (" OR ".join(names) if names else None), None


def metadata_license(text: str) -> str | None:
    """License of a Python core-metadata file (PEP 639 ``License-Expression`` first)."""
    headers = email.parser.Parser().parsestr(text, headersonly=True)
    if headers.get("License-Expression"):
        return str(headers["License-Expression"]).strip()
    declared = (headers.get("License") or "").strip()
    if declared and declared.upper() not in {"UNKNOWN", ""}:
        return declared
    from osslever.models.license.spdx import classifier_license

    return classifier_license([str(c) for c in headers.get_all("Classifier") or []])
