"""OpenDigger's export layout: one JSON file per metric, keys ``YYYY``, ``YYYYQn``, ``YYYY-MM``.

OpenDigger publishes one file per metric and repository with zero values omitted
(src/cron/tasks/monthlyExport.ts); duration metrics are one file with ``avg``,
``quantile_0..4`` sub-objects. Writing the same layout lets existing OpenDigger
consumers read osslever's numbers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from osslever.outputs.files import write_atomic


def _sort_key(key: str) -> tuple[int, int, int]:
    """YYYY, YYYYQn, YYYY-MM in time order, a year after its quarters and months."""
    year = int(key[:4])
    if "Q" in key:
        return (year, int(key[5]) * 3, 1)
    if "-" in key:
        return (year, int(key[5:7]), 0)
    return (year, 13, 2)


def opendigger_files(series: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """{metric: {key: value}} → {file name: JSON content} in OpenDigger's layout."""
    files: dict[str, Any] = {}
    for name, values in series.items():
        if not values:
            continue
        keys = sorted(values, key=_sort_key)
        first = values[keys[0]]
        if isinstance(first, dict):  # duration metric: one object per statistic
            stats: dict[str, dict[str, Any]] = {}
            for key in keys:
                for stat, value in values[key].items():
                    if stat == "count" or value is None:
                        continue
                    stats.setdefault(stat, {})[key] = value
            files[f"{name}.json"] = stats
        else:
            files[f"{name}.json"] = {key: values[key] for key in keys}
    return files


def write_files(folder: Path, files: dict[str, Any]) -> None:
    """Each file as compact UTF-8 JSON, written atomically with ordinary permissions."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        write_atomic(folder / name, json.dumps(content, ensure_ascii=False, sort_keys=False))
