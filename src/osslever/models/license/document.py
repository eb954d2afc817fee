"""The whole license document (contract: shared/contracts/cli-json.md, ``license``).

One walk of the tree feeds everything: license candidates for ``detect``,
manifests for ``dependencies``; ``history`` reads git; ``compatibility`` and
``implications`` reason over the result. Human texts are bilingual
(``{"en", "zh"}``) unless a ``lang`` is given, in which case every text is a
plain string in that language (what ``osslever license --format json`` prints).
"""

from __future__ import annotations

from pathlib import Path

from osslever.models.license import compatibility, implications
from osslever.models.license.dependencies import scan_dependencies
from osslever.models.license.detect import detect_in_tree, inventory, open_tree
from osslever.models.license.history import license_history
from osslever.models.license.messages import pick
from osslever.sources.filetree import GitTree, git_dir_of

SCHEMA_VERSION = 1


def resolve_location(location: str | Path) -> tuple[Path, str | None]:
    """A local path as is; a git URL through the core's clone cache.

    ``osslever.sources.git.repository.open_repository`` belongs to the core;
    it is imported only when a URL is given, so local use never depends on it.
    """
    text = str(location)
    if "://" in text or text.startswith("git@"):
        from osslever.errors import UserError

        try:
            from osslever.sources.git.repository import open_repository
        except ImportError as exc:
            raise UserError("license.url_unsupported", location=text) from exc
        repo = open_repository(text, quiet=True)
        work_tree = getattr(repo, "work_tree", None)
        return (Path(work_tree) if work_tree else Path(repo.git_dir)), None
    return Path(text), None


def license_document(
    path: Path | str,
    online: bool = False,
    ref: str | None = None,
    registry_urls: dict | None = None,
    lang: str | None = None,
    facts: dict | None = None,
    known_history: dict[str, list[dict]] | None = None,
) -> dict:
    """The contract document for a project.

    ``known_history`` (commit → license history up to it, e.g. from cached
    reports of earlier tips) lets the history walk read only newer commits.

    ``facts`` are optional things the caller knows and the files cannot show
    (``cloud_threat``: high/medium/low, ``single_copyright_holder``: bool);
    rules that need an unknown fact state their condition instead.
    """
    root, _ = resolve_location(path)
    tree = open_tree(root, ref)
    try:
        inv = inventory(tree)
        license_section = detect_in_tree(tree, inv)
        # a commit of a checkout: that checkout's installed packages (a bare git dir has none)
        installed_in = root if root.is_dir() and (root / ".git").exists() else None
        deps, dep_problems = scan_dependencies(tree, inv.manifests, online, registry_urls, installed_in)
    finally:
        tree.close()
    git_dir = tree.git_dir if isinstance(tree, GitTree) else git_dir_of(root)
    history = license_history(git_dir, ref or "HEAD", known_history) if git_dir else []
    conflicts, obligations = compatibility.evaluate(license_section["spdx"], deps)
    document = {
        "schema_version": SCHEMA_VERSION,
        "repository": {"path": str(root), "ref": ref or ("HEAD" if git_dir else None), "files_scanned": inv.files_seen},
        "license": license_section,
        "history": history,
        "dependencies": deps,
        "conflicts": conflicts,
        "dependency_check": compatibility.dependency_check(deps, conflicts),
        "obligations": obligations,
        "problems": license_section.pop("problems") + dep_problems,
    }
    facts_now = implications.project_facts(document, facts)
    document["implications"] = implications.evaluate(facts_now)
    return localize(document, lang) if lang else document


def localize(document: dict, lang: str) -> dict:
    """Every bilingual text of the document reduced to one language."""

    def walk(node: object) -> object:
        if isinstance(node, dict):
            if set(node) == {"en", "zh"}:
                return pick(node, lang)
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    out = walk(document)
    assert isinstance(out, dict)
    return out
