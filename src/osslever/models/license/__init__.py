"""License reasoning: what a project's license is, how it changed, what its
dependencies allow, and what that means for the business.

Public entry points (re-exported by ``osslever.api``):

* ``detect_license(path, ref=None) -> dict`` — ``{"spdx", "confidence", "files", ...}``
* ``license_document(path, online=False, ref=None, registry_urls=None, lang=None,
  facts=None) -> dict`` — the ``license`` contract document (schema_version 1).
"""

from __future__ import annotations

from pathlib import Path


def detect_license(path: Path | str, ref: str | None = None) -> dict:
    """The project's own license (working tree, bare repository, git ref or git URL)."""
    from osslever.models.license.detect import detect_in_tree, open_tree
    from osslever.models.license.document import resolve_location

    root, _ = resolve_location(path)
    tree = open_tree(root, ref)
    try:
        result = detect_in_tree(tree)
    finally:
        tree.close()
    return result


def __getattr__(name: str) -> object:
    # ``license_document`` lives in ``document``, which imports this package's modules:
    # resolving it on first use avoids a circular import.
    if name == "license_document":
        from osslever.models.license.document import license_document

        return license_document
    raise AttributeError(f"module 'osslever.models.license' has no attribute {name!r}")


__all__ = ["detect_license", "license_document"]
