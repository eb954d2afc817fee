"""Benchmark: license scan of a generated 100k-file repository.

Baseline (the floor): a plain ``os.walk`` listing of the same tree, measured in
the same run, warm cache for both. The scan must only list names and read the
few candidate files, so its time should stay within a small factor of the floor.

    PYTHONPATH=src python bench/license_scan.py [--files 100000] [--deps 2000] [--tree DIR]

(``--tree DIR`` keeps the generated tree for reruns: writing 100k files takes
longer than scanning them.)

Prints: floor seconds, detect_license seconds and ratio, license_document
seconds and ratio (dependencies + compatibility + implications), index load
time, and peak memory (ru_maxrss).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from osslever.models.license import detect_license, license_document, licensedb  # noqa: E402
from osslever.models.license.textindex import get_index  # noqa: E402


def license_text(key: str) -> str:
    raw = (licensedb.data_dir() / "licenses" / f"{key}.LICENSE").read_text(encoding="utf-8")
    return raw[raw.index("\n---", 3) + 4 :] if raw.startswith("---") else raw


def generate(root: Path, files: int, deps: int) -> None:
    """1,000 folders three levels deep, small source files, a few licenses and manifests."""
    per_dir = max(1, files // 1000)
    made = 0
    for a in range(10):
        for b in range(10):
            for c in range(10):
                folder = root / f"pkg{a}" / f"mod{b}" / f"part{c}"
                folder.mkdir(parents=True, exist_ok=True)
                for i in range(per_dir):
                    header = "// SPDX-License-Identifier: Apache-2.0\n" if i == 0 else ""
                    (folder / f"f{i}.go").write_text(f"{header}package p{i}\n")
                    made += 1
    (root / "LICENSE").write_text(license_text("apache-2.0"))
    (root / "NOTICE").write_text("Example project\nCopyright 2024 Example\n")
    (root / "ee").mkdir()
    (root / "ee" / "LICENSE").write_text(license_text("elastic-license-v2"))
    packages = {"": {"name": "app", "version": "1.0.0"}}
    licenses = ["MIT", "ISC", "Apache-2.0", "BSD-3-Clause", "GPL-3.0-only", "LGPL-2.1-only"]
    for i in range(deps):
        packages[f"node_modules/dep{i}"] = {"version": f"1.0.{i}", "license": licenses[i % 6]}
    (root / "package.json").write_text(json.dumps({"name": "app", "license": "Apache-2.0"}))
    (root / "package-lock.json").write_text(json.dumps({"lockfileVersion": 3, "packages": packages}))
    print(f"generated {made + 5} files under {root}")


def floor(root: Path) -> tuple[float, int]:
    start = time.perf_counter()
    count = 0
    for _, _, names in os.walk(root):
        count += len(names)
    return time.perf_counter() - start, count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--deps", type=int, default=2_000)
    parser.add_argument("--tree", type=Path, default=None, help="generate into (or reuse) this folder and keep it")
    args = parser.parse_args()
    start = time.perf_counter()
    get_index()
    index_s = time.perf_counter() - start
    tmp = args.tree or Path(tempfile.mkdtemp(prefix="osslever-bench-"))
    try:
        if not (tmp / "LICENSE").exists():
            tmp.mkdir(parents=True, exist_ok=True)
            generate(tmp, args.files, args.deps)
        floor(tmp)  # warm the directory cache for both contenders
        floor_s, count = min(floor(tmp) for _ in range(3))
        runs = []
        for _ in range(3):
            t0 = time.perf_counter()
            result = detect_license(tmp)
            runs.append(time.perf_counter() - t0)
        detect_s = min(runs)
        runs = []
        for _ in range(3):
            t0 = time.perf_counter()
            doc = license_document(tmp)
            runs.append(time.perf_counter() - t0)
        doc_s = min(runs)
    finally:
        if args.tree is None:
            shutil.rmtree(tmp, ignore_errors=True)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"files listed by os.walk        : {count}")
    print(f"license index load (or build)  : {index_s:.2f} s")
    print(f"floor  os.walk listing         : {floor_s:.3f} s")
    print(
        f"detect_license                 : {detect_s:.3f} s  ratio {detect_s / floor_s:.2f}x  "
        f"→ {result['spdx']} (scoped {[s['spdx'] for s in result['scoped']]})"
    )
    print(
        f"license_document ({len(doc['dependencies'])} deps)   : {doc_s:.3f} s  "
        f"ratio {doc_s / floor_s:.2f}x  conflicts {len(doc['conflicts'])}"
    )
    print(f"peak memory (ru_maxrss)        : {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
