"""Real projects' own LICENSE files, as their wheels ship them in dist-info folders.

Ground truth: each package's declared license metadata (License-Expression,
License or classifiers), and for the well-known names below the SPDX id
written by hand after reading their LICENSE files.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import pytest

from osslever.models.license import spdx
from osslever.models.license.detect import _combine, analyse_text, is_license_candidate
from osslever.sources.manifests.installed import metadata_license

WELL_KNOWN = {
    "jinja2": "BSD-3-Clause",
    "click": "BSD-3-Clause",
    "rich": "MIT",
    "certifi": "MPL-2.0",
    "httpx": "BSD-3-Clause",
    "pyyaml": "MIT",
    "sqlglot": "MIT",
    "platformdirs": "MIT",
    "starlette": "BSD-3-Clause",
    "duckdb": "MIT",
    "pytest": "MIT",
    "sortedcontainers": "Apache-2.0",
    "packaging": "Apache-2.0 OR BSD-2-Clause",
    # The wheel's metadata says BSD-3-Clause but its LICENSE has two clauses:
    # the file is the truth.
    "semantic-version": "BSD-2-Clause",
}
# Python's license stack (Python-2.0) contains the PSF agreement (PSF-2.0).
SAME = {"PSF-2.0": "Python-2.0"}


def _license_files(dist: metadata.Distribution) -> list[Path]:
    info = Path(str(dist.locate_file(""))) / f"{dist._path.name}"  # type: ignore[attr-defined]
    folder = info / "licenses" if (info / "licenses").is_dir() else info
    return sorted(p for p in folder.iterdir() if p.is_file() and is_license_candidate(p.name))


def _detect(files: list[Path]) -> str | None:
    findings = [analyse_text(p.name, p.read_text(encoding="utf-8", errors="replace")) for p in files]
    expression, _ = _combine(findings)
    return expression


def _ids(expression: str) -> set[str]:
    return {SAME.get(i, i) for i in spdx.license_ids(expression)}


def _distributions() -> dict[str, metadata.Distribution]:
    out = {}
    for dist in metadata.distributions():
        name = (dist.metadata["Name"] or "").lower().replace("_", "-")
        if name and hasattr(dist, "_path"):
            out.setdefault(name, dist)
    return out


@pytest.mark.parametrize("name,expected", sorted(WELL_KNOWN.items()))
def test_well_known_projects(name: str, expected: str) -> None:
    dist = _distributions().get(name)
    if dist is None:
        pytest.fail(f"{name} should be installed (a dependency of osslever or its dev extra)")
    files = _license_files(dist)
    assert files, f"{name} ships no license file"
    found = _detect(files)
    assert found is not None
    assert _ids(found) == _ids(expected)
    if " OR " in expected:
        assert " OR " in found


def test_agreement_with_declared_metadata_across_the_environment() -> None:
    agree, total, disagreements = 0, 0, []
    for name, dist in sorted(_distributions().items()):
        text = dist.read_text("METADATA")
        declared = metadata_license(text) if text else None
        normalised = spdx.normalize_declared(declared).spdx if declared else None
        if not normalised or normalised == spdx.NOASSERTION:
            continue
        files = _license_files(dist)
        if not files:
            continue
        found = _detect(files)
        total += 1
        if found and _ids(found) == _ids(normalised):
            agree += 1
        else:
            disagreements.append((name, normalised, found))
    assert total >= 20, "too few packages with license files to judge"
    assert agree / total >= 0.85, disagreements
