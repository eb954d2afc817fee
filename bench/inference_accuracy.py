"""Accuracy of the profile inference on real repositories, against answers written beforehand.

The expected facts (bench/data/inference_cases.yaml) come from each project's README,
website and public history, written before the inference ran. Each case belongs to a
split: ``tuning`` (the rules were tuned on them: their figure flatters the rules),
``heldout`` (scored only after their expectations were committed) and ``sealed`` (like
heldout, but their misses and confusion stay hidden unless ``--show-sealed``, so that no rule is
changed with them in view) and ``fresh`` (added after the last rule change and scored
once, on the final rules; hidden like sealed). Accuracy is printed per split and field, with the category
confusion of each split, so the tuned figure is never mistaken for the honest one.

Repositories are read from a folder of clones or bare mirrors named ``owner+name``
(fetch them; never commit them); a missing one is skipped and counted. Also prints the
time per repository against a baseline measured in the same run (listing the files of
the same trees with ``git ls-tree -r``), plus peak memory.

    PYTHONPATH=src python bench/inference_accuracy.py --mirrors /work/.mirror
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import time
from collections import Counter
from pathlib import Path

import yaml

from osslever.models.profile_inference import infer_profile

FIELDS = ("category", "delivery", "enterprise_edition", "contributor_agreement")
SPLITS = ("tuning", "heldout", "sealed", "fresh")
SURE = 0.6  # the category's confidence from which it is counted as "sure" (calibration lines)
HIDDEN = ("sealed", "fresh")  # misses and confusion printed only with --show-sealed


def _got(fields: dict) -> dict:
    return {
        "category": fields.get("product.category", {}).get("value"),
        "delivery": fields.get("product.delivery", {}).get("value") or [],
        "enterprise_edition": fields.get("product.enterprise_edition", {}).get("value"),
        "contributor_agreement": fields.get("project.contributor_agreement", {}).get("value"),
    }


def _confusion(pairs: list[tuple[str, str]]) -> list[str]:
    """Rows: expected category; columns: inferred; a dot for zero."""
    labels = sorted({e for e, _ in pairs} | {str(g) for _, g in pairs})
    short = {label: label[:6] for label in labels}
    counts = Counter(pairs)
    lines = ["    expected \\ inferred  " + " ".join(f"{short[c]:>6s}" for c in labels)]
    for row in sorted({e for e, _ in pairs}):
        cells = " ".join(f"{counts[(row, c)] or '.':>6}" for c in labels)
        lines.append(f"    {row:21s} {cells}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mirrors", type=Path, required=True)
    parser.add_argument(
        "--show-sealed",
        action="store_true",
        help="also print the misses and category confusion of the sealed and fresh splits",
    )
    args = parser.parse_args()
    cases = yaml.safe_load((Path(__file__).parent / "data" / "inference_cases.yaml").read_text())["cases"]
    right = {s: Counter() for s in SPLITS}
    asked = {s: Counter() for s in SPLITS}
    read = Counter()
    categories: dict[str, list[tuple[str, str]]] = {s: [] for s in SPLITS}
    misses: dict[str, list[str]] = {s: [] for s in SPLITS}
    banded: dict[str, dict[bool, list[bool]]] = {s: {True: [], False: []} for s in SPLITS}
    skipped: list[str] = []
    spent = baseline = 0.0
    for case in cases:
        split = case["split"]
        folder = args.mirrors / case["repo"].replace("/", "+")
        path = folder / "repo" if (folder / "repo").exists() else folder
        if not path.exists():
            skipped.append(case["repo"])
            continue
        read[split] += 1
        started = time.perf_counter()
        subprocess.run(
            ["git", f"--git-dir={path}", "ls-tree", "-r", "--name-only", "HEAD"], capture_output=True, check=True
        )
        baseline += time.perf_counter() - started
        started = time.perf_counter()
        fields = infer_profile(path)["fields"]
        got = _got(fields)
        sure = fields.get("product.category", {}).get("confidence", 0) >= SURE
        spent += time.perf_counter() - started
        for field in FIELDS:
            if field not in case:
                continue
            asked[split][field] += 1
            ok = case[field] in got[field] if field == "delivery" else got[field] == case[field]
            right[split][field] += ok
            if field == "category":
                categories[split].append((case[field], str(got[field])))
                banded[split][sure].append(ok)
            if not ok:
                misses[split].append(f"{case['repo']}: {field} expected {case[field]!r}, inferred {got[field]!r}")
    print(
        f"repositories: {sum(read.values())} read ({', '.join(f'{s} {read[s]}' for s in SPLITS)}); "
        f"not found: {', '.join(skipped) or 'none'}"
    )
    print(f"{'field':24s} " + " ".join(f"{s:>14s}" for s in SPLITS))
    for field in (*FIELDS, "all"):
        cells = []
        for split in SPLITS:
            r = sum(right[split].values()) if field == "all" else right[split][field]
            a = sum(asked[split].values()) if field == "all" else asked[split][field]
            cells.append(f"{r:3d}/{a:<3d} {r / a:4.0%}" if a else f"{'-':>14s}")
        print(f"{field:24s} " + " ".join(f"{c:>14s}" for c in cells))
    for sure, label in ((True, f"category, confidence >= {SURE:.0%}"), (False, f"category, confidence < {SURE:.0%}")):
        cells = []
        for split in SPLITS:
            oks = banded[split][sure]
            cells.append(f"{sum(oks):3d}/{len(oks):<3d} {sum(oks) / len(oks):4.0%}" if oks else f"{'-':>14s}")
        print(f"{label:24s} " + " ".join(f"{c:>14s}" for c in cells))
    for split in SPLITS:
        if split in HIDDEN and not args.show_sealed:
            continue  # the confusion names the sealed misses as surely as the list does
        if categories[split]:
            print(f"category confusion, {split}:")
            print("\n".join(_confusion(categories[split])))
    for split in SPLITS:
        if split in HIDDEN and not args.show_sealed:
            print(f"misses, {split}: {len(misses[split])} (hidden; --show-sealed prints them)")
            continue
        print(f"misses, {split}:")
        for miss in misses[split]:
            print("  " + miss)
    ratio = spent / baseline if baseline else float("nan")
    print(f"time: inference {spent:.2f} s, baseline git ls-tree {baseline:.2f} s, ratio {ratio:.1f}x")
    print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
