"""Release frequency (CHAOSS "Release Frequency"), from git tags.

Every tag that points at a commit is considered — on any branch, not only those
reachable from the analysed ref, because projects cut releases on release
branches (JumpServer's v4.10.x, Redis's 7.4.x). A tag is a *release* when its name
is a version (``data/releases.yaml``); versions with a pre-release suffix
(``-rc.1``, ``-beta``, ``8.0-m01``) are counted apart; other tags
(``with-deprecated-diskstore``) are listed as not versions. A release's date is
the annotated tag's date, else its commit's.

Reported: releases in the window and over the history; the median days between
consecutive release days (several lines tagged the same day are one release) over the
history, and of the gaps that end in the window (``_12m``: a release day of the window
and the one before it); the latest release (the highest version, as semver orders them —
a patch to an old line tagged later is not "latest"), the most recently tagged release,
pre-releases and the tags that do not count.
https://chaoss.community/kb/metric-release-frequency/
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from statistics import median
from typing import Any

from osslever import safe_yaml
from osslever.engines import Engine
from osslever.metrics.windows import Window


@dataclass(frozen=True)
class Version:
    numbers: tuple[int, ...]
    prerelease: bool
    suffix: str

    def sort_key(self) -> tuple:
        # a pre-release sorts before its release (semver §11.3)
        return (self.numbers, 0 if self.prerelease else 1, self.suffix)


@lru_cache(maxsize=1)
def _rules() -> tuple[re.Pattern[str], frozenset[str], re.Pattern[str], frozenset[str], int]:
    data = safe_yaml.packaged((resources.files("osslever") / "data" / "releases.yaml").read_text("utf-8"))
    return (
        re.compile(data["version_pattern"]),
        frozenset(data["prerelease_words"]),
        re.compile(data["prerelease_short"], re.IGNORECASE),
        frozenset(data["release_words"]),
        int(data["max_single_number"]),
    )


def parse(tag: str) -> Version | None:
    """The version a tag names, or None when it names none."""
    pattern, pre_words, pre_short, release_words, max_single = _rules()
    match = pattern.match(tag.strip())
    if not match:
        return None
    numbers = tuple(int(g) for g in match.groups()[:4] if g is not None)
    if len(numbers) == 1 and numbers[0] > max_single:
        return None
    suffix = (match.group(6) or "").lower()
    words = [w for w in re.split(r"[^a-z0-9]+", suffix) if w]
    if match.group(5) == "+" or not words or all(w in release_words or w.isdigit() for w in words):
        return Version(numbers, False, suffix)
    if any(w.rstrip("0123456789") in pre_words for w in words) or pre_short.match(suffix):
        return Version(numbers, True, suffix)
    # an unknown word after the numbers ("2.0-with-deprecated-diskstore") names no release
    return None


def release_cadence(engine: Engine, history_id: int, window: Window) -> dict:
    rows = engine.query(
        "SELECT name, tagged_at, sha IN (SELECT sha FROM commit_facts) AS on_ref"
        " FROM git_tags WHERE history_id = ? ORDER BY tagged_at, name",
        [history_id],
    )
    releases, pre, other = [], [], []
    for r in rows:
        version = parse(r["name"])
        entry = {
            "name": r["name"],
            "date": dt.datetime.fromtimestamp(r["tagged_at"], dt.UTC).date(),
            "on_ref": bool(r["on_ref"]),
            "version": version,
        }
        (other if version is None else pre if version.prerelease else releases).append(entry)
    days = [e["date"] for e in releases]
    # gaps between release days: maintained lines tagged together (express's 4.22.1 and
    # 5.2.1 the same day) are one release event, not a gap of 0 days
    release_days = sorted(set(days))
    gaps = [(b - a).days for a, b in zip(release_days, release_days[1:], strict=False)]
    # the gaps that end in the window: the current rhythm (a project that released weekly
    # ten years ago and yearly now has a history median of days, not of a year)
    gaps_12m = [
        (b - a).days for a, b in zip(release_days, release_days[1:], strict=False) if window.start <= b < window.end
    ]
    latest = max(releases, key=lambda e: (e["version"].sort_key(), e["date"])) if releases else None
    # The newest release by day; of the tags of that day, the highest version:
    # projects tag several maintained lines at once (redis tagged 7.4.1, 7.2.6 and
    # 6.2.16 on 2024-10-02), and a page naming "the latest release" must name the
    # same one wherever that day is also the highest version's.
    newest = max(releases, key=lambda e: (e["date"], e["version"].sort_key())) if releases else None
    latest_pre = max(pre, key=lambda e: (e["version"].sort_key(), e["date"])) if pre else None
    return {
        "releases_total": len(releases),
        "releases_12m": sum(1 for d in days if window.start <= d < window.end),
        "median_days_between_releases": median(gaps) if gaps else None,
        "median_days_between_releases_12m": median(gaps_12m) if gaps_12m else None,
        "last_release": latest["name"] if latest else None,
        "last_release_date": latest["date"].isoformat() if latest else None,
        "last_tagged_release": newest["name"] if newest else None,
        "last_tagged_release_date": newest["date"].isoformat() if newest else None,
        "releases_off_ref": sum(1 for e in releases if not e["on_ref"]),
        "prereleases_total": len(pre),
        "last_prerelease": latest_pre["name"] if latest_pre else None,
        "tags_total": len(rows),
        "tags_not_versions": sorted(e["name"] for e in other),
        "counted": "tags whose name is a version (data/releases.yaml), on every branch; pre-releases apart",
    }


def latest_release(releases: Mapping[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(the most recent release, its date, the highest version when that is another one).

    What a page calls "the last release" is the newest by date (``last_tagged_release``):
    express tagged 4.22.2 months after 5.2.1. The highest version (``last_release``) is
    named beside it when it differs, so a reader sees both lines. Reports written before
    ``last_tagged_release`` existed give the highest version alone.
    """
    highest = releases.get("last_release")
    name = releases.get("last_tagged_release") or highest
    date = releases.get("last_tagged_release_date") or releases.get("last_release_date")
    return name, str(date) if date else None, highest if highest and highest != name else None
