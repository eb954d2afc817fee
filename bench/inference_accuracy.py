"""Accuracy of the profile inference on real repositories, against answers written beforehand.

The expected facts (bench/data/inference_cases.yaml) come from each project's README,
website and public history, written before the inference ran. Repositories are read
from a folder of clones or bare mirrors named ``owner+name`` (fetch them; never commit
them); a missing one is skipped and counted. Prints per-field accuracy, the misses,
and the time per repository against a baseline measured in the same run (listing the
files of the same trees with ``git ls-tree -r``), plus peak memory.

    PYTHONPATH=src python bench/inference_accuracy.py --mirrors /work/.mirror
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import time
from pathlib import Path

import yaml

from osslever.models.profile_inference import infer_profile

FIELDS = ("category", "delivery", "enterprise_edition", "contributor_agreement")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mirrors", type=Path, required=True)
    args = parser.parse_args()
    cases = yaml.safe_load((Path(__file__).parent / "data" / "inference_cases.yaml").read_text())["cases"]
    right = {f: 0 for f in FIELDS}
    asked = {f: 0 for f in FIELDS}
    misses = []
    skipped = 0
    spent = baseline = 0.0
    for case in cases:
        folder = args.mirrors / case["repo"].replace("/", "+")
        path = folder / "repo" if (folder / "repo").exists() else folder
        if not path.exists():
            skipped += 1
            continue
        started = time.perf_counter()
        subprocess.run(
            ["git", f"--git-dir={path}", "ls-tree", "-r", "--name-only", "HEAD"], capture_output=True, check=True
        )
        baseline += time.perf_counter() - started
        started = time.perf_counter()
        fields = infer_profile(path)["fields"]
        spent += time.perf_counter() - started
        got = {
            "category": fields.get("product.category", {}).get("value"),
            "delivery": fields.get("product.delivery", {}).get("value") or [],
            "enterprise_edition": fields.get("product.enterprise_edition", {}).get("value"),
            "contributor_agreement": fields.get("project.contributor_agreement", {}).get("value"),
        }
        for field in FIELDS:
            if field not in case:
                continue
            asked[field] += 1
            ok = case[field] in got[field] if field == "delivery" else got[field] == case[field]
            right[field] += ok
            if not ok:
                misses.append(f"{case['repo']}: {field} expected {case[field]!r}, inferred {got[field]!r}")
    print(f"repositories: {len(cases) - skipped} read, {skipped} not found")
    for field in FIELDS:
        share = right[field] / asked[field] if asked[field] else float("nan")
        print(f"{field:24s} {right[field]:2d}/{asked[field]:2d}  {share:.0%}")
    print("misses:")
    for miss in misses:
        print("  " + miss)
    ratio = spent / baseline if baseline else float("nan")
    print(f"time: inference {spent:.2f} s, baseline git ls-tree {baseline:.2f} s, ratio {ratio:.1f}x")
    print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
