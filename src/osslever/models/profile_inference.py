"""A strategy profile inferred from the repository, every field with where it came from.

The founder should not have to type what the repository already shows. Each field
is one of:

* ``measured`` — counted from git history or the store (the report's numbers);
* ``inferred`` — suggested by the repository's own files (a Dockerfile means it is
  self-hosted; an ``ee/`` folder means an enterprise edition), with a confidence and
  the files that gave it; rules in ``data/inference/signals.yaml``;
* ``assumed`` — nothing in the repository can tell (the buyer, the market, the
  goals): left for the user, listed in ``unknown``.

A value the user declares always wins; inference only fills the gaps. Building the
inference reads files and git; it writes nothing.
"""

from __future__ import annotations

import fnmatch
import re
import subprocess
from functools import lru_cache
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from osslever.models.license.detect import open_tree
from osslever.sources.filetree import decode_text

README_BYTES = 20_000


@lru_cache(maxsize=1)
def signals() -> dict[str, Any]:
    ref = resources.files("osslever") / "data" / "inference" / "signals.yaml"
    return yaml.safe_load(ref.read_text(encoding="utf-8"))


def _matches(path: str, patterns: list[str]) -> bool:
    lowered = path.lower()
    return any(fnmatch.fnmatchcase(lowered, p) for p in patterns)


def _field(value: Any, provenance: str, confidence: float, evidence: list[str], source: str) -> dict[str, Any]:
    return {
        "value": value,
        "provenance": provenance,
        "confidence": round(confidence, 2),
        "evidence": evidence[:8],
        "source": source,
    }


def _words(text: str, words: list[str]) -> list[str]:
    """The listed words and phrases that occur in ``text`` (a phrase inside a longer one found
    counts once, as the longer one: "web application framework" is not "web application")."""
    lowered = text.lower()
    found = []
    for word in words:
        if re.search(r"[\u4e00-\u9fff]", word):
            hit = word in lowered
        else:
            hit = re.search(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", lowered) is not None
        if hit:
            found.append(word)
    return found


def _longest(found: dict[str, list[str]], text: str) -> dict[str, list[str]]:
    """Drop a hit that only occurs inside a longer hit of any category."""
    everything = [w for ws in found.values() for w in ws]
    lowered = text.lower()
    out = {}
    for key, words in found.items():
        kept = []
        for word in words:
            longer = [o for o in everything if o != word and word in o]
            if longer and lowered.count(word) <= sum(lowered.count(o) for o in longer):
                continue
            kept.append(word)
        out[key] = kept
    return out


def _plain(markdown: str) -> str:
    """README text without images, badges, link targets and HTML tags."""
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)|!\[[^\]]*\]\[[^\]]*\]", " ", markdown)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\[([^\]]*)\]\[[^\]]*\]", r"\1", text)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"[*_`#>|]+", " ", text)  # emphasis, code, headings, quotes, tables
    return " ".join(text.split())


def _readme(roots: list[str]) -> str | None:
    """The README a visitor sees: ``README.md`` (or ``README``, ``README.rst`` …) before a
    translation such as ``README.cn.md`` or ``README_zh.md``, which may sort first."""
    found = [f for f in roots if f.lower().startswith("readme")]
    main = [f for f in found if f.lower().split(".")[0] == "readme" and f.count(".") <= 1]
    return min(main or found, key=lambda f: (f.lower() != "readme.md", f)) if found else None


_INTRO = re.compile(r"^\W{0,3}[\w`'.+-]+(?:\s+[\w`'.+-]+){0,3}\s+is\s+(?:a|an|the)\s", re.IGNORECASE)
_INTRO_ZH = re.compile(r"^.{1,30}?是(?:一个|一款|一种|一套)")


def _self_description(readme: str, lines: int = 150, most: int = 2) -> str:
    """The first sentences in which the project says what it is ("Valkey is a …", "Halo 是一款 …"),
    wherever they are: many READMEs open with sponsors, badges, links or a notice instead.
    Read line by line (a line of navigation links is no sentence), at most ``most`` of them."""
    found: list[str] = []
    for line in readme.splitlines()[:lines]:
        for sentence in re.split(r"(?<=[.!?。！？])\s+", _plain(line)):
            if _INTRO.match(sentence) or _INTRO_ZH.match(sentence):
                found.append(sentence[:400])
                if len(found) == most:
                    return " ".join(found)
    return " ".join(found)


def _descriptions(manifest_text: str) -> str:
    """The ``description`` fields of the root manifests (package.json, pyproject, Cargo)."""
    pairs = re.findall(r'"description"\s*:\s*"([^"]{0,300})"|description\s*=\s*"([^"]{0,300})"', manifest_text)
    return " ".join(a or b for a, b in pairs)


def _topics(manifests: dict[str, str], conf: dict[str, Any]) -> tuple[str, dict[str, list[str]]]:
    """What the package manifests declare about the project: their ``keywords`` (as text, read
    with the category words) and the categories their registries define (crates.io
    categories, PyPI Trove classifiers), mapped to profile categories with ``conf``."""
    import json
    import tomllib

    keywords: list[str] = []
    declared: dict[str, list[str]] = {}
    for name, text in manifests.items():
        data: Any = {}
        try:
            if name == "package.json":
                data = json.loads(text)
            elif name.endswith(".toml"):
                data = tomllib.loads(text)
        except (ValueError, tomllib.TOMLDecodeError):
            data = {}  # a manifest cut at the read limit or broken: its topics are unknown
        if not isinstance(data, dict):
            data = {}
        package = data.get("package") or (data.get("workspace") or {}).get("package") or {}
        section = data.get("project") if name == "pyproject.toml" else package if name == "cargo.toml" else data
        section = section if isinstance(section, dict) else {}
        words = section.get("keywords")
        if isinstance(words, list):
            keywords.extend(str(w) for w in words[:30])
        for slug in section.get("categories") or [] if name == "cargo.toml" else []:
            category = conf["cargo_categories"].get(str(slug).split("::")[0].lower())
            if category:
                declared.setdefault(category, []).append(f"{name}: {slug}")
        for classifier in sorted(set(re.findall(r"Topic :: [A-Za-z0-9 /:._+-]+", text))):
            lowered = " ".join(classifier.lower().split())
            for prefix, category in conf["classifiers"].items():
                if lowered.startswith(prefix):
                    declared.setdefault(category, []).append(f"{name}: {classifier.strip()}")
                    break
    return " , ".join(keywords), declared


def _list_files(tree: Any) -> list[str]:
    out: list[str] = []
    for prefix, files in tree.folders():
        out.extend(prefix + name for name in files)
    return out


def _read(tree: Any, path: str, limit: int = README_BYTES) -> str:
    read = tree.read(path, limit=2_000_000)
    if read.data is None:
        return ""
    return decode_text(read.data[:limit]) or ""


def infer_profile(location: Path | str, report: dict | None = None, license_doc: dict | None = None) -> dict[str, Any]:
    """``{"fields": {path: {...}}, "unknown": [paths], "files_seen": n}`` for a working tree or git repository."""
    conf = signals()
    tree = open_tree(Path(location))
    try:
        files = _list_files(tree)
        roots = [f for f in files if "/" not in f]
        readme = _readme(roots)
        text = _read(tree, readme) if readme else ""
        manifests = {
            f.lower(): _read(tree, f, 40_000)
            for f in roots
            if f.lower() in ("package.json", "pyproject.toml", "cargo.toml", "setup.py", "setup.cfg")
        }
        manifest_text = " ".join(
            manifests[f][:4000] for f in ("package.json", "pyproject.toml", "cargo.toml") if f in manifests
        )
        compose = [
            f
            for f in files
            if _matches(PurePosixPath(f).name, ["docker-compose*.y*ml", "compose.y*ml"]) and f.count("/") <= 2
        ]
        compose_text = "\n".join(_read(tree, f, 200_000) for f in compose[:4])
        contributing_paths = conf["contributor_agreement"]["contributing_paths"]
        # the agreement is often a section far down a long guide (Langfuse's is past 20 kB)
        contributing = " ".join(_read(tree, f, 200_000) for f in files if _matches(f, contributing_paths))
        # A monorepo's root manifest is often private and says nothing: its packages do.
        packages = [f for f in files if _matches(f, ["packages/*/package.json"])][:5]
        manifest_text += " " + " ".join(_read(tree, f, 4000) for f in packages)
    finally:
        tree.close()
    fields: dict[str, dict[str, Any]] = {}
    # Tests, examples, vendored code and tool folders show how others ship, not this project.
    ignored = set(conf["ignore_dirs"])
    shipped = [f for f in files if not any(d.startswith(".") or d.lower() in ignored for d in f.split("/")[:-1])]

    # Delivery: every way of shipping the files show (a set: a project may ship several).
    delivery: list[str] = []
    delivery_evidence: list[str] = []
    for rule in conf["delivery"]["rules"]:
        depth = int(rule.get("max_depth", 9))
        hits = [f for f in shipped if _matches(f, rule["files"]) and f.count("/") < depth]
        if rule["value"] == "library":
            hits = [f for f in hits if "/" not in f]  # a root manifest, not an example's
        hits += [f"README: {w}" for w in _words(_plain(text), rule.get("words", []))]
        links = rule.get("links")
        if links:
            # link targets are gone from the plain text; a model card is linked, not named
            found = sorted({m.group(0) for p in links["patterns"] for m in re.finditer(p, text, re.IGNORECASE)})
            if len(found) >= int(links["at_least"]):
                hits += [f"README: {u}" for u in found]
        if hits:
            delivery.append(rule["value"])
            delivery_evidence.extend(hits[:3])
    if delivery:
        fields["product.delivery"] = _field(delivery, "inferred", 0.8, delivery_evidence, conf["delivery"]["source"])

    # Category: the self-description's words, weighted; margin over the runner-up = confidence.
    # How a project says what it is ("X is a …") weighs most, then its package description,
    # keywords and declared topics (or, without a self-description, the README's start), then
    # a word somewhere further down; weights in signals.yaml.
    scores: dict[str, tuple[float, list[str]]] = {}
    body = _plain(text)
    weight = conf["category"]["weights"]
    keywords, declared = _topics(manifests, conf["topics"])
    intro = _self_description(text)
    opening = f"{_descriptions(manifest_text)} {keywords} {'' if intro else body[:600]}"
    rules = conf["category"]["rules"]
    intros = _longest({c: _words(intro, r.get("words", [])) for c, r in rules.items()}, intro)
    firsts = _longest({c: _words(opening, r.get("words", [])) for c, r in rules.items()}, opening)
    bodies = _longest({c: _words(body, r.get("words", [])) for c, r in rules.items()}, body)
    for category, rule in rules.items():
        said = intros[category]
        first = [w for w in firsts[category] if w not in said]
        later = [w for w in bodies[category] if w not in said and w not in first]
        hits = [f for f in shipped if _matches(f, rule.get("files", []))][:2]
        topics = declared.get(category, [])
        score = (
            weight["self_description"] * len(said)
            + weight["opening"] * (len(first) + len(topics))
            + weight["body"] * len(later)
            + weight["files"] * len(hits)
        )
        if score:
            scores[category] = (score, said + first + topics + later + hits)
    if scores:
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1][0], kv[0]))
        best, (score, evidence) = ranked[0]
        runner = ranked[1][1][0] if len(ranked) > 1 else 0
        confidence = min(0.9, 0.4 + 0.5 * (score - runner) / score)
        if score < weight["opening"]:
            confidence = min(confidence, 0.4)  # a word or two far down the README: a guess
        if runner == score:
            confidence = 0.3  # a tie: shown, and asked
        fields["product.category"] = _field(best, "inferred", confidence, evidence, conf["category"]["source"])

    # Enterprise edition: a paid-edition folder, or a folder under another, non-open license.
    folders = set(conf["enterprise_edition"]["folders"])
    ee = sorted({f.split("/")[0] + "/" for f in files if "/" in f and f.split("/")[0].lower() in folders})
    scoped = [s["path"] + "/" for s in (license_doc or {}).get("license", {}).get("scoped", [])]
    if ee or scoped:
        fields["product.enterprise_edition"] = _field(
            True, "inferred", 0.85 if ee else 0.7, ee + scoped, conf["enterprise_edition"]["source"]
        )
    else:
        fields["product.enterprise_edition"] = _field(False, "inferred", 0.5, [], conf["enterprise_edition"]["source"])

    # Contribution agreement: CLA files or words; DCO files, words or Signed-off-by in practice.
    ca = conf["contributor_agreement"]
    cla = [f for f in files if _matches(f, ca["cla_files"])] + _words(contributing, ca["cla_words"])
    dco = [f for f in files if _matches(f, ca["dco_files"])] + _words(contributing, ca["dco_words"])
    share = _signoff_share(Path(location), int(ca["commits_sampled"]))
    if share is not None and share >= ca["dco_trailer_share"]:
        dco.append(f"git:signed_off_by={share:.0%}/{ca['commits_sampled']}")  # named by the glossary
    agreement = "cla" if cla else "dco" if dco else "none"
    fields["project.contributor_agreement"] = _field(
        agreement, "inferred", 0.8 if cla or dco else 0.5, cla or dco, ca["source"]
    )
    if cla:
        fields["project.owns_copyright"] = _field(True, "inferred", 0.6, cla, ca["source"])

    # Operational complexity: services and stateful dependencies in the Compose files.
    if compose_text:
        oc = conf["operational_complexity"]
        services = _compose_services(compose_text)
        stateful = sorted({s for s, image in services.items() for name in oc["stateful_images"] if name in image})
        level = "low"
        for candidate in ("high", "medium"):
            limits = oc[candidate]
            if len(stateful) >= limits["stateful_at_least"] or len(services) >= limits["services_at_least"]:
                level = candidate
                break
        # references the glossary names in the reader's language (glossary.evidence_name)
        evidence = [*compose[:2], f"compose:services={len(services)}"]
        evidence += [f"compose:stateful={', '.join(stateful)}"] if stateful else []
        fields["product.operational_complexity"] = _field(level, "inferred", 0.7, evidence, oc["source"])

    # Measured: the report's numbers.
    fields.update(measured_fields(report or {}))
    lic = (license_doc or {}).get("license") or ((report or {}).get("license") or {})
    if lic.get("spdx"):
        fields["project.license"] = _field(
            lic["spdx"], "measured", float(lic.get("confidence") or 1.0), lic.get("files") or [], "license scan"
        )
    unknown = [
        p
        for p in (
            "product.buyer",
            "product.primary_user",
            "product.mission_critical",
            "market.stage",
            "market.competitors",
            "market.cloud_provider_threat",
            "goals.primary",
            "org.size",
            "org.region",
        )
        if p not in fields
    ]
    return {"fields": fields, "unknown": unknown, "files_seen": len(files)}


def measured_fields(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The profile facts git history measures, from a ``report`` document (``{}`` without one).

    The profile's own fields and the evidence names assess reads come from the one
    mapping of report to profile (``models.strategy.evidence``), so both say the same;
    what the strategy questions also need and no profile field holds yet goes under
    ``observed.`` (``profile_yaml`` writes those as comments):

    * ``observed.top_author_commit_share`` — how concentrated the copyright may be: the
      top author's share of all commits. The report has no blame of the current lines,
      so this counts commits, and says so.
    * ``observed.monthly_active_contributors_growth_yoy`` — growth of the community: the
      mean of the monthly active contributors over the report's 12-month window against
      the 12 months before (a count of distinct people per year is not in the report);
      only when the history covers both years.
    * ``observed.releases_per_year`` (releases in the 12-month window),
      ``observed.median_days_between_releases_12m`` (of the gaps that end in that window),
      ``observed.last_release_date`` (the most
      recently tagged release) — the release rhythm.
    """
    from osslever.models.strategy.evidence import evidence_from_documents

    community = report.get("community") or {}
    out: dict[str, dict[str, Any]] = {}
    for path, item in evidence_from_documents(report=report).items():
        if path == "project.license":
            continue  # with its files, from the license scan below
        out[path] = _field(item["value"], "measured", 1.0, [item["source"].replace(":", ": ", 1)], "git history")
    top = community.get("organization_top_evidence") or {}
    if "community.top_org_share_12m" in out and top.get("name"):
        spec = out["community.top_org_share_12m"]
        known = top.get("evidence_share")
        spec["evidence"] = [str(top["name"]), *spec["evidence"]]
        if isinstance(known, int | float):
            # the share is of the commits whose organization is known: as sure as that part is large
            spec["confidence"] = round(float(known), 2)
            spec["evidence"].append(f"report:community.organization_top_evidence.evidence_share={known:.0%}")
    authors = community.get("top_contributors_all") or []
    total = community.get("commits_total")
    if authors and isinstance(total, int) and total > 0:
        out["observed.top_author_commit_share"] = _field(
            round(authors[0]["commits"] / total, 4),
            "measured",
            1.0,
            ["report: community.top_contributors_all[0].commits / community.commits_total"],
            "git history (commits: the report has no blame of the current lines)",
        )
    growth = _active_growth(community)
    if growth is not None:
        rate, now, before = growth
        out["observed.monthly_active_contributors_growth_yoy"] = _field(
            rate,
            "measured",
            1.0,
            ["report: community.monthly", f"{now:g} ÷ {before:g} − 1"],
            "git history (report: community.monthly)",
        )
    releases = community.get("releases") or {}
    if isinstance(releases.get("releases_12m"), int):
        source = "git tags (report: community.releases)"
        out["observed.releases_per_year"] = _field(
            releases["releases_12m"], "measured", 1.0, ["report: community.releases.releases_12m"], source
        )
        if releases.get("median_days_between_releases_12m") is not None:  # the window's, as releases_12m
            out["observed.median_days_between_releases_12m"] = _field(
                releases["median_days_between_releases_12m"],
                "measured",
                1.0,
                ["report: community.releases.median_days_between_releases_12m"],
                source,
            )
        key = "last_tagged_release" if releases.get("last_tagged_release_date") else "last_release"
        last = releases.get(f"{key}_date")
        if last:
            evidence = [str(releases[key])] if releases.get(key) else []
            evidence.append(f"report: community.releases.{key}_date")
            out["observed.last_release_date"] = _field(str(last), "measured", 1.0, evidence, source)
    return out


def _active_growth(community: dict[str, Any]) -> tuple[float, float, float] | None:
    """(growth, mean now, mean a year before) of the monthly active contributors, or None."""
    window = community.get("window_12m") or {}
    monthly = {m["month"]: m["active_contributors"] for m in community.get("monthly") or []}
    first = str(community.get("first_commit") or "")[:7]
    start = str(window.get("start") or "")[:7]
    if not (monthly and first and start):
        return None
    year, month = int(start[:4]), int(start[5:7])
    now = [f"{year + (month - 1 + i) // 12:04d}-{(month - 1 + i) % 12 + 1:02d}" for i in range(12)]
    before = [f"{year - 1 + (month - 1 + i) // 12:04d}-{(month - 1 + i) % 12 + 1:02d}" for i in range(12)]
    if first > before[0]:
        return None  # the history does not cover the year before: no growth to speak of
    mean_now = sum(monthly.get(m, 0) for m in now) / 12
    mean_before = sum(monthly.get(m, 0) for m in before) / 12
    if not mean_before:
        return None
    return round(mean_now / mean_before - 1, 4), round(mean_now, 2), round(mean_before, 2)


def _compose_services(text: str) -> dict[str, str]:
    """Service name → image (lower case) of every Compose document in ``text``."""
    out: dict[str, str] = {}
    try:
        docs = list(yaml.safe_load_all(text))
    except yaml.YAMLError:
        return out
    for doc in docs:
        services = (doc or {}).get("services") if isinstance(doc, dict) else None
        if not isinstance(services, dict):
            continue
        for name, spec in services.items():
            image = spec.get("image", "") if isinstance(spec, dict) else ""
            out[str(name)] = f"{str(image).lower()} {str(name).lower()}"
    return out


def _signoff_share(location: Path, commits: int) -> float | None:
    """Share of the last ``commits`` commits with a Signed-off-by trailer (None outside git)."""
    git_dir = location / ".git" if (location / ".git").exists() else location
    try:
        out = subprocess.run(
            [
                "git",
                f"--git-dir={git_dir}",
                "log",
                f"-{commits}",
                "--format=%x1e%(trailers:key=Signed-off-by,valueonly)",
            ],
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout.decode("utf-8", "replace")
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError):
        return None
    records = [r for r in out.split("\x1e")[1:]]
    if not records:
        return None
    return sum(1 for r in records if r.strip()) / len(records)


def profile_yaml(inference: dict[str, Any], name: str, lang: str = "en") -> str:
    """A ``profile.yaml`` the user can correct and pass back: every line says where its value came from.

    Only fields of the profile schema become keys (the file must load as a profile);
    other findings (an enterprise edition, the contribution agreement) are comments.
    """
    from osslever.glossary import evidence_names, field_name
    from osslever.i18n import t
    from osslever.models.strategy.schema import profile_fields

    schema = profile_fields()

    def scalar(value: Any) -> str:
        return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True).strip().removesuffix("...").strip()

    def note(spec: dict[str, Any]) -> str:
        # a file name may hold a line break: one comment line must stay one line
        named = evidence_names([str(e) for e in spec["evidence"][:3]], lang)
        evidence = " ".join(", ".join(named).split()) or "-"
        return t(f"inference.{spec['provenance']}", lang, confidence=f"{spec['confidence']:.0%}", evidence=evidence)

    sections: dict[str, list[str]] = {}
    extra: list[str] = []
    for path, spec in sorted(inference["fields"].items()):
        value = spec["value"]
        field = schema.get(path)
        if field is None:
            extra.append(f"# {path}: {scalar(value)}  # {note(spec)}")
            continue
        if isinstance(value, list) and field.type == "enum":
            value = value[0]  # the schema takes one; the first found is the most specific
        section, _, key = path.partition(".")
        sections.setdefault(section, []).append(f"  {key}: {scalar(value)}  # {note(spec)}")
    lines = [f"# {t('inference.header', lang)}", f"name: {scalar(name)}"]
    for section, entries in sections.items():
        lines.append(f"{section}:")
        lines.extend(entries)
    if extra:
        lines.append(f"# {t('inference.also_found', lang)}")
        lines.extend(extra)
    if inference["unknown"]:
        lines.append(f"# {t('inference.please_answer', lang)}")
        # the key to write, then what it is called (the reader may not know the schema)
        lines.extend(f"#   {path}  # {field_name(path, lang)}" for path in inference["unknown"])
    return "\n".join(lines) + "\n"
