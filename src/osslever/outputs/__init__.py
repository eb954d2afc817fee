"""Documents for people and machines: JSON first, then Markdown and HTML from the same document."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def last_release_text(releases: Mapping[str, Any], lang: str) -> tuple[str, str]:
    """(name, date) of the most recent release for a report line; the date part also
    names the highest version when that is another one (``release_cadence.latest_release``)."""
    from osslever.i18n import t
    from osslever.metrics.community.release_cadence import latest_release

    name, date, highest = latest_release(releases)
    when = date or "—"
    if highest:
        when += t("report.highest_version", lang, name=highest)
    return name or "—", when
