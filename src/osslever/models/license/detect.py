"""What license a project is under: license files, SPDX headers and package metadata.

Evidence, strongest first:

1. License files at the root (LICENSE*, COPYING*, the REUSE ``LICENSES/`` folder),
   matched as full texts against ScanCode's LicenseDB (``textindex``). A file
   may hold several licenses; words outside the license texts such as "dual
   licensed" or "at your option" make them alternatives (OR), otherwise all
   apply (AND). A commercial-license offer next to an open license is dual
   licensing (``... OR LicenseRef-Commercial``).
2. Declared licenses in root package metadata (pyproject.toml, setup.cfg,
   package.json, Cargo.toml, pom.xml). When they name the same licenses as the
   files, their expression wins (it states OR/AND explicitly); when they
   disagree, the files win and a note says so.
3. ``SPDX-License-Identifier`` headers in a sample of source files.

License files deeper in the tree (``ee/LICENSE``, ``packages/x/LICENSE``) are
reported as scoped licenses: the open-core pattern. Nothing at all means
``NONE`` — by default, all rights reserved.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from osslever.errors import UserError
from osslever.models.license import licensedb, spdx
from osslever.models.license.messages import message
from osslever.models.license.textindex import get_index
from osslever.sources.filetree import (
    GitTree,
    WorkTree,
    decode_text,
    git_dir_of,
    is_bare_repository,
)
from osslever.sources.manifests import all_readers, reader_for

HEADER_SAMPLE = 200
HEADER_BYTES = 4096
METADATA_FILES = ("pyproject.toml", "setup.cfg", "package.json", "Cargo.toml", "pom.xml")
SOURCE_SUFFIXES = frozenset(
    [
        ".py",
        ".js",
        ".mjs",
        ".ts",
        ".tsx",
        ".jsx",
        ".go",
        ".rs",
        ".java",
        ".kt",
        ".scala",
        ".c",
        ".h",
        ".cc",
        ".cpp",
        ".hpp",
        ".cs",
        ".rb",
        ".php",
        ".swift",
        ".m",
        ".sh",
        ".lua",
        ".zig",
        ".vue",
        ".svelte",
    ]
)
_SPDX_HEADER_RE = re.compile(r"SPDX-License-Identifier:\s*([^\n\r]*)")


def open_tree(path: Path, ref: str | None = None) -> WorkTree | GitTree:
    """A working tree, or a git tree when ``ref`` is given or ``path`` is bare."""
    if not path.exists():
        raise UserError("license.no_such_path", path=str(path))
    if ref is not None or is_bare_repository(path):
        git_dir = git_dir_of(path)
        if git_dir is None:
            raise UserError("license.not_a_repository", path=str(path))
        tree = GitTree(git_dir, ref or "HEAD")
        try:
            tree._git("rev-parse", "--verify", "--quiet", f"{tree.ref}^{{tree}}")
        except Exception as exc:  # noqa: BLE001 - any git failure means a bad ref
            raise UserError("license.bad_ref", ref=tree.ref, path=str(path)) from exc
        return tree
    if not path.is_dir():
        raise UserError("license.not_a_folder", path=str(path))
    return WorkTree(path)


@dataclass
class Inventory:
    """What one walk of the tree found: only names, nothing read yet."""

    files_seen: int = 0
    license_files: list[str] = field(default_factory=list)
    manifests: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], set[str]]:
    """One alternation per list: one regex call per file name, not one per pattern."""
    conf = spdx.load_data("detection.yaml")["candidate_files"]
    names = re.compile("|".join(f"(?:{p})" for p in conf["names"]))
    not_names = re.compile("|".join(f"(?:{p})" for p in conf["not_names"]))
    return names, not_names, set(conf["folders"])


def is_license_candidate(path: str) -> bool:
    names, not_names, folders = _patterns()
    pure = PurePosixPath(path)
    lowered = pure.name.lower()
    if not_names.search(lowered):
        return False
    if names.match(lowered):
        return True
    return len(pure.parts) >= 2 and pure.parts[-2] in folders


def inventory(tree: WorkTree | GitTree, max_manifest_depth: int = 4) -> Inventory:
    """One pass over the file names: license candidates, manifests, a source sample.

    Each folder's names are joined into one string and searched with one
    multi-line regex, so the per-file cost stays in C (this is what keeps a
    100k-file scan close to a bare ``os.walk``).
    """
    names, not_names, folders = _patterns()
    candidate_re = re.compile(f"^(?:{names.pattern})$", re.MULTILINE)
    out = Inventory()
    manifest_names = set(all_readers())
    for prefix, files in tree.folders():
        out.files_seen += len(files)
        if not files:
            continue
        depth = prefix.count("/")
        joined = "\n".join(files)
        lowered = joined.lower()
        if prefix and prefix.rstrip("/").rsplit("/", 1)[-1] in folders:
            hits = files  # REUSE LICENSES/ folder: every file is a license text
        else:
            hits = [files[lowered.count("\n", 0, m.start())] for m in candidate_re.finditer(lowered)]
        taken = set()
        for name in hits:
            if not not_names.search(name.lower()):
                out.license_files.append(prefix + name)
                taken.add(name)
        if depth <= max_manifest_depth:
            found = manifest_names.intersection(files)
            if "requirements" in lowered or "constraints" in lowered:
                found.update(n for n in files if reader_for(n) is not None)
            out.manifests.extend(prefix + n for n in sorted(found - taken))
        if depth <= 3 and len(out.sources) < HEADER_SAMPLE * 4:
            for name in files:
                dot = name.rfind(".")
                if dot > 0 and name[dot:] in SOURCE_SUFFIXES:
                    out.sources.append(prefix + name)
                    if len(out.sources) >= HEADER_SAMPLE * 4:
                        break
    out.license_files.sort()
    out.manifests.sort(key=lambda p: (p.count("/"), p))
    out.sources.sort(key=lambda p: (p.count("/"), p))
    del out.sources[HEADER_SAMPLE:]
    return out


@dataclass
class FileFinding:
    path: str
    spdx: str | None = None
    confidence: float = 0.0
    matches: list[dict] = field(default_factory=list)
    choice: bool = False  # words outside the texts say "choose one" (OR)
    pointer: bool = False  # a short note that points at other license files
    closest: dict | None = None
    problem: dict | None = None
    parameters: dict = field(default_factory=dict)  # BUSL's Change Date and friends
    bundled: list[str] = field(default_factory=list)  # third-party licenses after the first
    notice_only: bool = False  # matched only license notices, no full text
    combination_phrase: str | None = None  # the words that made several licenses OR (or AND)

    def as_dict(self) -> dict:
        out: dict = {
            "path": self.path,
            "spdx": self.spdx,
            "confidence": round(self.confidence, 3),
            "matches": self.matches,
        }
        if len(self.matches) > 1 and not self.bundled:
            out["combination"] = {
                "operator": "OR" if self.choice else "AND",
                "phrase": self.combination_phrase,  # None: no words said either way; AND by default
            }
        if self.bundled:
            out["bundled"] = self.bundled
        if self.closest:
            out["closest"] = self.closest
        if self.problem:
            out["problem"] = self.problem
        return out


def _phrases(section: str) -> list[str]:
    return [p.lower() for p in spdx.load_data("detection.yaml")[section]["phrases"]]


def _found_phrase(words: str, phrases: list[str]) -> str | None:
    """The first of ``phrases`` that occurs in ``words`` (compared as words, punctuation ignored)."""
    padded = f" {words} "
    for phrase in phrases:
        if f" {' '.join(re.findall(r'[a-z0-9]+', phrase))} " in padded:
            return phrase
    return None


def _contains_phrase(words: str, phrases: list[str]) -> bool:
    return _found_phrase(words, phrases) is not None


def analyse_text(path: str, text: str) -> FileFinding:
    """One license file's text → SPDX expression (or the closest known license).

    Several licenses in one file are alternatives (OR) only when the words around
    them offer a choice, and cumulative (AND) otherwise; the words that decided are
    kept in ``combination`` so a reader can check them.
    """
    finding = FileFinding(path)
    result = get_index().match(text)
    or_words = _found_phrase(result.residual, _phrases("or_phrases"))
    and_words = _found_phrase(result.residual, _phrases("and_phrases"))
    finding.choice = or_words is not None and and_words is None
    finding.combination_phrase = or_words if finding.choice else and_words
    commercial = _contains_phrase(result.residual, _phrases("commercial_phrases"))
    if result.matches:
        ordered = sorted(result.matches, key=lambda m: m.start)
        parts = [licensedb.scancode_expression_to_spdx(m.expression) for m in ordered]
        finding.matches = [
            {"spdx": p, "recall": round(m.recall, 3), "similarity": round(m.dice, 3), "kind": m.kind}
            for p, m in zip(parts, ordered, strict=True)
        ]
        finding.notice_only = all(m.kind == "notice" for m in ordered)
        if len(parts) > 1 and _contains_phrase(result.residual, _phrases("bundled_phrases")):
            # The project's license comes first; what follows is third-party code it ships.
            finding.bundled = list(dict.fromkeys(p for p in parts[1:] if p != parts[0]))
            parts = parts[:1]
            finding.choice = False
        expression = spdx.join(parts, "OR" if finding.choice else "AND")
        if commercial:
            code = spdx.load_data("detection.yaml")["commercial_phrases"]["expression"]
            expression = spdx.join([expression, code], "OR")
        finding.spdx = expression
        finding.confidence = min(m.recall for m in ordered[: len(parts)])
        if "BUSL-1.1" in parts or any("bsl" in m.expression for m in result.matches):
            finding.parameters = busl_parameters(text)
        return finding
    header = _SPDX_HEADER_RE.search(text)
    if header:
        declared = spdx.normalize_declared(_clean_header(header.group(1)))
        if declared.spdx:
            finding.spdx, finding.confidence = declared.spdx, 0.95
            return finding
    word_count = len(text.split())
    if word_count <= 12:
        declared = spdx.normalize_declared(text.strip().splitlines()[0] if text.strip() else "")
        if declared.spdx and declared.spdx != spdx.NOASSERTION:
            finding.spdx, finding.confidence = declared.spdx, 0.9
            return finding
    if finding.choice and word_count < 200:
        finding.pointer = True
        return finding
    if result.closest is not None:
        closest = licensedb.scancode_expression_to_spdx(result.closest.expression)
        finding.closest = {"spdx": closest, "similarity": round(result.closest.dice, 3)}
        finding.confidence = result.closest.dice
    return finding


_BUSL_FIELDS = {
    "licensor": "Licensor",
    "licensed_work": "Licensed Work",
    "additional_use_grant": "Additional Use Grant",
    "change_date": "Change Date",
    "change_license": "Change License",
}


def busl_parameters(text: str) -> dict:
    """The parameter block of a Business Source License (mariadb.com/bsl11 layout)."""
    out = {}
    for key, label in _BUSL_FIELDS.items():
        match = re.search(rf"^\s*{label}:\s*(.+?)(?=\n\s*\n|\n\s*[A-Z][A-Za-z ]+:|\Z)", text, re.MULTILINE | re.DOTALL)
        if match:
            out[key] = " ".join(match.group(1).split())[:400]
    return out


def _clean_header(value: str) -> str:
    return re.sub(r"\s*(\*/|-->|#}|%>|\*\)|'''|\"\"\").*$", "", value).strip()


def analyse_file(tree: WorkTree | GitTree, path: str) -> FileFinding:
    read = tree.read(path)
    if read.data is None:
        return FileFinding(
            path, problem=message(read.problem or "license.file.unreadable", path=path, detail=read.detail)
        )
    text = decode_text(read.data)
    if text is None:
        return FileFinding(path, problem=message("license.file.binary", path=path))
    if not text.strip():
        return FileFinding(path, problem=message("license.file.empty", path=path))
    return analyse_text(path, text)


def _is_notice(path: str) -> bool:
    name = PurePosixPath(path).name.lower()
    return name.startswith(("notice", "copyright", "legal", "patents"))


def _is_suffix_license(path: str) -> bool:
    """LICENSE-MIT / LICENSE.APACHE style names (one license per file, Rust convention)."""
    stem = PurePosixPath(path).name.lower()
    return bool(re.match(r"^licen[cs]e[-._](?!txt$|md$|rst$)[a-z0-9.-]+$", stem)) and not re.match(
        r"^licen[cs]e\.(txt|md|rst|markdown)$", stem
    )


@dataclass
class Declared:
    path: str
    spdx: str | None
    raw: str
    note: dict | None = None


def declared_licenses(tree: WorkTree | GitTree, manifests: list[str]) -> tuple[list[Declared], list[dict]]:
    """The project's own license as its root package metadata declares it."""
    from osslever.sources.manifests import PARSE_ERRORS

    out: list[Declared] = []
    problems: list[dict] = []
    for path in manifests:
        if "/" in path or path not in METADATA_FILES:
            continue
        read = tree.read(path)
        text = decode_text(read.data) if read.data is not None else None
        if text is None:
            continue  # reported once by the dependency scan
        try:
            manifest = reader_for(path)(path, text)  # type: ignore[misc]
        except PARSE_ERRORS:
            continue  # reported once by the dependency scan
        if not manifest.declared_license:
            continue
        norm = spdx.normalize_declared(manifest.declared_license)
        note = None
        if norm.note:
            note = message(f"license.note.{norm.note}", path=path, raw=norm.raw)
        elif norm.spdx is None:
            note = message("license.note.declared_unknown", path=path, raw=norm.raw)
        out.append(Declared(path, norm.spdx, norm.raw, note))
    return out, problems


def header_licenses(tree: WorkTree | GitTree, sources: list[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for path in sources[:HEADER_SAMPLE]:
        read = tree.read(path, limit=2_000_000)
        if read.data is None:
            continue
        head = decode_text(read.data[:HEADER_BYTES])
        if not head:
            continue
        match = _SPDX_HEADER_RE.search(head)
        if match:
            declared = spdx.normalize_declared(_clean_header(match.group(1)))
            if declared.spdx:
                counts[declared.spdx] += 1
    return counts


def _scope_of(path: str) -> str | None:
    """The folder a deeper license file governs, or None if it is not a scoped license."""
    conf = spdx.load_data("detection.yaml")
    parts = PurePosixPath(path).parts
    folders = set(conf["candidate_files"]["folders"])
    dirs = parts[:-1]
    if dirs and dirs[-1] in folders:
        dirs = dirs[:-1]
    if not dirs or len(dirs) > conf["scoped_max_depth"]:
        return None
    if any(d.lower() in conf["scoped_skip_folders"] for d in dirs):
        return None
    return "/".join(dirs)


def _combine(findings: list[FileFinding]) -> tuple[str | None, float]:
    # NOTICE/COPYRIGHT files carry attributions and bundled third-party texts:
    # they decide only when no LICENSE/COPYING file does.
    usable = [f for f in findings if f.spdx and not _is_notice(f.path)]
    if not usable:
        usable = [f for f in findings if f.spdx and _is_notice(f.path)]
    if not usable:
        return None, 0.0
    choice = any(f.choice for f in findings) or (len(usable) > 1 and all(_is_suffix_license(f.path) for f in usable))
    # A short notice such as "available under either of the licenses in
    # LICENSE.APACHE or LICENSE.BSD" points at the other files: it says OR and
    # adds nothing of its own.
    texts = [f for f in usable if not f.notice_only]
    pointers = [f for f in usable if f.notice_only and f.spdx and " OR " in f.spdx]
    if texts and pointers:
        usable = [f for f in usable if f not in pointers]
        choice = True
    expression = spdx.join([f.spdx for f in usable if f.spdx], "OR" if choice else "AND")
    return expression, min(f.confidence for f in usable)


def _same_licenses(a: str, b: str) -> bool:
    return set(spdx.license_ids(a)) == set(spdx.license_ids(b))


def category_of(expression: str) -> list[str]:
    cats = []
    for lid in spdx.license_ids(expression):
        base = lid.split(" WITH ")[0]
        cats.append(licensedb.category_of_spdx(base) or _extra_category(base))
    return list(dict.fromkeys(c for c in cats if c))


def _extra_category(spdx_id: str) -> str | None:
    extra = spdx.load_data("families.yaml").get("extra_categories", {})
    return extra.get(spdx_id)


def detect_in_tree(tree: WorkTree | GitTree, inv: Inventory | None = None) -> dict:
    """The ``license`` section of the contract, from one tree."""
    inv = inv or inventory(tree)
    root_files = [
        p
        for p in inv.license_files
        if "/" not in p
        or p.split("/")[0] in set(spdx.load_data("detection.yaml")["candidate_files"]["folders"])
        and p.count("/") == 1
    ]
    scoped_files = [p for p in inv.license_files if p not in root_files]
    findings = [analyse_file(tree, p) for p in root_files]
    problems = [f.problem for f in findings if f.problem]
    notes: list[dict] = []
    file_expr, file_conf = _combine(findings)
    declared, _ = declared_licenses(tree, inv.manifests)
    notes.extend(d.note for d in declared if d.note)
    declared_exprs = [d for d in declared if d.spdx and d.spdx != spdx.NOASSERTION]

    result: dict = {"spdx": spdx.NONE, "confidence": 1.0, "files": []}
    if file_expr:
        result["spdx"], result["confidence"] = file_expr, file_conf
        result["files"] = [f.path for f in findings if f.spdx]
        for d in declared_exprs:
            if _same_licenses(d.spdx or "", file_expr):
                result["spdx"] = d.spdx
                result["confidence"] = max(file_conf, 0.95)
                if d.path not in result["files"]:
                    result["files"].append(d.path)
                break
        else:
            for d in declared_exprs:
                notes.append(message("license.note.metadata_disagrees", path=d.path, declared=d.spdx, found=file_expr))
    elif declared_exprs:
        first = declared_exprs[0]
        result["spdx"], result["confidence"], result["files"] = first.spdx, 0.9, [first.path]
    else:
        unknown = [f for f in findings if f.closest and not _is_notice(f.path)]
        if unknown:
            best = max(unknown, key=lambda f: f.closest["similarity"])  # type: ignore[index]
            result["spdx"] = spdx.NOASSERTION
            result["confidence"] = round(best.closest["similarity"], 3)  # type: ignore[index]
            result["files"] = [f.path for f in unknown]
            for f in unknown:
                notes.append(
                    message(
                        "license.note.unknown_text",
                        path=f.path,
                        closest=f.closest["spdx"],  # type: ignore[index]
                        percent=round(100 * f.closest["similarity"]),
                    )
                )  # type: ignore[index]
        else:
            headers = header_licenses(tree, inv.sources)
            if headers:
                top, count = headers.most_common(1)[0]
                result["spdx"], result["confidence"] = top, 0.7
                result["files"] = []
                notes.append(message("license.note.from_headers", count=count, spdx=top))
            elif any(f.problem for f in findings):
                result["spdx"], result["confidence"] = spdx.NOASSERTION, 0.0
            else:
                notes.append(message("license.note.no_license"))
    result["confidence"] = round(float(result["confidence"]), 3)
    result["category"] = category_of(result["spdx"])
    result["parameters"] = next((f.parameters for f in findings if f.parameters), {})
    result["declared"] = [{"file": d.path, "spdx": d.spdx, "raw": d.raw} for d in declared]
    result["scoped"] = [
        s for s in _scoped(tree, scoped_files, problems) if not _same_licenses(s["spdx"], result["spdx"])
    ]
    result["details"] = [f.as_dict() for f in findings]
    result["notes"] = notes
    result["problems"] = problems
    return result


def _scoped(tree: WorkTree | GitTree, paths: list[str], problems: list[dict]) -> list[dict]:
    by_scope: dict[str, list[str]] = {}
    for path in paths:
        scope = _scope_of(path)
        if scope is not None:
            by_scope.setdefault(scope, []).append(path)
    out = []
    for scope, files in sorted(by_scope.items()):
        findings = [analyse_file(tree, p) for p in files]
        problems.extend(f.problem for f in findings if f.problem)
        expression, confidence = _combine(findings)
        if expression is None:
            unknown = [f for f in findings if f.closest and not _is_notice(f.path)]
            if not unknown:
                continue
            expression, confidence = spdx.NOASSERTION, unknown[0].closest["similarity"]  # type: ignore[index]
        out.append(
            {
                "path": scope,
                "spdx": expression,
                "confidence": round(confidence, 3),
                "files": [f.path for f in findings],
                "category": category_of(expression),
            }
        )
    return out


def detect_license(path: Path, ref: str | None = None) -> dict:
    """``{"spdx", "confidence", "files", ...}`` for a working tree or a git tree."""
    tree = open_tree(Path(path), ref)
    try:
        return detect_in_tree(tree)
    finally:
        tree.close()
