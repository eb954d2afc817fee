"""Benchmark: identity merges, bots and organizations against hand labels.

    python bench/identity_accuracy.py [--mirror-root /work/.mirror]

Reference: ``bench/data/identity_labels.yaml`` — identities of JumpServer and Vue
core labelled by hand from what git shows (person, organization), written before
the resolver was run on these repositories. Each repository is fetched as a bare
mirror (``<mirror-root>/<owner>+<name>/repo``); mirrors are partial clones, so
line counts and licenses are left out (``bench/_partial_clone.py``).

Printed, per repository and overall:
  merges     pairwise precision / recall of "same person" over labelled identities
  bots       precision / recall of bot identities
  orgs       share of commits (by labelled identities whose organization is known:
             a company, "independent" or a bot) whose computed organization matches
Baseline measured in the same run: the identity key before issue 11 (one e-mail,
one person; bot patterns of commit 5cce212; organization from the e-mail's domain
alone, public providers as "independent"). Also: seconds of the resolver (all
identities of the history, from the store) vs the baseline (reading the same
identities and matching the old bot patterns), and peak Python memory.
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from _partial_clone import without_blobs  # noqa: E402

from osslever.engines.duckdb import DuckDBEngine  # noqa: E402
from osslever.identity import organizations  # noqa: E402
from osslever.metrics.community import facts  # noqa: E402
from osslever.sources.git.ingest import ingest  # noqa: E402
from osslever.sources.git.repository import open_repository  # noqa: E402
from osslever.store import open_store  # noqa: E402

# The bot patterns before issue 11 (data/identity/bots.yaml at commit 5cce212), the baseline.
_OLD_BOT_NAME = re.compile(
    r"\[bot\]$|^dependabot|^renovate|^github-actions|^pre-commit-ci|^(greenkeeper|snyk-bot|imgbot|allcontributors"
    r"|semantic-release-bot|mergify|codecov|k8s-ci-robot|copybara|gitter-badger|deepsource-autofix|weblate"
    r"|transifex|crowdin|stale)\b|\bbot$",
    re.IGNORECASE,
)
_OLD_BOT_EMAIL = re.compile(
    r"\[bot\]@users\.noreply\.github\.com$|^(noreply|no-reply|bot|bots|ci|automation|actions)@|^action@github\.com$"
    r"|(dependabot|renovate|github-actions)",
    re.IGNORECASE,
)


def _old_is_bot(name: str, email: str) -> bool:
    return bool(_OLD_BOT_NAME.search(name.strip()) or _OLD_BOT_EMAIL.search(email.strip().lower()))


def _pairs(groups: dict[str, str]) -> set[tuple[str, str]]:
    return {(a, b) for a, b in itertools.combinations(sorted(groups), 2) if groups[a] == groups[b]}


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def _baseline_org(email: str) -> str:
    ev = organizations.domain_evidence(email)
    return ev.organization if ev.kind == organizations.COMPANY else "independent"


def measure(slug: str, labels: dict[str, list[str]], git_dir: Path, work: Path) -> dict:
    store = open_store(work / f"{slug.replace('/', '_')}.duckdb")
    try:
        with without_blobs():
            result = ingest(store, open_repository(str(git_dir)))
        engine = DuckDBEngine(store)
        hid = result.history_id
        t0 = time.perf_counter()
        baseline_rows = engine.query(
            "SELECT DISTINCT i.identity AS email, i.name FROM git_identities i WHERE history_id = ?", [hid]
        )
        baseline_bot = {r["email"] for r in baseline_rows if _old_is_bot(r["name"], r["email"])}
        baseline_seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        resolution = facts.resolution(engine, hid)
        resolver_seconds = time.perf_counter() - t0
        facts.build(engine, hid)
        commits = engine.query(
            "SELECT i.identity AS email, f.organization, f.is_bot FROM git_commits c"
            " JOIN git_identities i ON i.history_id = c.history_id AND i.raw_name = c.author_name"
            " AND i.raw_email = c.author_email JOIN commit_facts f ON f.sha = c.sha WHERE c.history_id = ?",
            [hid],
        )
    finally:
        store.close()
    present = {e: v for e, v in labels.items() if e in resolution.person_of}
    truth = _pairs({e: v[0] for e, v in present.items()})
    predicted = _pairs({e: resolution.person_of[e] for e in present})
    tp = len(truth & predicted)
    label_bot = {e for e, v in present.items() if v[1] == "bot"}
    pred_bot = {e for e in present if resolution.people[resolution.person_of[e]].bot}
    base_bot = {e for e in present if e in baseline_bot}
    known = {e: v[1] for e, v in present.items() if v[1] != "unknown"}
    match = base_match = counted = 0
    for row in commits:
        want = known.get(row["email"])
        if want is None:
            continue
        counted += 1
        got = "bot" if row["is_bot"] else row["organization"]
        match += got == want
        base = "bot" if row["email"] in baseline_bot else _baseline_org(row["email"])
        base_match += base == want
    return {
        "slug": slug,
        "labelled": len(labels),
        "present": len(present),
        "pairs_true": len(truth),
        "pairs_predicted": len(predicted),
        "tp": tp,
        "bot_tp": len(label_bot & pred_bot),
        "bot_pred": len(pred_bot),
        "bot_true": len(label_bot),
        "base_bot_tp": len(label_bot & base_bot),
        "base_bot_pred": len(base_bot),
        "org_commits": counted,
        "org_match": match,
        "org_base_match": base_match,
        "seconds": resolver_seconds,
        "baseline_seconds": baseline_seconds,
        "false_merges": sorted(predicted - truth),
        "missed": sorted(truth - predicted),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror-root", default="/work/.mirror", type=Path)
    parser.add_argument("--labels", default=ROOT / "bench" / "data" / "identity_labels.yaml", type=Path)
    parser.add_argument("--show-errors", action="store_true", help="list false and missed merges")
    args = parser.parse_args()
    labels = yaml.safe_load(args.labels.read_text(encoding="utf-8"))["repositories"]
    tracemalloc.start()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for slug, entries in labels.items():
            git_dir = args.mirror_root / slug.replace("/", "+") / "repo"
            if not git_dir.exists():
                print(f"{slug}: no mirror at {git_dir} (fetch it first)")
                continue
            results.append(measure(slug, {k.lower(): v for k, v in entries.items()}, git_dir, Path(tmp)))
    _, peak = tracemalloc.get_traced_memory()
    total = {k: sum(r[k] for r in results) for k in results[0] if isinstance(results[0][k], int | float)}
    total["slug"] = "all"
    for r in [*results, total]:
        p, rc = _ratio(r["tp"], r["pairs_predicted"]), _ratio(r["tp"], r["pairs_true"])
        print(
            f"{r['slug']:<22} identities {r['present']:>3}/{r['labelled']:<3}"
            f" merges P={_fmt(p)} R={_fmt(rc)} (true pairs {r['pairs_true']}, predicted {r['pairs_predicted']};"
            f" baseline P=n/a R=0.000)"
        )
        print(
            f"{'':<22} bots P={_fmt(_ratio(r['bot_tp'], r['bot_pred']))} R={_fmt(_ratio(r['bot_tp'], r['bot_true']))}"
            f" (baseline P={_fmt(_ratio(r['base_bot_tp'], r['base_bot_pred']))}"
            f" R={_fmt(_ratio(r['base_bot_tp'], r['bot_true']))})"
            f"  orgs match {_fmt(_ratio(r['org_match'], r['org_commits']))} of {r['org_commits']} commits"
            f" (baseline {_fmt(_ratio(r['org_base_match'], r['org_commits']))})"
        )
        print(
            f"{'':<22} resolver {r['seconds']:.2f}s vs baseline {r['baseline_seconds']:.2f}s"
            f" (ratio {r['seconds'] / max(r['baseline_seconds'], 1e-9):.1f}x)"
        )
        if args.show_errors and "false_merges" in r:
            print(f"{'':<22} false merges: {r['false_merges']}")
            print(f"{'':<22} missed: {r['missed']}")
    print(f"peak Python memory (tracemalloc): {peak / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
