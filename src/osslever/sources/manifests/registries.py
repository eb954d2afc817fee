"""Online license lookups in the package registries' public JSON APIs (``--online``).

* PyPI: ``GET {pypi}/pypi/<name>/<version>/json`` → ``info.license_expression``,
  ``info.license`` or trove classifiers (https://docs.pypi.org/api/json/).
* npm: ``GET {npm}/<name>/<version>`` → ``license``
  (https://github.com/npm/registry/blob/main/docs/REGISTRY-API.md).
* crates.io: ``GET {crates}/api/v1/crates/<name>/<version>`` → ``version.license``
  (https://crates.io/data-access).
* Go and Maven have no license field in their registries; deps.dev knows both:
  ``GET {depsdev}/v3/systems/<go|maven>/packages/<name>/versions/<version>`` →
  ``licenses`` (https://docs.deps.dev/api/v3/).

Every answer (including "not found") is cached as one JSON file per URL under
``OSSLEVER_HOME/cache/registry`` for ``ttl`` seconds, so a second run is offline.
Base URLs are parameters: tests point all of them at a fake server on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx

from osslever.sources.manifests import Dependency

DEFAULT_URLS = {
    "pypi": "https://pypi.org",
    "npm": "https://registry.npmjs.org",
    "crates": "https://crates.io",
    "depsdev": "https://api.deps.dev",
}
TTL_SECONDS = 7 * 24 * 3600
USER_AGENT = "osslever (license lookup; https://github.com/osslever)"


class RegistryError(Exception):
    """A lookup that failed (network, HTTP status, bad JSON); the scan goes on."""


class RegistryClient:
    def __init__(
        self,
        urls: dict | None = None,
        cache_dir: Path | None = None,
        timeout: float = 10.0,
        ttl: int = TTL_SECONDS,
    ) -> None:
        self.urls = {**DEFAULT_URLS, **(urls or {})}
        if cache_dir is None:
            from osslever import paths

            cache_dir = paths.home() / "cache" / "registry"
        self.cache_dir = cache_dir
        self.ttl = ttl
        self._http = httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT}, follow_redirects=True)
        self.requests = 0  # network requests actually sent (for tests and reports)

    def close(self) -> None:
        self._http.close()

    # -- cache ------------------------------------------------------------
    def _cache_path(self, url: str) -> Path:
        return self.cache_dir / (hashlib.sha256(url.encode()).hexdigest() + ".json")

    def _get_json(self, url: str) -> dict | None:
        path = self._cache_path(url)
        try:
            if time.time() - path.stat().st_mtime < self.ttl:
                cached = json.loads(path.read_text(encoding="utf-8"))
                return cached.get("body")
        except (OSError, ValueError):
            pass
        self.requests += 1
        try:
            response = self._http.get(url)
        except httpx.HTTPError as exc:
            raise RegistryError(f"{url}: {exc.__class__.__name__}") from exc
        if response.status_code == 404:
            body = None
        elif response.status_code != 200:
            raise RegistryError(f"{url}: HTTP {response.status_code}")
        else:
            try:
                body = response.json()
            except ValueError as exc:
                raise RegistryError(f"{url}: not JSON") from exc
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".reg-")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"url": url, "body": body}, fh)
            os.replace(tmp, path)
        except OSError:
            pass
        return body

    # -- per registry -----------------------------------------------------
    def license_of(self, dep: Dependency) -> str | None:
        """Declared license string of one dependency, None when the registry has none."""
        method = getattr(self, f"_{dep.ecosystem}", None)
        return method(dep) if method else None

    def _pypi(self, dep: Dependency) -> str | None:
        base = self.urls["pypi"].rstrip("/")
        version = f"/{quote(dep.version, safe='')}" if _pinned(dep.version) else ""
        body = self._get_json(f"{base}/pypi/{quote(dep.name, safe='')}{version}/json")
        info = (body or {}).get("info") or {}
        if info.get("license_expression"):
            return str(info["license_expression"])
        declared = (info.get("license") or "").strip()
        if declared and declared.upper() != "UNKNOWN":
            return declared
        from osslever.models.license.spdx import classifier_license

        return classifier_license([str(c) for c in info.get("classifiers") or []])

    def _npm(self, dep: Dependency) -> str | None:
        base = self.urls["npm"].rstrip("/")
        name = quote(dep.name, safe="@")
        version = dep.version if _pinned(dep.version) else "latest"
        body = self._get_json(f"{base}/{name}/{quote(version or 'latest', safe='')}")
        if not isinstance(body, dict):
            return None
        from osslever.sources.manifests.javascript import license_field

        return license_field(body)

    def _cargo(self, dep: Dependency) -> str | None:
        base = self.urls["crates"].rstrip("/")
        if not _pinned(dep.version):
            body = self._get_json(f"{base}/api/v1/crates/{quote(dep.name, safe='')}")
            versions = (body or {}).get("versions") or []
            return versions[0].get("license") if versions else None
        body = self._get_json(f"{base}/api/v1/crates/{quote(dep.name, safe='')}/{quote(dep.version or '', safe='')}")
        return ((body or {}).get("version") or {}).get("license")

    def _depsdev(self, system: str, dep: Dependency) -> str | None:
        if not _pinned(dep.version):
            return None
        base = self.urls["depsdev"].rstrip("/")
        body = self._get_json(
            f"{base}/v3/systems/{system}/packages/{quote(dep.name, safe='')}"
            f"/versions/{quote(dep.version or '', safe='')}"
        )
        licenses = [x for x in (body or {}).get("licenses") or [] if x and x != "non-standard"]
        return " AND ".join(licenses) if licenses else None

    def _go(self, dep: Dependency) -> str | None:
        return self._depsdev("go", dep)

    def _maven(self, dep: Dependency) -> str | None:
        return self._depsdev("maven", dep)


def _pinned(version: str | None) -> bool:
    """An exact version (not a range such as ``^1.2`` or ``>=2``)."""
    return bool(version) and not any(c in version for c in "^~<>=*|, ") and version != "latest"
