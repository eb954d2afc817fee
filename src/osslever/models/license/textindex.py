"""Indexed full-text license matching (shingles + one inverted index in NumPy).

Why this design: a repository's LICENSE file must be compared with ~6,000
reference texts (2,300 LicenseDB licenses and 4,000 real-world variants).
Comparing pairwise would cost seconds per file; instead every reference text is
cut into word 3-grams ("shingles"), and one sorted array of
``(shingle, text id)`` pairs answers, for a query, how many of its shingles each
reference text contains — for all texts at once, with two ``searchsorted``
calls and a ``bincount``.

Tolerance: texts are lower-cased, split into words (punctuation, line breaks and
indentation vanish, so rewrapping changes nothing) and copyright lines are
dropped before shingling, so a different holder or year changes nothing either.

Scoring of a reference text R against a query Q (both as shingle sets):
``recall = |Q∩R| / |R|`` (how much of the license is present) and
``dice = 2|Q∩R| / (|Q|+|R|)`` (how alike the two are). A license is found when
its recall is at least ``MIN_RECALL``; among those the best Dice wins, its
shingles are removed from Q and the search repeats, which finds several
licenses concatenated in one file.

The index is built once from the installed data and cached under
``OSSLEVER_HOME/cache`` (about 1 s to load, a few seconds to build).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from osslever.models.license import licensedb

SHINGLE = 3
MIN_RECALL = 0.8
MIN_NEW_SHARE = 0.5
MIN_SHINGLES = 12
INDEX_FORMAT = 5

_TOKEN_RE = re.compile(r"[a-z0-9]+|[\u3400-\u9fff]")
_COPYRIGHT_LINE_RE = re.compile(
    r"^\W*(copyright\b\s*(\(c\)|©|\d{4}|\[yyyy\]|<year>|\{yyyy\}|holder|owner|notice\s*:)|"
    r"\(c\)\s*\d{4}|©|all rights reserved|spdx-filecopyrighttext)",
    re.IGNORECASE,
)
_EQUIVALENT = {"licence": "license", "licences": "licenses", "licenced": "licensed"}


def tokens(text: str) -> list[str]:
    """Words of a license text, with copyright lines and formatting removed."""
    kept = [line for line in text.splitlines() if not _COPYRIGHT_LINE_RE.match(line)]
    words = _TOKEN_RE.findall("\n".join(kept).lower())
    return [_EQUIVALENT.get(w, w) for w in words]


@dataclass
class Match:
    expression: str  # ScanCode expression of the matched reference text
    recall: float
    dice: float
    kind: str = "license"  # license | rule | notice (see licensedb.iter_texts)
    start: int = 0  # word position where the match begins in the query


@dataclass
class Result:
    matches: list[Match]
    closest: Match | None  # best reference when nothing reached MIN_RECALL
    shingles: int
    residual: str = ""  # the words no matched license explains (preambles, notices)


class LicenseIndex:
    """The inverted shingle index over every reference license text."""

    def __init__(
        self,
        vocab: dict[str, int],
        hashes: np.ndarray,
        doc_ids: np.ndarray,
        doc_sizes: np.ndarray,
        expressions: list[str],
        kinds: list[str],
    ) -> None:
        self.vocab = vocab
        self.hashes = hashes
        self.doc_ids = doc_ids
        self.doc_sizes = doc_sizes
        self.expressions = expressions
        self.kinds = kinds

    # -- building -------------------------------------------------------
    @classmethod
    def build(cls, texts: list[tuple[str, str, str]]) -> LicenseIndex:
        vocab: dict[str, int] = {}
        all_hashes: list[np.ndarray] = []
        all_docs: list[np.ndarray] = []
        sizes: list[int] = []
        expressions: list[str] = []
        kinds: list[str] = []
        seen: set[bytes] = set()
        for expression, kind, text in texts:
            ids = np.fromiter((vocab.setdefault(w, len(vocab) + 1) for w in tokens(text)), dtype=np.int64)
            shingles = np.unique(_shingles(ids))
            if len(shingles) < MIN_SHINGLES:
                continue
            fingerprint = shingles.tobytes()
            if fingerprint in seen:
                continue
            seen.add(fingerprint)
            doc = len(expressions)
            expressions.append(expression)
            kinds.append(kind)
            sizes.append(len(shingles))
            all_hashes.append(shingles)
            all_docs.append(np.full(len(shingles), doc, dtype=np.int32))
        hashes = np.concatenate(all_hashes)
        docs = np.concatenate(all_docs)
        order = np.argsort(hashes, kind="stable")
        return cls(vocab, hashes[order], docs[order], np.asarray(sizes, np.int64), expressions, kinds)

    # -- querying -------------------------------------------------------
    def match(self, text: str, max_licenses: int = 5) -> Result:
        """Licenses found in ``text`` (greedy, best Dice first), or the closest one."""
        words = tokens(text)
        ids = np.fromiter((self.vocab.get(w, 0) for w in words), dtype=np.int64)
        sequence = _shingles(ids)
        q = np.unique(sequence)
        if len(q) == 0:
            return Result([], None, 0, " ".join(words))
        left = np.searchsorted(self.hashes, q, side="left")
        right = np.searchsorted(self.hashes, q, side="right")
        lengths = right - left
        hit = lengths > 0
        if not hit.any():
            return Result([], None, len(q), " ".join(words))
        # Expand [left, right) ranges into flat posting positions.
        qidx = np.repeat(np.nonzero(hit)[0], lengths[hit])
        starts = np.repeat(left[hit], lengths[hit])
        run_starts = np.repeat(np.cumsum(lengths[hit]) - lengths[hit], lengths[hit])
        offsets = np.arange(len(qidx)) - run_starts
        docs = self.doc_ids[starts + offsets]
        n_docs = len(self.expressions)
        full = np.bincount(docs, minlength=n_docs)
        recall_full = full / self.doc_sizes
        alive = np.ones(len(q), dtype=bool)
        matches: list[Match] = []
        remaining = len(q)
        for _ in range(max_licenses):
            live = alive[qidx]
            counts = np.bincount(docs[live], minlength=n_docs)
            ok = (recall_full >= MIN_RECALL) & (counts >= MIN_NEW_SHARE * self.doc_sizes)
            if not matches:
                ok &= counts > 0
            if not ok.any():
                break
            dice = np.where(ok, 2 * counts / (remaining + self.doc_sizes), -1.0)
            best = int(np.argmax(dice))
            used = np.unique(qidx[live & (docs == best)])
            first = int(np.flatnonzero(np.isin(sequence, q[used]))[0])
            matches.append(
                Match(self.expressions[best], float(recall_full[best]), float(dice[best]), self.kinds[best], first)
            )
            alive[used] = False
            remaining = int(alive.sum())
            if remaining < MIN_SHINGLES:
                break
        residual = " ".join(words)
        if matches:
            covered_shingles = np.isin(sequence, q[~alive])
            covered = np.zeros(len(words), dtype=bool)
            for shift in range(SHINGLE):
                covered[shift : shift + len(covered_shingles)] |= covered_shingles
            residual = " ".join(w for w, c in zip(words, covered, strict=True) if not c)
        closest = None
        if not matches:
            dice_all = 2 * full / (len(q) + self.doc_sizes)
            best = int(np.argmax(dice_all))
            closest = Match(self.expressions[best], float(recall_full[best]), float(dice_all[best]), self.kinds[best])
        return Result(matches, closest, len(q), residual)


def _shingles(ids: np.ndarray) -> np.ndarray:
    """Pack each run of three word ids into one int64 (21 bits each: exact, no collisions)."""
    if len(ids) < SHINGLE:
        return ids[:0]
    return (ids[:-2] << 42) | (ids[1:-1] << 21) | ids[2:]


_INDEX: LicenseIndex | None = None


def _cache_file() -> Path:
    from osslever import paths

    name = f"license-index-v{INDEX_FORMAT}-{licensedb.data_version()}.npz"
    return paths.index_cache() / name


def _save(index: LicenseIndex, path: Path) -> None:
    """Plain arrays and text only (no pickle: a cache file is never code)."""
    words = sorted(index.vocab, key=index.vocab.__getitem__)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".license-index-", suffix=".npz", dir=path.parent)
    with os.fdopen(fd, "wb") as fh:
        np.savez(
            fh,
            hashes=index.hashes,
            doc_ids=index.doc_ids,
            doc_sizes=index.doc_sizes,
            words=np.frombuffer("\n".join(words).encode("utf-8"), dtype=np.uint8),
            expressions=np.frombuffer(json.dumps([index.expressions, index.kinds]).encode("utf-8"), np.uint8),
        )
    os.replace(tmp, path)


def _load(path: Path) -> LicenseIndex:
    with np.load(path, allow_pickle=False) as data:
        words = data["words"].tobytes().decode("utf-8").split("\n")
        expressions, kinds = json.loads(data["expressions"].tobytes().decode("utf-8"))
        return LicenseIndex(
            {w: i + 1 for i, w in enumerate(words)},
            data["hashes"],
            data["doc_ids"],
            data["doc_sizes"],
            expressions,
            kinds,
        )


def get_index() -> LicenseIndex:
    """The process-wide index: from the cache file, else built and cached."""
    global _INDEX
    if _INDEX is not None:
        return _INDEX
    cache = _cache_file()
    try:
        _INDEX = _load(cache)
        return _INDEX
    except (OSError, ValueError, KeyError, UnicodeDecodeError):
        pass
    _INDEX = LicenseIndex.build(licensedb.iter_texts())
    with contextlib.suppress(OSError):  # a read-only home only costs a rebuild next time
        _save(_INDEX, cache)
    return _INDEX
