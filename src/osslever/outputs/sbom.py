"""SBOM export: SPDX 2.3 JSON (spdx-tools) and CycloneDX 1.6 JSON (cyclonedx-python-lib).

Both documents are built with the format maintainers' own libraries and
validated by them before anything is written, so a malformed SBOM is a bug we
see, never a file a user receives. Packages get a Package URL
(https://github.com/package-url/purl-spec) so other tools can match them.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources

from osslever import __version__
from osslever.errors import UserError

PURL_TYPES = {"pypi": "pypi", "npm": "npm", "go": "golang", "cargo": "cargo", "maven": "maven"}


def purl_of(dep: dict) -> str | None:
    from packageurl import PackageURL

    kind = PURL_TYPES.get(dep["ecosystem"])
    if kind is None or not _valid(kind, dep["name"]):
        return None  # a name its registry could not hold (broken or hostile manifest): no purl
    name, namespace = dep["name"], None
    if kind == "npm" and name.startswith("@") and "/" in name:
        namespace, name = name.split("/", 1)
    elif kind == "maven" and ":" in name:
        namespace, name = name.split(":", 1)
    elif kind == "golang" and "/" in name:
        namespace, name = name.rsplit("/", 1)
    version = dep.get("version") if _exact(dep.get("version")) else None
    return PackageURL(type=kind, namespace=namespace, name=name, version=version).to_string()


def _exact(version: str | None) -> bool:
    if not version or any(c in version for c in "^~<>=*|, "):
        return False
    return _valid("version", version)


@lru_cache(maxsize=1)
def _name_patterns() -> dict[str, re.Pattern[str]]:
    import yaml

    text = (resources.files("osslever") / "data" / "license" / "package_names.yaml").read_text(encoding="utf-8")
    return {kind: re.compile(entry["pattern"]) for kind, entry in yaml.safe_load(text).items()}


def _valid(kind: str, text: str) -> bool:
    pattern = _name_patterns().get(kind)
    return pattern is None or bool(pattern.fullmatch(text))


def _valid_expression(expression: str | None):
    """A license-expression object for SPDX output, or None when not expressible."""
    from license_expression import ExpressionError, get_spdx_licensing

    if not expression or expression in {"NONE", "NOASSERTION"}:
        return None
    try:
        return get_spdx_licensing().parse(expression, validate=False)
    except ExpressionError:
        return None


def _refs(expression: str | None) -> list[str]:
    from osslever.models.license.spdx import license_ids

    out = []
    for lid in license_ids(expression or ""):
        for part in lid.split(" WITH "):
            if part.startswith("LicenseRef-"):
                out.append(part)
    return out


def spdx_json(document: dict, name: str) -> str:
    from spdx_tools.spdx.model import (
        Actor,
        ActorType,
        CreationInfo,
        Document,
        ExternalPackageRef,
        ExternalPackageRefCategory,
        ExtractedLicensingInfo,
        Package,
        Relationship,
        RelationshipType,
        SpdxNoAssertion,
        SpdxNone,
    )
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document
    from spdx_tools.spdx.writer.json.json_writer import convert

    digest = hashlib.sha256(json.dumps(document["dependencies"], sort_keys=True).encode())
    creation = CreationInfo(
        spdx_version="SPDX-2.3",
        spdx_id="SPDXRef-DOCUMENT",
        name=f"{name} SBOM",
        document_namespace=f"https://osslever.invalid/spdx/{name}-{digest.hexdigest()[:16]}",
        creators=[Actor(ActorType.TOOL, f"osslever-{__version__}")],
        created=datetime.now(UTC).replace(microsecond=0, tzinfo=None),
    )

    def license_field(expression: str | None):
        if expression == "NONE":
            return SpdxNone()
        parsed = _valid_expression(expression)
        return parsed if parsed is not None else SpdxNoAssertion()

    root_license = document["license"]["spdx"]
    packages = [
        Package(
            spdx_id="SPDXRef-Package-root",
            name=name,
            download_location=SpdxNoAssertion(),
            files_analyzed=False,
            license_declared=license_field(root_license),
            license_concluded=SpdxNoAssertion(),
            copyright_text=SpdxNoAssertion(),
        )
    ]
    relationships = [Relationship("SPDXRef-DOCUMENT", RelationshipType.DESCRIBES, "SPDXRef-Package-root")]
    refs = set(_refs(root_license))
    for i, dep in enumerate(document["dependencies"], start=1):
        spdx_id = f"SPDXRef-Package-{i}"
        external = []
        purl = purl_of(dep)
        if purl:
            external.append(ExternalPackageRef(ExternalPackageRefCategory.PACKAGE_MANAGER, "purl", purl))
        packages.append(
            Package(
                spdx_id=spdx_id,
                name=dep["name"],
                version=dep.get("version") or None,
                download_location=SpdxNoAssertion(),
                files_analyzed=False,
                license_declared=license_field(dep.get("license")),
                license_concluded=SpdxNoAssertion(),
                copyright_text=SpdxNoAssertion(),
                external_references=external,
            )
        )
        relationships.append(Relationship("SPDXRef-Package-root", RelationshipType.DEPENDS_ON, spdx_id))
        refs.update(_refs(dep.get("license")))
    extracted = [
        ExtractedLicensingInfo(license_id=ref, license_name=ref, extracted_text=f"See {ref} (ScanCode LicenseDB).")
        for ref in sorted(refs)
    ]
    doc = Document(creation, packages=packages, relationships=relationships, extracted_licensing_info=extracted)
    errors = validate_full_spdx_document(doc)
    if errors:
        raise UserError("license.sbom_invalid", format="spdx-json", detail=errors[0].validation_message[:200])
    return json.dumps(convert(doc, None), indent=2, ensure_ascii=False)


def cyclonedx_json(document: dict, name: str) -> str:
    from cyclonedx.factory.license import LicenseFactory
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component, ComponentType
    from cyclonedx.output.json import JsonV1Dot6
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator
    from packageurl import PackageURL

    factory = LicenseFactory()

    def licenses(expression: str | None) -> list:
        if not expression or expression in {"NONE", "NOASSERTION"}:
            return []
        if _valid_expression(expression) is None:
            return []
        return [factory.make_from_string(expression)]

    bom = Bom()
    root = Component(
        name=name, type=ComponentType.APPLICATION, bom_ref="root", licenses=licenses(document["license"]["spdx"])
    )
    bom.metadata.component = root
    for i, dep in enumerate(document["dependencies"], start=1):
        purl = purl_of(dep)
        component = Component(
            name=dep["name"],
            version=dep.get("version") or None,
            type=ComponentType.LIBRARY,
            bom_ref=f"dep-{i}",
            purl=PackageURL.from_string(purl) if purl else None,
            licenses=licenses(dep.get("license")),
        )
        bom.components.add(component)
        bom.register_dependency(root, [component])
    text = JsonV1Dot6(bom).output_as_string(indent=2)
    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    if error is not None:
        raise UserError("license.sbom_invalid", format="cyclonedx-json", detail=str(error)[:200])
    return text


def sbom(document: dict, fmt: str, name: str) -> str:
    if fmt == "spdx-json":
        return spdx_json(document, name)
    if fmt == "cyclonedx-json":
        return cyclonedx_json(document, name)
    raise UserError("license.sbom_bad_format", format=fmt)
