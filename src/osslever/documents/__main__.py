"""Write the generated JSON Schemas: ``python -m osslever.documents [--check] [FOLDER]``.

The committed files under ``docs/schemas/`` are the contracts; a test runs
``--check`` so a changed type without regenerated files fails CI.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from osslever.documents import KINDS, json_schema

DEFAULT_FOLDER = Path(__file__).resolve().parents[3] / "docs" / "schemas"


def render(kind: str) -> str:
    """One schema file's exact text (sorted keys, two-space indent, final newline)."""
    return json.dumps(json_schema(kind), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def stale(folder: Path) -> list[str]:
    """Names of schema files that are missing or differ from the types (plus files of no kind)."""
    out = []
    for kind in KINDS:
        path = folder / f"{kind}.schema.json"
        if not path.is_file() or path.read_text(encoding="utf-8") != render(kind):
            out.append(path.name)
    known = {f"{k}.schema.json" for k in KINDS}
    out += [p.name for p in sorted(folder.glob("*.schema.json")) if p.name not in known]
    return out


def main(argv: list[str]) -> int:
    check = "--check" in argv
    rest = [a for a in argv if a != "--check"]
    folder = Path(rest[0]) if rest else DEFAULT_FOLDER
    if check:
        bad = stale(folder) if folder.is_dir() else [f"{k}.schema.json" for k in KINDS]
        for name in bad:
            print(f"{folder}/{name}: out of date; run python -m osslever.documents", file=sys.stderr)
        return 1 if bad else 0
    folder.mkdir(parents=True, exist_ok=True)
    for kind in KINDS:
        (folder / f"{kind}.schema.json").write_text(render(kind), encoding="utf-8")
    print(f"wrote {len(KINDS)} schemas to {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
