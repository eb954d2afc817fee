"""Go: go.mod (require directives, ``// indirect`` marks) and go.sum.

Go modules declare no license in metadata; the license is the LICENSE file in
the module, found offline in the module cache (``$GOMODCACHE`` or
``~/go/pkg/mod``) or a ``vendor/`` folder and read by the text matcher.
"""

from __future__ import annotations

import re

from osslever.sources.manifests import Dependency, Manifest, ManifestError

ECOSYSTEM = "go"
_REQUIRE_RE = re.compile(r"^([^\s]+)\s+(v[^\s]+)(\s*//\s*indirect)?")


def read_go_mod(path: str, text: str) -> Manifest:
    out = Manifest(path, ECOSYSTEM, "manifest")
    in_block = False
    saw_module = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("//"):
            continue
        if line.startswith("module "):
            saw_module = True
            continue
        if in_block:
            if line == ")":
                in_block = False
                continue
            body = line
        elif line.startswith("require ("):
            in_block = True
            continue
        elif line.startswith("require "):
            body = line[len("require ") :].strip()
        else:
            continue
        match = _REQUIRE_RE.match(body)
        if not match:
            raise ManifestError(f"cannot read require line: {line[:60]}")
        out.dependencies.append(
            Dependency(
                ECOSYSTEM, match.group(1), match.group(2), direct=not match.group(3), source="lockfile", manifest=path
            )
        )
    if not saw_module:
        raise ManifestError("no module directive")
    return out


def read_go_sum(path: str, text: str) -> Manifest:
    """Modules whose code was downloaded (lines for ``/go.mod`` alone are skipped)."""
    out = Manifest(path, ECOSYSTEM, "lockfile")
    for raw in text.splitlines():
        parts = raw.split()
        if not parts:
            continue
        if len(parts) != 3 or not parts[2].startswith("h1:"):
            raise ManifestError(f"cannot read line: {raw[:60]}")
        module, version, _ = parts
        if version.endswith("/go.mod"):
            continue
        out.dependencies.append(Dependency(ECOSYSTEM, module, version, source="lockfile", manifest=path))
    return out


def escape_module_path(path: str) -> str:
    """Module cache escaping: upper-case letters become ``!`` + lower case."""
    return re.sub(r"[A-Z]", lambda m: "!" + m.group(0).lower(), path)


READERS = {"go.mod": read_go_mod, "go.sum": read_go_sum}
