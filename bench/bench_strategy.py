"""Benchmark: cost of `assess` with the founder levers ("what would change") relative to a plain assessment.

Baseline (measured in the same run): assess_document(search=False) over the example
profiles.  Prints per-profile milliseconds for both, their ratio, the rule-engine
throughput and peak memory (ru_maxrss).

    PYTHONPATH=src /work/venv/bin/python bench/bench_strategy.py
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

from osslever.models.strategy import assess_document, load_profile
from osslever.models.strategy.engine import evaluate
from osslever.models.strategy.facts import build_facts
from osslever.models.strategy.rules import load_rules

ROUNDS = 5


def main() -> None:
    folder = Path(__file__).resolve().parents[1] / "examples" / "profiles"
    profiles = [load_profile(p) for p in sorted(folder.glob("*.yaml"))]
    rules = load_rules()

    def timed(search: bool) -> float:
        start = time.perf_counter()
        for _ in range(ROUNDS):
            for profile in profiles:
                assess_document(profile, ruleset=rules, search=search)
        return (time.perf_counter() - start) / (ROUNDS * len(profiles))

    timed(False)  # warm caches
    base = timed(False)
    full = timed(True)
    facts = [build_facts(p).values for p in profiles]
    start = time.perf_counter()
    runs = 0
    while time.perf_counter() - start < 1.0:
        for values in facts:
            evaluate(rules, values)
            runs += 1
    rate = runs / (time.perf_counter() - start)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"profiles: {len(profiles)}, rules: {len(rules.rules)}")
    print(f"assess without what-if (baseline): {base * 1000:.1f} ms/profile")
    print(f"assess with what-if search:        {full * 1000:.1f} ms/profile")
    print(f"ratio with/without search:         {full / base:.1f}x")
    print(f"full rule evaluations:             {rate:,.0f} /s")
    print(f"peak memory (ru_maxrss):           {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
