"""Dependencies of a project and their declared licenses.

Order of evidence for a dependency's license: what the lockfile itself says
(package-lock.json), then installed metadata on this machine (``installed``),
then — only with ``online`` — the registry's JSON API (``registries``).
Everything is normalised to SPDX with the same table as the project's own
declared license. Malformed files become per-file problems; the rest of the
scan goes on.
"""

from __future__ import annotations

from pathlib import Path

from osslever.models.license import spdx
from osslever.models.license.messages import message
from osslever.sources.filetree import GitTree, WorkTree, decode_text
from osslever.sources.manifests import PARSE_ERRORS, Dependency, dedupe, reader_for
from osslever.sources.manifests.installed import InstalledLicenses

# Failed look-ups after which one registry is considered down for this scan.
REGISTRY_FAILURE_BUDGET = 5


def scan_dependencies(
    tree: WorkTree | GitTree,
    manifests: list[str],
    online: bool = False,
    registry_urls: dict | None = None,
    installed_in: Path | None = None,
) -> tuple[list[dict], list[dict]]:
    """(dependencies as contract rows, problems).

    ``installed_in``: the folder whose installed packages (``.venv``, ``node_modules``)
    name licenses — by default the tree's own folder when it is a work tree. A commit
    read from git (a report, ``--ref``) passes its work tree: the packages there name
    the same dependencies, so ``report`` and ``license`` agree on one checkout.
    """
    problems: list[dict] = []
    found: list[Dependency] = []
    for path in manifests:
        read = tree.read(path)
        if read.data is None:
            problems.append(message(read.problem or "license.file.unreadable", path=path, detail=read.detail))
            continue
        text = decode_text(read.data)
        if text is None:
            problems.append(message("license.file.binary", path=path))
            continue
        reader = reader_for(path.rsplit("/", 1)[-1])
        if reader is None:
            continue
        try:
            manifest = reader(path, text)
        except PARSE_ERRORS as exc:
            detail = " ".join(str(exc).split())[:160] or exc.__class__.__name__
            problems.append(message("license.manifest.malformed", path=path, detail=detail))
            continue
        found.extend(manifest.dependencies)
    deps = dedupe(found)
    if installed_in is None and isinstance(tree, WorkTree):
        installed_in = tree.root
    _resolve_licenses(deps, installed_in, online, registry_urls, problems)
    return [_row(d) for d in deps], problems


def _resolve_licenses(
    deps: list[Dependency],
    installed_in: Path | None,
    online: bool,
    registry_urls: dict | None,
    problems: list[dict],
) -> None:
    installed = InstalledLicenses(installed_in)
    for dep in deps:
        if dep.declared:
            continue
        declared, text = installed.lookup(dep)
        if declared:
            dep.declared, dep.source = declared, "installed"
        elif text:
            from osslever.models.license.detect import analyse_text

            finding = analyse_text(dep.name, text)
            if finding.spdx:
                dep.license, dep.source = finding.spdx, "installed"
    if online:
        from osslever.sources.manifests.registries import RegistryClient, RegistryError

        client = RegistryClient(registry_urls)
        # Each ecosystem has its own registry: one that is down must not stop the others.
        failures: dict[str, int] = {}
        skipped: dict[str, int] = {}
        try:
            for dep in deps:
                if dep.declared or dep.license:
                    continue
                if failures.get(dep.ecosystem, 0) >= REGISTRY_FAILURE_BUDGET:
                    skipped[dep.ecosystem] = skipped.get(dep.ecosystem, 0) + 1
                    continue
                try:
                    declared = client.license_of(dep)
                except RegistryError as exc:
                    failures[dep.ecosystem] = failures.get(dep.ecosystem, 0) + 1
                    problems.append(message("license.registry.failed", name=dep.name, detail=str(exc)))
                    continue
                if declared:
                    dep.declared, dep.source = declared, "registry"
        finally:
            client.close()
        for ecosystem, count in sorted(skipped.items()):
            problems.append(
                message(
                    "license.registry.gave_up",
                    registry=ecosystem,
                    failures=REGISTRY_FAILURE_BUDGET,
                    count=count,
                )
            )
    for dep in deps:
        if dep.declared and not dep.license:
            dep.license = spdx.normalize_declared(dep.declared).spdx


def _row(dep: Dependency) -> dict:
    return {
        "ecosystem": dep.ecosystem,
        "name": dep.name,
        "version": dep.version,
        "license": dep.license,
        "source": dep.source,
        "direct": dep.direct,
        "manifest": dep.manifest,
        "declared": dep.declared,
        "scope": dep.scope,
    }


def dependencies_of(path: Path, online: bool = False, registry_urls: dict | None = None) -> dict:
    """Dependencies of a working tree: ``{"dependencies": [...], "problems": [...]}``."""
    from osslever.models.license.detect import inventory, open_tree

    tree = open_tree(Path(path))
    try:
        inv = inventory(tree)
        deps, problems = scan_dependencies(tree, inv.manifests, online, registry_urls)
    finally:
        tree.close()
    return {"dependencies": deps, "problems": problems}
