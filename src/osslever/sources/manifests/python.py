"""Python: requirements files, pyproject.toml (PEP 621 and Poetry), setup.cfg,
poetry.lock, uv.lock and Pipfile.lock.

Names are normalised as PEP 503 says (lower case, runs of ``-_.`` → ``-``) so
the same package from two files is one dependency.
"""

from __future__ import annotations

import configparser
import json
import re
import tomllib
from functools import lru_cache

from osslever.sources.manifests import Dependency, Manifest, ManifestError

ECOSYSTEM = "pypi"
_REQ_RE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(\([^)]*\)|[^;#]*)")
_REQUIREMENTS_NAME_RE = re.compile(r"^(requirements|constraints)([-_.][\w.-]*)?\.(txt|in)$")


def normalize_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def is_requirements_file(name: str) -> bool:
    return bool(_REQUIREMENTS_NAME_RE.match(name.lower()))


def parse_requirement(line: str) -> tuple[str, str | None] | None:
    """PEP 508 string → (name, pinned version or the specifier as written)."""
    line = line.strip()
    if not line or line.startswith(("#", "-", "git+", "http://", "https://", "file:", ".", "/")):
        return None
    match = _REQ_RE.match(line)
    if not match:
        return None
    spec = match.group(3).strip().strip("()").strip()
    pinned = re.fullmatch(r"===?\s*([^\s,;]+)", spec)
    return normalize_name(match.group(1)), (pinned.group(1) if pinned else (spec or None))


@lru_cache(maxsize=1)
def _development_names() -> frozenset[str]:
    from osslever.models.license.spdx import load_data

    return frozenset(load_data("compatibility.yaml")["scopes"]["development_names"])


def _group_scope(name: str, otherwise: str) -> str:
    """``development`` for a group/extra/file named like a development tool set, else ``otherwise``."""
    words = set(re.findall(r"[a-z]+", name.lower()))
    return "development" if words & _development_names() else otherwise


def read_requirements(path: str, text: str) -> Manifest:
    out = Manifest(path, ECOSYSTEM, "manifest")
    scope = _group_scope(path.rsplit("/", 1)[-1].rsplit(".", 1)[0], "runtime")
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip()
        if " @ " in line:  # direct URL references: name only
            line = line.split(" @ ", 1)[0]
        parsed = parse_requirement(line)
        if parsed:
            name, version = parsed
            out.dependencies.append(Dependency(ECOSYSTEM, name, version, direct=True, manifest=path, scope=scope))
    return out


def _license_of_pep621(project: dict) -> tuple[str | None, str | None]:
    value = project.get("license")
    if isinstance(value, str):
        return value, None
    if isinstance(value, dict):
        if isinstance(value.get("text"), str):
            return value["text"], None
        if isinstance(value.get("file"), str):
            return None, value["file"]
    from osslever.models.license.spdx import classifier_license

    classifiers = project.get("classifiers") or []
    if isinstance(classifiers, list):
        return classifier_license([str(c) for c in classifiers]), None
    return None, None


def read_pyproject(path: str, text: str) -> Manifest:
    data = tomllib.loads(text)
    out = Manifest(path, ECOSYSTEM, "manifest")
    project = data.get("project")
    if project is not None and not isinstance(project, dict):
        raise ManifestError("[project] is not a table")
    project = project or {}
    out.declared_license, out.license_file = _license_of_pep621(project)
    requirements = [(r, "runtime") for r in project.get("dependencies") or []]
    for extra, group in (project.get("optional-dependencies") or {}).items():
        requirements.extend((r, _group_scope(str(extra), "optional")) for r in group or [])
    for group in (data.get("dependency-groups") or {}).values():  # PEP 735: never published
        requirements.extend((r, "development") for r in group or [] if isinstance(r, str))
    for req, scope in requirements:
        parsed = parse_requirement(str(req))
        if parsed:
            out.dependencies.append(Dependency(ECOSYSTEM, *parsed, direct=True, manifest=path, scope=scope))
    poetry = (data.get("tool") or {}).get("poetry") or {}
    if poetry:
        if not out.declared_license and isinstance(poetry.get("license"), str):
            out.declared_license = poetry["license"]
        # Poetry: [tool.poetry.dependencies] ship (``optional = true`` ones as extras);
        # dev-dependencies and every group except "main" are development groups.
        tables = [(poetry.get("dependencies") or {}, "runtime"), (poetry.get("dev-dependencies") or {}, "development")]
        for group_name, group in (poetry.get("group") or {}).items():
            tables.append(
                ((group or {}).get("dependencies") or {}, "runtime" if group_name == "main" else "development")
            )
        for table, scope in tables:
            for name, spec in table.items():
                if name.lower() == "python":
                    continue
                version = spec if isinstance(spec, str) else (spec or {}).get("version")
                optional = isinstance(spec, dict) and spec.get("optional") is True
                out.dependencies.append(
                    Dependency(
                        ECOSYSTEM,
                        normalize_name(name),
                        version,
                        direct=True,
                        manifest=path,
                        scope="optional" if optional and scope == "runtime" else scope,
                    )
                )
    return out


def read_setup_cfg(path: str, text: str) -> Manifest:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        raise ManifestError(str(exc).splitlines()[0]) from exc
    out = Manifest(path, ECOSYSTEM, "manifest")
    if parser.has_section("metadata"):
        meta = parser["metadata"]
        out.declared_license = meta.get("license") or None
        if not out.declared_license and meta.get("classifiers"):
            from osslever.models.license.spdx import classifier_license

            out.declared_license = classifier_license(meta["classifiers"].splitlines())
        if meta.get("license_files") or meta.get("license_file"):
            out.license_file = (meta.get("license_files") or meta.get("license_file")).split()[0]
    if parser.has_section("options"):
        for line in (parser["options"].get("install_requires") or "").splitlines():
            parsed = parse_requirement(line)
            if parsed:
                out.dependencies.append(Dependency(ECOSYSTEM, *parsed, direct=True, manifest=path, scope="runtime"))
    if parser.has_section("options.extras_require"):
        for extra, lines in parser["options.extras_require"].items():
            for line in lines.splitlines():
                parsed = parse_requirement(line)
                if parsed:
                    scope = _group_scope(extra, "optional")
                    out.dependencies.append(Dependency(ECOSYSTEM, *parsed, direct=True, manifest=path, scope=scope))
    return out


def _read_locked_packages(path: str, text: str, skip_local: bool) -> Manifest:
    data = tomllib.loads(text)
    packages = data.get("package") or []
    if not isinstance(packages, list):
        raise ManifestError("[[package]] is not an array of tables")
    out = Manifest(path, ECOSYSTEM, "lockfile")
    for pkg in packages:
        if not isinstance(pkg, dict) or "name" not in pkg:
            raise ManifestError("a [[package]] entry has no name")
        source = pkg.get("source") or {}
        if skip_local and isinstance(source, dict) and ({"editable", "virtual"} & set(source)):
            continue  # the project itself, not a dependency
        version = pkg.get("version")
        # poetry.lock before 1.5 says ``category = "dev"``; newer locks and uv.lock say nothing.
        scope = {"dev": "development", "main": "runtime"}.get(str(pkg.get("category")))
        if pkg.get("optional") is True:
            scope = "optional"
        out.dependencies.append(
            Dependency(
                ECOSYSTEM,
                normalize_name(str(pkg["name"])),
                str(version) if version else None,
                source="lockfile",
                manifest=path,
                scope=scope,
            )
        )
    return out


def read_poetry_lock(path: str, text: str) -> Manifest:
    return _read_locked_packages(path, text, skip_local=False)


def read_uv_lock(path: str, text: str) -> Manifest:
    return _read_locked_packages(path, text, skip_local=True)


def read_pipfile_lock(path: str, text: str) -> Manifest:
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ManifestError("not a JSON object")
    out = Manifest(path, ECOSYSTEM, "lockfile")
    for section, scope in (("default", "runtime"), ("develop", "development")):
        for name, spec in (data.get(section) or {}).items():
            version = (spec or {}).get("version", "") if isinstance(spec, dict) else ""
            out.dependencies.append(
                Dependency(
                    ECOSYSTEM,
                    normalize_name(name),
                    version.lstrip("=") or None,
                    source="lockfile",
                    manifest=path,
                    scope=scope,
                )
            )
    return out


READERS = {
    "pyproject.toml": read_pyproject,
    "setup.cfg": read_setup_cfg,
    "poetry.lock": read_poetry_lock,
    "uv.lock": read_uv_lock,
    "Pipfile.lock": read_pipfile_lock,
}
