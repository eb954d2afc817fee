"""Properties that must hold over many generated profiles (seeded, so reproducible).

* raising product.operational_complexity never lowers managed_cloud;
* removing copyright ownership never raises dual_license;
* identical input gives identical output;
* every model's points equal the sum of its reasons' points, and its score is
  clamp(points / 10, 0, 1) (score_full in data/strategy/engine.yaml);
* all eleven catalogue models are always present, best joint total first;
* every answer is coherent (stance, model and license fit the catalogue's declarations).
"""

import json
import random

from osslever.models.strategy.schema import profile_fields
from tests._strategy_helpers import assess, models

CATALOGUE = {
    "support_subscription",
    "professional_services",
    "open_core",
    "managed_cloud",
    "dual_license",
    "sponsorship",
    "foundation",
    "usage_api",
    "complement",
    "proprietary_product",
    "cloud_partnership",
}
N = 120


def _random_profile(rng: random.Random) -> dict:
    flat = {"name": "generated"}
    for path, field in profile_fields().items():
        if path == "name" or rng.random() < 0.25:  # leave some fields unknown
            continue
        if field.type == "enum":
            flat[path] = rng.choice(field.values)
        elif field.type == "enum_list":
            flat[path] = rng.sample(list(field.values), rng.randint(0, len(field.values)))
        elif field.type == "bool":
            flat[path] = rng.random() < 0.5
        elif field.type == "integer":
            low, high = int(field.min or 0), int(field.max or 100_000)
            flat[path] = rng.randint(low, min(high, 100_000))
        elif field.type == "number":
            flat[path] = round(rng.uniform(field.min or 0, min(field.max or 3_000_000, 3_000_000)), 3)
        elif field.type == "spdx":
            flat[path] = rng.choice(
                [
                    "MIT",
                    "Apache-2.0",
                    "GPL-3.0-only",
                    "AGPL-3.0-only",
                    "SSPL-1.0",
                    "BUSL-1.1",
                    "proprietary",
                ]
            )
    nested: dict = {}
    for path, value in flat.items():
        head, _, tail = path.partition(".")
        if tail:
            nested.setdefault(head, {})[tail] = value
        else:
            nested[head] = value
    return nested


def _with(profile: dict, path: str, value) -> dict:
    out = json.loads(json.dumps(profile))
    head, tail = path.split(".")
    section = out.setdefault(head, {})
    if value is None:
        section.pop(tail, None)
    else:
        section[tail] = value
    return out


def _points(doc: dict, model: str) -> float:
    return models(doc)[model]["points"]


def test_operational_complexity_never_lowers_managed_cloud():
    rng = random.Random(20240501)
    for _ in range(N):
        profile = _random_profile(rng)
        seq = [
            _points(assess(_with(profile, "product.operational_complexity", v)), "managed_cloud")
            for v in ("low", "medium", "high")
        ]
        assert seq == sorted(seq), seq


def test_removing_copyright_ownership_never_raises_dual_license():
    rng = random.Random(77)
    for _ in range(N):
        profile = _random_profile(rng)
        owned = _points(assess(_with(profile, "project.owns_copyright", True)), "dual_license")
        unknown = _points(assess(_with(profile, "project.owns_copyright", None)), "dual_license")
        not_owned = _points(assess(_with(profile, "project.owns_copyright", False)), "dual_license")
        assert owned >= unknown >= not_owned


def test_identical_input_identical_output():
    rng = random.Random(5)
    for _ in range(15):
        profile = _random_profile(rng)
        first = json.dumps(assess(profile, search=True), sort_keys=True)
        again = json.dumps(assess(json.loads(json.dumps(profile)), search=True), sort_keys=True)
        assert first == again


def test_scores_are_sums_of_fired_rules():
    rng = random.Random(11)
    for _ in range(N):
        doc = assess(_random_profile(rng))
        ids = [m["id"] for m in doc["business_models"]]
        assert set(ids) == CATALOGUE and len(ids) == 11
        totals = [m["total"] for m in doc["business_models"] if m["total"] is not None]
        assert totals == sorted(totals, reverse=True)
        assert all(m["total"] is None for m in doc["business_models"][len(totals) :])
        for m in doc["business_models"]:
            total = sum(r["points"] for r in m["reasons"] + m["counter_evidence"])
            assert abs(total - m["points"]) < 1e-9
            assert m["score"] == round(min(1.0, max(0.0, total / 10)), 4)
            expected_fit = (
                "strong"
                if m["score"] >= 0.6
                else "moderate"
                if m["score"] >= 0.4
                else "weak"
                if m["score"] >= 0.2
                else "poor"
            )
            assert m["fit"] == (expected_fit if m["viable"] else "poor")
            for reason in m["reasons"]:
                assert set(reason["evidence"]) == set(reason["provenance"])


def test_every_generated_answer_is_coherent():
    from osslever.models.strategy.decision import coherent

    rng = random.Random(12)
    for _ in range(N):
        doc = assess(_random_profile(rng))
        best = doc["business_models"][0]["id"]
        lic = doc["license"]["recommended"][0]
        assert doc["coherence"]["coherent"] == coherent(doc["stance"]["value"], best, lic)
        assert doc["coherence"]["coherent"] or doc["coherence"]["forced"]
