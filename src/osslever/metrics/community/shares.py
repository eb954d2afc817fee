"""The "smallest group holding half" family of factors (CHAOSS), shared arithmetic.

Both the contributor absence factor (bus factor) and the elephant factor ask:
sorted by contributions, how few holders make up at least half of the total?
"""

from __future__ import annotations

from collections.abc import Iterable


def smallest_majority(counts: Iterable[int], threshold: float = 0.5) -> int:
    """Fewest items whose counts add up to ≥ ``threshold`` of the sum (0 when empty)."""
    ordered = sorted((c for c in counts if c > 0), reverse=True)
    total = sum(ordered)
    running = 0
    for n, count in enumerate(ordered, start=1):
        running += count
        if running >= threshold * total:
            return n
    return 0
