"""JavaScript: package.json, package-lock.json (v1, v2, v3), yarn.lock (classic and
Berry) and pnpm-lock.yaml (v5 to v9).

package-lock.json v2+ records each package's ``license`` (npm copies it from the
package's own package.json), so npm projects usually need no registry lookup.
"""

from __future__ import annotations

import json
import re

from osslever import safe_yaml
from osslever.sources.manifests import Dependency, Manifest, ManifestError

ECOSYSTEM = "npm"
# package.json section → scope (npm docs, "package.json": devDependencies are not
# installed for the package's consumers; optionalDependencies may be absent; peer
# dependencies are provided by the host project at run time).
_DEP_SECTIONS = {
    "dependencies": "runtime",
    "devDependencies": "development",
    "optionalDependencies": "optional",
    "peerDependencies": "runtime",
}


def _lock_scope(pkg: dict) -> str | None:
    """package-lock v2+ flags: ``dev`` (only needed to develop), ``optional``, ``devOptional``."""
    if pkg.get("dev") or pkg.get("devOptional"):
        return "development"
    if pkg.get("optional"):
        return "optional"
    return "runtime"


def license_field(data: dict) -> str | None:
    """npm's ``license`` (string or legacy object) or legacy ``licenses`` list."""
    value = data.get("license")
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("type"), str):
        return value["type"]
    legacy = data.get("licenses")
    if isinstance(legacy, list):
        names = [x.get("type") if isinstance(x, dict) else x for x in legacy]
        names = [n for n in names if isinstance(n, str)]
        if names:
            return " OR ".join(names)
    return None


def read_package_json(path: str, text: str) -> Manifest:
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ManifestError("not a JSON object")
    out = Manifest(path, ECOSYSTEM, "manifest", declared_license=license_field(data))
    for section, scope in _DEP_SECTIONS.items():
        deps = data.get(section) or {}
        if not isinstance(deps, dict):
            raise ManifestError(f'"{section}" is not an object')
        for name, spec in deps.items():
            out.dependencies.append(Dependency(ECOSYSTEM, name, str(spec), direct=True, manifest=path, scope=scope))
    return out


def read_package_lock(path: str, text: str) -> Manifest:
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ManifestError("not a JSON object")
    out = Manifest(path, ECOSYSTEM, "lockfile")
    packages = data.get("packages")
    if isinstance(packages, dict):  # lockfileVersion 2 and 3
        root = packages.get("") or {}
        direct = set()
        for section in _DEP_SECTIONS:
            direct.update((root.get(section) or {}).keys())
        for key, pkg in packages.items():
            if not key or not isinstance(pkg, dict) or pkg.get("link"):
                continue
            name = pkg.get("name") or key.rsplit("node_modules/", 1)[-1]
            out.dependencies.append(
                Dependency(
                    ECOSYSTEM,
                    name,
                    pkg.get("version"),
                    license=None,
                    declared=license_field(pkg),
                    source="lockfile",
                    direct=key == f"node_modules/{name}" and name in direct,
                    manifest=path,
                    scope=_lock_scope(pkg),
                )
            )
        return out
    deps = data.get("dependencies")
    if not isinstance(deps, dict):
        raise ManifestError('neither "packages" nor "dependencies" is an object')

    def walk(tree: dict, top: bool) -> None:  # lockfileVersion 1: nested
        for name, pkg in tree.items():
            if not isinstance(pkg, dict):
                raise ManifestError(f'"{name}" is not an object')
            out.dependencies.append(
                Dependency(
                    ECOSYSTEM,
                    name,
                    pkg.get("version"),
                    source="lockfile",
                    direct=top or None,
                    manifest=path,
                    scope=_lock_scope(pkg) if "dev" in pkg or "optional" in pkg else None,
                )
            )
            walk(pkg.get("dependencies") or {}, False)

    walk(deps, True)
    return out


def _split_descriptor(descriptor: str) -> str:
    """``@scope/name@^1.0`` / ``name@npm:^1.0`` → package name."""
    descriptor = descriptor.strip().strip('"')
    at = descriptor.find("@", 1)
    return descriptor[:at] if at > 0 else descriptor


def read_yarn_lock(path: str, text: str) -> Manifest:
    out = Manifest(path, ECOSYSTEM, "lockfile")
    name: str | None = None
    saw_entry = False
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            if not line.rstrip().endswith(":"):
                raise ManifestError(f"unexpected line: {line[:60]}")
            head = line.rstrip()[:-1]
            if head.strip('"') == "__metadata":
                name = None
                continue
            name = _split_descriptor(head.split(",")[0])
            saw_entry = True
            continue
        stripped = line.strip()
        match = re.match(r'^version:?\s+"?([^"\s]+)"?$', stripped)
        if match and name and line.startswith("  ") and not line.startswith("    "):
            out.dependencies.append(Dependency(ECOSYSTEM, name, match.group(1), source="lockfile", manifest=path))
            name = None
    if not saw_entry and text.strip():
        raise ManifestError("no package entries")
    return out


def _pnpm_key(key: str, version5: bool) -> tuple[str, str | None]:
    """``/name/1.0.0_peer@2`` (lockfile v5) or ``/name@1.0.0(peer@2)`` (v6+)."""
    key = key.lstrip("/")
    if version5:
        parts = key.split("/")
        if len(parts) >= 2:
            return "/".join(parts[:-1]), parts[-1].split("_")[0]
        return key, None
    key = re.sub(r"\(.*\)$", "", key)
    at = key.rfind("@")
    if at > 0:
        return key[:at], key[at + 1 :]
    return key, None


def read_pnpm_lock(path: str, text: str) -> Manifest:
    data = safe_yaml.load(text, path)
    if not isinstance(data, dict):
        raise ManifestError("not a YAML mapping")
    out = Manifest(path, ECOSYSTEM, "lockfile")
    packages = data.get("packages") or {}
    if not isinstance(packages, dict):
        raise ManifestError('"packages" is not a mapping')
    try:
        version5 = float(str(data.get("lockfileVersion", "9")).strip("'\"")) < 6
    except ValueError:
        version5 = False
    for key in packages:
        name, version = _pnpm_key(str(key), version5)
        out.dependencies.append(Dependency(ECOSYSTEM, name, version, source="lockfile", manifest=path))
    return out


READERS = {
    "package.json": read_package_json,
    "package-lock.json": read_package_lock,
    "npm-shrinkwrap.json": read_package_lock,
    "yarn.lock": read_yarn_lock,
    "pnpm-lock.yaml": read_pnpm_lock,
}
