"""Rust: Cargo.toml ([package] license, dependency tables) and Cargo.lock.

Cargo.lock lists every crate in the build; entries without ``source`` are the
workspace's own crates, not dependencies.
"""

from __future__ import annotations

import tomllib

from osslever.sources.manifests import Dependency, Manifest, ManifestError

ECOSYSTEM = "cargo"
# Cargo reference, "Specifying Dependencies": dev-dependencies are used only for tests,
# examples and benchmarks; build-dependencies only by build scripts — neither is linked
# into the package.
_TABLES = {"dependencies": "runtime", "dev-dependencies": "development", "build-dependencies": "build"}


def _version(spec: object) -> str | None:
    if isinstance(spec, str):
        return spec
    if isinstance(spec, dict):
        value = spec.get("version")
        return str(value) if value is not None else None
    return None


def read_cargo_toml(path: str, text: str) -> Manifest:
    data = tomllib.loads(text)
    package = data.get("package") or {}
    if not isinstance(package, dict):
        raise ManifestError("[package] is not a table")
    out = Manifest(path, ECOSYSTEM, "manifest")
    license_value = package.get("license")
    out.declared_license = license_value if isinstance(license_value, str) else None
    if isinstance(package.get("license-file"), str):
        out.license_file = package["license-file"]
    tables = [(data.get(t) or {}, scope) for t, scope in _TABLES.items()]
    tables.append(((data.get("workspace") or {}).get("dependencies") or {}, "runtime"))
    for target in (data.get("target") or {}).values():
        if isinstance(target, dict):
            tables.extend((target.get(t) or {}, scope) for t, scope in _TABLES.items())
    for table, scope in tables:
        if not isinstance(table, dict):
            raise ManifestError("a dependency table is not a table")
        for name, spec in table.items():
            if isinstance(spec, dict) and ("path" in spec or spec.get("workspace")):
                continue
            real = spec.get("package", name) if isinstance(spec, dict) else name
            if scope == "runtime" and isinstance(spec, dict) and spec.get("optional") is True:
                scope_here = "optional"  # behind a feature flag
            else:
                scope_here = scope
            out.dependencies.append(
                Dependency(ECOSYSTEM, real, _version(spec), direct=True, manifest=path, scope=scope_here)
            )
    return out


def read_cargo_lock(path: str, text: str) -> Manifest:
    data = tomllib.loads(text)
    packages = data.get("package") or []
    if not isinstance(packages, list):
        raise ManifestError("[[package]] is not an array of tables")
    out = Manifest(path, ECOSYSTEM, "lockfile")
    for pkg in packages:
        if not isinstance(pkg, dict) or "name" not in pkg:
            raise ManifestError("a [[package]] entry has no name")
        if not pkg.get("source"):
            continue
        out.dependencies.append(
            Dependency(ECOSYSTEM, str(pkg["name"]), pkg.get("version"), source="lockfile", manifest=path)
        )
    return out


READERS = {"Cargo.toml": read_cargo_toml, "Cargo.lock": read_cargo_lock}
