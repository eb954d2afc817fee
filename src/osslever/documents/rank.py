"""The ``rank`` document (``osslever rank --format json``): repositories by OpenRank or activity."""

from __future__ import annotations

from typing import Literal

from osslever.documents._base import Document, Month, Part


class Ranked(Part, frozen=True, kw_only=True):
    rank: int
    repo: str
    value: float


class OpenRankRun(Part, frozen=True, kw_only=True):
    """One month of OpenRank computed for this answer (nothing when already stored)."""

    period: Month
    events: int
    repos: int
    users: int
    edges: int
    iterations: int
    converged: bool


class RankNote(Part, frozen=True, kw_only=True):
    """Why the list is empty: the period asked and the months the store has."""

    key: str
    text: str
    by: str
    period: str
    first: Month
    last: Month


class RankDocument(Document, frozen=True, kw_only=True):
    """``osslever rank``: the top repositories of a month, quarter or year."""

    by: Literal["openrank", "activity"]
    period: str
    months: tuple[Month, ...]
    engine: str
    repositories: int
    items: tuple[Ranked, ...]
    computed: tuple[OpenRankRun, ...]
    notes: tuple[RankNote, ...]
