"""Incremental, idempotent, batch-atomic ingest of one (repository, ref) history.

State per history: ``tip`` (the commit the stored history is complete up to)
and ``complete``. A run is one of:

* nothing new — same tip, complete: no git walk at all (a re-run is instant);
* fast-forward — the old tip is an ancestor of the new one: read only ``new ^old``;
* anything else (first run, rewritten history, a run that was interrupted):
  compare ``git rev-list`` with the stored hashes, delete what is gone and read
  exactly what is missing.

Every batch of commits is one transaction, and ``complete`` is set only in the
last one, so a killed run leaves whole batches and the next run finishes the job.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from osslever.identity import mailmap
from osslever.progress import Progress, Silent
from osslever.sources.git import log
from osslever.sources.git.repository import Repository
from osslever.store import Store

BATCH = 20_000

_COLUMNS = (
    "sha",
    "parents",
    "author_name",
    "author_email",
    "author_time",
    "committer_time",
    "lines_added",
    "lines_deleted",
    "files_changed",
)


@dataclass(frozen=True)
class IngestResult:
    history_id: int
    tip: str
    added: int
    removed: int
    total: int
    shallow: bool


def _history(store: Store, repo: Repository, ref: str) -> dict:
    row = store.rows("SELECT * FROM git_histories WHERE location = ? AND ref = ?", [repo.location, ref])
    if row:
        return row[0]
    with store.transaction() as con:
        con.execute(
            "INSERT INTO git_histories (location, git_dir, ref, name, slug, updated_at) VALUES (?, ?, ?, ?, ?, now())",
            [repo.location, str(repo.git_dir), ref, repo.name, repo.slug],
        )
    return store.rows("SELECT * FROM git_histories WHERE location = ? AND ref = ?", [repo.location, ref])[0]


def _batches(commits: Iterator[log.Commit], size: int) -> Iterator[dict[str, list]]:
    columns: dict[str, list] = {c: [] for c in _COLUMNS}
    n = 0
    for commit in commits:
        for name in _COLUMNS:
            columns[name].append(getattr(commit, name))
        n += 1
        if n == size:
            yield columns
            columns, n = {c: [] for c in _COLUMNS}, 0
    if n:
        yield columns


def _counted(commits: Iterator[log.Commit], progress: Progress, every: int = 500) -> Iterator[log.Commit]:
    """Advance the progress bar as commits stream by, not only when a batch lands."""
    n = 0
    for commit in commits:
        yield commit
        n += 1
        if n == every:
            progress.advance(n)
            n = 0
    if n:
        progress.advance(n)


def _warm_writer() -> None:
    """Import what ``_insert`` needs while git computes the first line stats.

    pyarrow is ~0.4 s to import, and its first table imports pandas (when installed)
    to check whether it was given a DataFrame: ~0.3-0.8 s that a first ingest paid
    after the last shard, with nothing else left to overlap it. On a thread it runs
    while the main thread waits for git.
    """
    import pyarrow as pa

    pa.table({"warm": [0]})


def _insert(store: Store, history_id: int, columns: dict[str, list]) -> None:
    import pyarrow as pa  # only when there is something to write: keeps a no-change run fast

    table = pa.table(columns)
    with store.transaction() as con:
        con.register("commit_batch", table)
        try:
            con.execute(
                "INSERT OR IGNORE INTO git_commits SELECT ?, sha, parents, author_name, author_email,"
                " author_time, committer_time, lines_added, lines_deleted, files_changed"
                " FROM commit_batch",
                [history_id],
            )
        finally:
            con.unregister("commit_batch")


def _refresh_identities(store: Store, repo: Repository, history: dict) -> None:
    """Resolve raw author fields through .mailmap; only new ones unless .mailmap changed."""
    key = mailmap.fingerprint(repo.git_dir, repo.work_tree)
    hid = history["history_id"]
    changed = key != history.get("mailmap_key")
    pending = store.execute(
        "SELECT DISTINCT c.author_name, c.author_email FROM git_commits c"
        + (
            ""
            if changed
            else " ANTI JOIN git_identities i ON i.history_id = c.history_id"
            " AND i.raw_name = c.author_name AND i.raw_email = c.author_email"
        )
        + " WHERE c.history_id = ?",
        [hid],
    ).fetchall()
    if not pending and not changed:
        return
    import pyarrow as pa

    resolved = mailmap.resolve(repo.git_dir, repo.work_tree, pending)
    table = pa.table(
        {
            "raw_name": [p[0] for p in pending],
            "raw_email": [p[1] for p in pending],
            "name": [r[0] for r in resolved],
            "identity": [r[1] for r in resolved],
        }
    )
    with store.transaction() as con:
        if changed:
            con.execute("DELETE FROM git_identities WHERE history_id = ?", [hid])
        con.register("identity_batch", table)
        try:
            con.execute(
                "INSERT OR REPLACE INTO git_identities SELECT ?, raw_name, raw_email, name, identity"
                " FROM identity_batch",
                [hid],
            )
        finally:
            con.unregister("identity_batch")
        con.execute("UPDATE git_histories SET mailmap_key = ? WHERE history_id = ?", [key, hid])


def _refresh_tags(store: Store, repo: Repository, history_id: int) -> None:
    tags = sorted(log.tags(repo.git_dir))
    stored = [
        tuple(r)
        for r in store.execute(
            "SELECT name, sha, tagged_at FROM git_tags WHERE history_id = ? ORDER BY ALL", [history_id]
        ).fetchall()
    ]
    if stored == tags:
        return
    import pyarrow as pa

    table = pa.table(
        {
            "name": [t[0] for t in tags],
            "sha": [t[1] for t in tags],
            "tagged_at": [t[2] for t in tags],
        },
        schema=pa.schema([("name", pa.string()), ("sha", pa.string()), ("tagged_at", pa.int64())]),
    )
    with store.transaction() as con:
        con.execute("DELETE FROM git_tags WHERE history_id = ?", [history_id])
        con.register("tag_batch", table)
        try:
            con.execute(
                "INSERT OR REPLACE INTO git_tags SELECT ?, name, sha, tagged_at FROM tag_batch",
                [history_id],
            )
        finally:
            con.unregister("tag_batch")


def ingest(
    store: Store,
    repo: Repository,
    ref: str = "HEAD",
    progress: Progress | None = None,
    batch_size: int = BATCH,
    workers: int | None = None,
) -> IngestResult:
    """Bring the stored history of ``repo`` at ``ref`` up to date with git.

    ``workers`` parallel git processes compute line stats (default: the usable
    cores, see ``log.default_workers``); the rows and the batch sequence are the
    same for any number.
    """
    progress = progress or Silent()
    workers = log.default_workers() if workers is None else workers
    tip = repo.head(ref)
    history = _history(store, repo, ref)
    hid = history["history_id"]
    shallow = repo.is_shallow()
    added = removed = 0

    if not (history["complete"] and history["tip"] == tip):
        old = history["tip"] if history["complete"] else None
        with store.transaction() as con:
            con.execute(
                "UPDATE git_histories SET complete = FALSE, git_dir = ? WHERE history_id = ?",
                [str(repo.git_dir), hid],
            )
        stdin_commits: list[str] | None = None
        listed: list[str] | None = None  # the commits to read, in git log order, when known
        if old and log.is_ancestor(repo.git_dir, old, tip):
            revisions, total = [tip, f"^{old}"], log.count(repo.git_dir, tip, old)
        else:
            wanted = log.rev_list(repo.git_dir, tip)
            stored = {r[0] for r in store.execute("SELECT sha FROM git_commits WHERE history_id = ?", [hid]).fetchall()}
            gone = stored.difference(wanted)
            if gone:
                with store.transaction() as con:
                    con.executemany(
                        "DELETE FROM git_commits WHERE history_id = ? AND sha = ?",
                        [(hid, sha) for sha in gone],
                    )
                removed = len(gone)
            revisions = [tip]
            if stored:
                stdin_commits = [sha for sha in wanted if sha not in stored]
            listed = stdin_commits if stdin_commits is not None else wanted
            total = len(listed)

        if total:
            progress.start(f"{repo.name}: commits", total)
            threading.Thread(target=_warm_writer, name="warm-writer", daemon=True).start()
            read = log.stream(repo.git_dir, revisions, stdin_commits, commits=listed, workers=workers)
            commits = _counted(read, progress)
            try:
                for columns in _batches(commits, batch_size):
                    _insert(store, hid, columns)
                    added += len(columns["sha"])
            finally:
                progress.finish()
        with store.transaction() as con:
            con.execute(
                "UPDATE git_histories SET tip = ?, complete = TRUE, shallow = ?, updated_at = ? WHERE history_id = ?",
                [tip, shallow, dt.datetime.now(dt.UTC).replace(tzinfo=None), hid],
            )
        history = store.rows("SELECT * FROM git_histories WHERE history_id = ?", [hid])[0]

    _refresh_identities(store, repo, history)
    _refresh_tags(store, repo, hid)
    total_commits = store.execute("SELECT count(*) FROM git_commits WHERE history_id = ?", [hid]).fetchone()[0]
    return IngestResult(hid, tip, added, removed, total_commits, shallow)
