"""Evaluation of the joint strategy decision over real cases and generated profiles.

    PYTHONPATH=src python bench/strategy_eval.py [--generated 1000] [--seed 7] [-v]

Over the cases of bench/cases/*.yaml (profiles written from public history before the
engine was run; expected answers with sources) it prints:

* top-1: the expected business model is the unique best (a tie counts as a miss);
* top-3: the expected model is among the three best distinct models;
* stance accuracy and license accuracy (``keep`` or the expected family);
* coherence violations: answers whose stance, model and license do not fit the
  catalogue's declarations (checked here from the data, independently of the engine),
  and answers the engine itself flags as forced by the declared facts;
* robustness flips: a case's stance changes when one numeric field (revenue shares,
  counts, shares, company age) is multiplied by 0.8 or 1.2.

``--without-revenue`` is an ablation: what already earns is the strongest evidence, so
it shows how far the seed drivers and the other facts get on their own.

Then the same coherence and robustness figures over N generated profiles (random v2
profiles over every enumeration of the schema), the cost of a full assessment (levers
included) relative to the bare decision measured in the same run, and peak memory.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from osslever.models.license.families import families_of_expression, rule_spelling
from osslever.models.strategy import assess_document
from osslever.models.strategy.data import load_data
from osslever.models.strategy.facts import build_facts
from osslever.models.strategy.profile import flatten, unflatten, validate_profile
from osslever.models.strategy.rules import load_rules

HERE = Path(__file__).resolve().parent
DECISION = load_data("decision.yaml")
SCHEMA = load_data("profile_schema.yaml")


def load_cases() -> list[dict]:
    cases = []
    for path in sorted((HERE / "cases").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        profile = dict(doc["profile"])
        if doc.get("as_of") is not None:
            profile["as_of"] = doc["as_of"]
        cases.append({"id": path.stem, "expected": doc["expected"], "profile": validate_profile(profile, str(path))})
    return cases


def run(profile: dict, ruleset) -> dict:
    return assess_document(profile, ruleset=ruleset, search=False)


def violation(doc: dict) -> str | None:
    """Independent coherence check of one answer against decision.yaml's declarations."""
    stance = doc["stance"]["value"]
    model = doc["business_models"][0]["id"]
    lic = (doc["license"]["recommended"] or [None])[0]
    if stance is None or lic is None:
        return "no answer"
    spec = DECISION["models"][model]
    if stance not in spec["stances"]:
        return f"{model} is not declared for {stance}"
    fams = {rule_spelling(f) for f in families_of_expression(lic)} - {"unknown", "none", "other"}
    open_f = set(DECISION["families"]["open"])
    restricted = set(DECISION["families"]["restricted"])
    allowed = set(spec["licenses"])
    if stance == "open" and not (fams and fams <= open_f & allowed):
        return f"open with {lic}"
    if stance == "closed" and not (fams and fams <= {"proprietary"}):
        return f"closed with {lic}"
    if stance == "hybrid":
        shared = fams - {"proprietary"}
        if not shared or not shared <= allowed | restricted or not shared & allowed:
            return f"hybrid {model} with {lic}"
    if not doc["coherence"]["coherent"]:
        return "flagged by the engine: " + ", ".join(doc["coherence"]["forced"])
    return None


def ranked_models(doc: dict) -> list[str]:
    return [m["id"] for m in doc["business_models"] if m["total"] is not None]


def perturbations(profile: dict) -> list[tuple[str, dict]]:
    """Every numeric field ×0.8 and ×1.2 (company age instead of the founding year)."""
    flat = flatten(profile)
    fields = SCHEMA["fields"]
    out = []
    for path, value in flat.items():
        spec = fields.get(path, {})
        if spec.get("type") not in ("integer", "number") or path in ("as_of",):
            continue
        for factor in (0.8, 1.2):
            changed = dict(flat)
            if path == "org.founded":
                as_of = flat.get("as_of", 2025)
                age = max(0, as_of - value)
                changed[path] = int(round(as_of - age * factor))
            else:
                new = value * factor
                if spec.get("max") is not None:
                    new = min(new, spec["max"])
                changed[path] = int(round(new)) if spec["type"] == "integer" else new
            out.append((f"{path}x{factor}", unflatten(changed)))
    return out


def generate(rng: random.Random, index: int) -> dict:
    """A random v2 profile: every enumeration of the schema, some fields left unknown."""
    fields = SCHEMA["fields"]
    flat: dict[str, Any] = {"name": f"generated-{index}"}
    licenses = [
        "MIT",
        "Apache-2.0",
        "GPL-3.0-only",
        "AGPL-3.0-only",
        "LGPL-3.0-only",
        "MPL-2.0",
        "SSPL-1.0",
        "BUSL-1.1",
        "proprietary",
        "Apache-2.0 AND LicenseRef-proprietary",
        "LicenseRef-scancode-llama-3-license-2024",
    ]
    for path, spec in fields.items():
        if path in ("name",) or path.startswith(("revenue.", "finance.")) or rng.random() < 0.2:
            continue
        kind = spec["type"]
        if kind == "enum":
            flat[path] = rng.choice(spec["values"])
        elif kind == "enum_list":
            flat[path] = rng.sample(spec["values"], rng.randint(1, min(3, len(spec["values"]))))
        elif kind == "bool":
            flat[path] = rng.random() < 0.5
        elif kind == "spdx":
            flat[path] = rng.choice(licenses)
        elif path == "as_of":
            flat[path] = rng.randint(2005, 2026)
        elif path == "org.founded":
            flat[path] = rng.randint(1990, 2025)
        elif kind == "integer":
            flat[path] = rng.randint(int(spec.get("min") or 0), int(spec.get("max") or 50000))
        elif kind == "number":
            flat[path] = round(rng.uniform(float(spec.get("min") or 0), float(spec.get("max") or 1)), 3)
    if "as_of" in flat and "org.founded" in flat and flat["org.founded"] > flat["as_of"]:
        flat["org.founded"] = flat["as_of"]
    lines = rng.sample(list(DECISION["revenue_lines"]), rng.randint(0, 3))
    left = 1.0
    for line in lines:
        share = round(rng.uniform(0.05, left), 3) if left > 0.05 else 0.0
        flat[f"revenue.{line}"] = share
        left -= share
    return validate_profile(unflatten(flat), "<generated>")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--generated", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument(
        "--without-revenue",
        action="store_true",
        help="ablation: drop every case's revenue lines, so only the seed drivers and facts decide",
    )
    args = parser.parse_args()
    ruleset = load_rules()
    cases = load_cases()
    if args.without_revenue:
        for case in cases:
            case["profile"].pop("revenue", None)

    top1 = top3 = stance_ok = license_ok = 0
    violations: list[str] = []
    flips: list[str] = []
    misses: list[str] = []
    for case in cases:
        exp = case["expected"]
        doc = run(case["profile"], ruleset)
        models = ranked_models(doc)
        tie = bool(doc["stance"]["ties"])
        got_model = models[0] if models else None
        hit1 = got_model == exp["model"] and not tie
        top1 += hit1
        top3 += exp["model"] in models[:3]
        stance = doc["stance"]["value"]
        stance_ok += stance == exp["stance"]
        lic = doc["license"]
        lic_hit = (lic["action"] == "keep") if exp["license"] == "keep" else (lic["family"] == exp["license"])
        license_ok += lic_hit
        bad = violation(doc)
        if bad:
            violations.append(f"{case['id']}: {bad}")
        if not (hit1 and stance == exp["stance"] and lic_hit):
            misses.append(
                f"{case['id']}: expected {exp['stance']}/{exp['model']}/{exp['license']}, "
                f"got {stance}/{got_model}/{lic['action']}{' (tie)' if tie else ''}"
            )
        for label, changed in perturbations(case["profile"]):
            if run(changed, ruleset)["stance"]["value"] != stance:
                flips.append(f"{case['id']}: {label}")

    n = len(cases)
    print(f"cases: {n}")
    print(f"  top-1 model:       {top1}/{n} = {top1 / n:.1%}")
    print(f"  top-3 model:       {top3}/{n} = {top3 / n:.1%}")
    print(f"  stance accuracy:   {stance_ok}/{n} = {stance_ok / n:.1%}")
    print(f"  license accuracy:  {license_ok}/{n} = {license_ok / n:.1%}")
    print(f"  coherence violations: {len(violations)}")
    print(f"  robustness flips (±20% on each numeric field): {len(flips)}")
    for line in misses + violations + flips if args.verbose or misses else []:
        print(f"    {line}")

    rng = random.Random(args.seed)
    generated = [generate(rng, i) for i in range(args.generated)]
    gen_violations: list[str] = []
    gen_flips = 0
    gen_forced = 0
    stances: dict[str, int] = {}
    for profile in generated:
        doc = run(profile, ruleset)
        stances[str(doc["stance"]["value"])] = stances.get(str(doc["stance"]["value"]), 0) + 1
        bad = violation(doc)
        if bad and bad.startswith("flagged"):
            gen_forced += 1
        elif bad:
            gen_violations.append(f"{profile['name']}: {bad}")
    flip_fields: dict[str, int] = {}
    for profile in generated[:100]:
        stance = run(profile, ruleset)["stance"]["value"]
        for label, changed in perturbations(profile):
            if run(changed, ruleset)["stance"]["value"] != stance:
                gen_flips += 1
                field = label.split("x")[0]
                flip_fields[field] = flip_fields.get(field, 0) + 1
    print(f"generated profiles: {len(generated)} (seed {args.seed}); stances {dict(sorted(stances.items()))}")
    print(f"  coherence violations (unflagged): {len(gen_violations)}")
    print(f"  answers flagged as forced by the declared facts: {gen_forced}")
    print(f"  robustness flips over the first 100 (±20% on each numeric field): {gen_flips} {flip_fields}")
    for line in gen_violations[:10]:
        print(f"    {line}")

    profiles = [c["profile"] for c in cases]
    from osslever.models.strategy.decision import decide

    start = time.perf_counter()
    for profile in profiles:
        facts = build_facts(profile)
        decide(facts.values, facts.provenance)
    base = (time.perf_counter() - start) / len(profiles)
    start = time.perf_counter()
    for profile in profiles:
        assess_document(profile, ruleset=ruleset, search=True)
    full = (time.perf_counter() - start) / len(profiles)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"timing: decision alone {base * 1000:.2f} ms/case (baseline)")
    print(f"  full assess with levers {full * 1000:.2f} ms/case")
    print(f"  ratio full/baseline: {full / base:.1f}x; peak memory {peak:.0f} MiB")
    ok = top1 / n >= 0.9 and stance_ok / n >= 0.9 and not violations and not gen_violations
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
