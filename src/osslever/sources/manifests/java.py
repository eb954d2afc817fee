"""Java: Maven pom.xml (project licenses and dependencies, ``${property}`` resolved).

Parsed with the standard library's parser, which never fetches external
entities; a document that declares entities at all is refused, which rules
out entity-expansion ("billion laughs") attacks from an untrusted repository.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from osslever.sources.manifests import Dependency, Manifest, ManifestError

ECOSYSTEM = "maven"


def _parse(text: str) -> ET.Element:
    if "<!ENTITY" in text:
        raise ManifestError("XML entities are not allowed in a pom.xml")
    return ET.fromstring(text)


def _strip_ns(root: ET.Element) -> None:
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.startswith("{"):
            el.tag = el.tag.split("}", 1)[1]


def _text(el: ET.Element | None, tag: str) -> str | None:
    if el is None:
        return None
    child = el.find(tag)
    return child.text.strip() if child is not None and child.text else None


def pom_licenses(root: ET.Element) -> list[str]:
    return [n for n in (_text(lic, "name") for lic in root.findall("licenses/license")) if n]


def parse_pom(text: str) -> ET.Element:
    root = _parse(text)
    _strip_ns(root)
    if root.tag != "project":
        raise ManifestError(f"root element is <{root.tag}>, not <project>")
    return root


def read_pom(path: str, text: str) -> Manifest:
    root = parse_pom(text)
    props = {
        child.tag: (child.text or "").strip()
        for child in (root.find("properties") if root.find("properties") is not None else [])
    }
    version = _text(root, "version") or _text(root.find("parent"), "version")
    if version:
        props.setdefault("project.version", version)

    def resolve(value: str | None) -> str | None:
        if value is None:
            return None
        return re.sub(r"\$\{([^}]+)\}", lambda m: props.get(m.group(1), m.group(0)), value)

    licenses = pom_licenses(root)
    out = Manifest(path, ECOSYSTEM, "manifest", declared_license=" OR ".join(licenses) if licenses else None)
    for dep in root.findall("dependencies/dependency"):
        group, artifact = _text(dep, "groupId"), _text(dep, "artifactId")
        if not group or not artifact:
            raise ManifestError("a <dependency> lacks groupId or artifactId")
        scope = _MAVEN_SCOPES.get((_text(dep, "scope") or "compile").strip(), "runtime")
        if scope == "runtime" and (_text(dep, "optional") or "").strip() == "true":
            scope = "optional"
        out.dependencies.append(
            Dependency(
                ECOSYSTEM,
                f"{resolve(group)}:{resolve(artifact)}",
                resolve(_text(dep, "version")),
                direct=True,
                manifest=path,
                scope=scope,
            )
        )
    return out


# Maven, "Introduction to the Dependency Mechanism": compile and runtime dependencies are
# packaged; test ones are for tests only; provided ones are supplied by the container (JDK,
# application server) and not shipped by you; system ones are on the machine, like compile.
_MAVEN_SCOPES = {
    "compile": "runtime",
    "runtime": "runtime",
    "system": "runtime",
    "test": "development",
    "provided": "build",
    "import": "build",
}

READERS = {"pom.xml": read_pom}
