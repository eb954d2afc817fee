"""The one core object: a store, its engine, refresh steps that write, builders that read.

Modelled on Datasette's ``Datasette``, sqlite-utils' ``Database`` and httpx's
``Client``: one object owns the resource (the DuckDB store), constructs what
runs queries on it (through ``osslever.engines.get_engine``, the one
constructor) and offers every document the CLI prints, the web serves and
``osslever.api`` returns. The CLI, the web handlers and the library are thin
adapters over it, so the three cannot give different answers.

Two kinds of methods, never mixed:

* **refresh steps** write into the store — ``ingest_git``, ``ingest_gharchive``
  (with the re-download of damaged hours), ``refresh_license`` (the per-commit license cache), ``refresh_openrank``
  (OpenDigger's OpenRank for every month up to a period) and
  ``refresh_report`` (the three for one repository). The CLI runs them before
  it builds; the web server runs them in its ingest jobs and once at start.
* **document builders** only read — ``report``, ``metrics``, ``license``,
  ``finance``, ``forecast``, ``assess``, ``dossier``, ``rank``, ``opendigger``. They work
  on a store opened ``read_only=True`` (tested), so showing a page or
  printing a report never takes the store's single-writer lock.

Every builder ends in ``_finish(kind, doc)``, the one place where a document
leaves the core: there it is checked against its type in ``documents/``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from osslever import i18n
from osslever.engines import Engine, get_engine
from osslever.errors import UserError
from osslever.progress import Progress
from osslever.store import Store, open_store


def _finish(kind: str, doc: dict) -> dict:
    """Where every document leaves the core: checked against its type (``documents/``).

    The typed document is the contract. With ``OSSLEVER_STRICT_DOCUMENTS=1`` (set for
    the whole test suite, tests/conftest.py) a builder that produces a key the type
    does not declare, or a value of the wrong shape, fails here with the JSON path, so
    the schema can never lag behind the code unnoticed; for users the document goes
    on as built (a lagging schema is a bug to fix, not a reason to lose a report).
    The plain dict goes on either way (renderers and the API read dicts).
    """
    import os

    from osslever.documents import KINDS, typed

    if kind in KINDS and os.environ.get("OSSLEVER_STRICT_DOCUMENTS") == "1":
        typed(kind, doc)
    return doc


class Workspace:
    """A store and its engine; see the module docstring for refresh steps vs builders.

    ``db``: the store file (default ``$OSSLEVER_DB`` or the user cache);
    ``store``: an open ``Store`` to use instead (not closed by ``close``);
    ``engine``: "duckdb" (on the store) or "spark" (``spark_master``, and
    ``parquet`` for a folder of event partitions instead of the store);
    ``openrank_on``: where OpenRank's supersteps run — "driver" (numpy, the
    default) or "spark" (``openrank_spark``, on the Spark engine's cluster);
    ``read_only``: open the store read-only (refresh steps then refuse);
    ``lang``: the language of documents (default: the locale's).
    """

    def __init__(
        self,
        db: Path | str | None = None,
        engine: str = "duckdb",
        spark_master: str | None = None,
        read_only: bool = False,
        lang: str | None = None,
        *,
        store: Store | None = None,
        parquet: str | Path | None = None,
        openrank_on: str = "driver",
    ) -> None:
        self.db = db
        self.openrank_on = openrank_on
        self.engine_name = engine
        self.spark_master = spark_master
        self.parquet = parquet
        self.read_only = read_only
        self.lang = lang or i18n.default_lang()
        self._store = store
        self._own_store = store is None
        self._engine: Engine | None = None
        self._duckdb: Engine | None = None
        if engine not in ("duckdb", "spark"):
            raise UserError("engine.unknown", engine=engine, allowed="duckdb, spark")
        if openrank_on not in ("driver", "spark"):
            raise UserError("engine.unknown", engine=openrank_on, allowed="driver, spark")
        if openrank_on == "spark" and engine != "spark":
            raise UserError("openrank.spark_needs_spark", engine=engine)

    # ------------------------------------------------------------------ resources

    @property
    def store(self) -> Store:
        """The store, opened on first use (a Spark run over ``parquet`` may never need it)."""
        if self._store is None:
            self._store = open_store(self.db, read_only=self.read_only)
        return self._store

    @property
    def has_store(self) -> bool:
        """True when a store is open or its file exists (a read-only run needs one to read)."""
        if self._store is not None:
            return True
        from osslever.paths import default_db

        return Path(self.db or default_db()).exists()

    @property
    def engine(self) -> Engine:
        """The query engine the documents are computed on (built once, by ``get_engine``)."""
        if self._engine is None:
            if self.engine_name == "duckdb":
                self._engine = self.store_engine
            else:
                options: dict[str, Any] = {"master": self.spark_master}
                if self.parquet:
                    options["parquet"] = str(self.parquet)
                store = None if self.parquet else self.store
                self._engine = get_engine("spark", store, **options)
        return self._engine

    @property
    def store_engine(self) -> Engine:
        """DuckDB on the store itself: what refresh steps and store-only readers use."""
        if self._duckdb is None:
            self._duckdb = get_engine("duckdb", self.store)
        return self._duckdb

    def close(self) -> None:
        if self._engine is not None and self._engine is not self._duckdb:
            close = getattr(self._engine, "close", None)
            if callable(close):
                close()  # Spark: stops its session, removes its temporary Parquet export
        self._engine = None
        if self._own_store and self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ refresh steps (write)

    def _writable(self) -> Store:
        if self.read_only:
            raise UserError("store.read_only", path=str(self.store.path))
        return self.store

    def ingest_git(
        self, location: str, ref: str = "HEAD", quiet: bool = True, progress: Progress | None = None
    ) -> tuple[Any, Any]:
        """Bring the git history of ``location`` at ``ref`` into the store, incrementally.

        Returns ``(Repository, IngestResult)``.
        """
        from osslever.sources.git.ingest import ingest
        from osslever.sources.git.repository import open_repository

        store = self._writable()
        repo = open_repository(location, quiet=quiet)
        return repo, ingest(store, repo, ref, progress)

    def ingest_git_and_license(
        self, location: str, ref: str = "HEAD", quiet: bool = True, progress: Progress | None = None
    ) -> tuple[Any, Any]:
        """``ingest_git`` then ``refresh_license`` of the tip, at the same time.

        The tip's license scan runs on a thread while the history is read: the ingest
        mostly waits for git's line stats, so the scan no longer adds its own time to a
        first report (only this thread touches the store). Returns ``(Repository, IngestResult)``.
        """
        from osslever.models.license.summary import refresh_summary, start_refresh
        from osslever.sources.git.ingest import ingest
        from osslever.sources.git.repository import open_repository

        store = self._writable()
        repo = open_repository(location, quiet=quiet)
        tip = repo.head(ref)
        license_scan = start_refresh(store, repo, tip)
        result = ingest(store, repo, ref, progress)
        license_scan()
        if result.tip != tip:  # the ref moved between the two reads
            refresh_summary(store, repo, result.tip)
        return repo, result

    def ingest_gharchive(
        self,
        files: Sequence[Path],
        flt: Any,
        progress: Progress | None = None,
        workers: int | None = None,
        downloader: Any = None,
        memory_limit: str = "768MB",
    ) -> Any:
        """Ingest GH Archive hourly ``files`` kept by the filter ``flt``; returns the ingest report.

        With the ``downloader`` that fetched them, a damaged download (truncated or
        corrupt) is deleted, fetched again once and ingested; it is never half-counted,
        and the report merges both rounds.
        """
        from osslever.sources.gharchive.ingest import ingest_files
        from osslever.sources.gharchive.reader import FileResult

        def writable() -> Store:
            store = self._writable()
            # Bounded memory whatever the input: DuckDB's own cache stays under this
            # (readers hold one file's rows each); it spills to disk if it needs more.
            store.execute(f"SET memory_limit = '{memory_limit}'")
            return store

        drop = (lambda r: Path(r.path).unlink(missing_ok=True)) if downloader else None
        # The store opens while the first files are read (ingest_files takes the opener).
        report = ingest_files(writable, list(files), flt, progress, workers=workers, on_damaged=drop)
        damaged = [Path(f.path).name for f in report.failed if f.error in ("truncated", "corrupt")]
        if downloader is not None and damaged:
            fresh = downloader.fetch_all(damaged)
            again = ingest_files(self.store, [r.path for r in fresh if r.path], flt, workers=workers)
            report.failed = [f for f in report.failed if Path(f.path).name not in damaged]
            report.failed += again.failed
            report.failed += [
                FileResult(str(downloader.folder / r.name), error="corrupt", detail=r.error or "")
                for r in fresh
                if r.path is None
            ]
            report.files_ingested += again.files_ingested
            report.events += again.events
            report.new_events += again.new_events
            report.bad_lines += again.bad_lines
        return report

    def refresh_license(self, repo: Any, tip: str) -> dict:
        """Scan the license of commit ``tip`` once and keep it (``document_cache``)."""
        from osslever.models.license.summary import refresh_summary

        return refresh_summary(self._writable(), repo, tip)

    def refresh_openrank(self, until: str | None = None) -> list[dict[str, Any]]:
        """Compute OpenRank for every month up to ``until`` (YYYY-MM, or a quarter/year: its
        last month; default: the last month with events) that is missing or stale."""
        from osslever.metrics.openrank import ensure_openrank, months_of, openrank_on

        store = self._writable()
        last = months_of(until)[-1] if until else None
        if self.engine_name != "duckdb":
            # Edges from the engine's own events (a Parquet lake, a cluster); values kept in
            # the store and made visible to the engine, so its ``openrank`` metric reads them.
            # --openrank-on spark: the supersteps too run on Spark (openrank_spark).
            compute = None
            if self.openrank_on == "spark":
                from osslever.metrics.openrank_spark import compute_month_on_spark as compute
            return openrank_on(self.engine, store, until=last, compute=compute)
        return ensure_openrank(store, until=last, engine=self.store_engine)

    def refresh_report(
        self, location: str, ref: str = "HEAD", quiet: bool = True, progress: Progress | None = None
    ) -> int:
        """Everything ``report`` reads for one repository: its history, the license cache of
        its tip and OpenRank up to the last month of its events. Returns the history id."""
        from osslever.metrics.events import events_summary

        repo, result = self.ingest_git_and_license(location, ref, quiet=quiet, progress=progress)
        if repo.slug:
            summary = events_summary(self.store_engine, repo.slug)
            if summary is not None:
                self.refresh_openrank(summary["last_month"])
        return result.history_id

    # ------------------------------------------------------------------ reading helpers

    def history(self, history_id: int) -> dict[str, Any]:
        """The stored ``git_histories`` row of ``history_id``."""
        rows = self.store.rows("SELECT * FROM git_histories WHERE history_id = ?", [history_id])
        if not rows:
            raise UserError("store.no_history", history=history_id, path=str(self.store.path))
        return rows[0]

    def find_history(self, location: str, ref: str = "HEAD") -> int | None:
        """The history id ingest stored for ``location`` at ``ref`` (as ingest names it)."""
        rows = self.store.rows("SELECT history_id FROM git_histories WHERE location = ? AND ref = ?", [location, ref])
        return int(rows[0]["history_id"]) if rows else None

    # ------------------------------------------------------------------ document builders (read)

    def report(
        self,
        history_id: int,
        affiliations: Path | str | None = None,
        as_of: dt.date | None = None,
    ) -> dict:
        """The ``report`` document of a stored history (no git, no network, no writes)."""
        from osslever.identity import affiliations as affiliation_file
        from osslever.outputs.report import build_report
        from osslever.sources.git.ingest import IngestResult
        from osslever.sources.git.repository import Repository, is_url

        history = self.history(history_id)
        if not history["complete"] or not history["tip"]:
            raise UserError("store.incomplete_history", name=history["name"])
        entries = affiliation_file.load(Path(affiliations)) if affiliations else []
        location = history["location"]
        git_dir = Path(history["git_dir"])
        work_tree = None
        if not is_url(location) and Path(location).is_dir() and Path(location).resolve() != git_dir.resolve():
            work_tree = Path(location)
        repo = Repository(location, git_dir, work_tree, history["name"], history["slug"])
        total = self.store.rows("SELECT count(*) AS n FROM git_commits WHERE history_id = ?", [history_id])[0]["n"]
        result = IngestResult(history_id, history["tip"], 0, 0, int(total), bool(history["shallow"]))
        doc = build_report(
            self.store_engine,  # type: ignore[arg-type]
            repo,
            result,
            ref=history["ref"],
            lang=self.lang,
            affiliations=entries,
            affiliation_file=str(affiliations) if affiliations else None,
            as_of=as_of,
        )
        return _finish("report", doc)

    def metrics(self, repo: str, period: str) -> dict:
        """The ``metrics`` document (OpenDigger's event metrics of one repository and period)."""
        from osslever.metrics.events import metrics_document

        return _finish("metrics", metrics_document(self.engine, repo, period))

    def events(self, repo: str) -> dict | None:
        """The monthly event series ``report`` carries (None without events)."""
        from osslever.metrics.events import events_summary

        return events_summary(self.store_engine, repo)

    def latest_metrics(self, repo: str) -> dict | None:
        """The ``metrics`` document of the last month with events (``assess`` evidence); None without."""
        summary = self.events(repo)
        return self.metrics(summary["repo"], summary["last_month"]) if summary else None

    def measured(
        self,
        history_id: int | None = None,
        location: str | Path | None = None,
        billing: Path | str | None = None,
    ) -> dict[str, dict]:
        """The documents ``assess`` takes evidence from, as the CLI and the web page both gather
        them: ``report`` of a stored history, ``license`` of its files (``location``), the
        latest ``metrics`` of its GitHub repository when the store has events, ``finance``."""
        documents: dict[str, dict] = {}
        if history_id is not None:
            documents["report"] = self.report(history_id)
            slug = documents["report"]["repository"].get("slug")
            events = self.latest_metrics(slug.lower()) if slug else None
            if events is not None:
                documents["events"] = events
        if location is not None:
            documents["license"] = self.license(location)
        if billing is not None:
            documents["finance"] = self.finance(billing)
        return documents

    def license(
        self,
        location: str | Path,
        ref: str | None = None,
        online: bool = False,
        registry_urls: Mapping[str, str] | None = None,
    ) -> dict:
        """The ``license`` document of a path or clone (reads files, never the store)."""
        from osslever.models.license.document import license_document

        doc = license_document(
            location, online=online, ref=ref, registry_urls=dict(registry_urls or {}), lang=self.lang
        )
        return _finish("license", doc)

    def finance(
        self,
        billing: Path | str,
        as_of: str | None = None,
        rates: Path | str | None = None,
        skip_bad_rows: bool = False,
        source_format: str = "auto",
    ) -> dict:
        """The ``finance`` document of a billing export."""
        from osslever.models.finance import finance_document

        doc = finance_document(
            billing, as_of=as_of, rates=rates, skip_bad_rows=skip_bad_rows, source_format=source_format
        )
        return _finish("finance-metrics", doc)

    def funnel(self, repo: Path | str) -> dict[str, float]:
        """Measured stars of the GitHub repository ``repo``'s origin names (``forecast --repo``)."""
        from osslever.models.finance.repo_evidence import funnel_evidence

        if not self.has_store:
            return {}
        return funnel_evidence(Path(repo), self.store_engine)

    def forecast(
        self,
        scenario: Path | str,
        paths: int = 10000,
        seed: int | None = None,
        repo: Path | str | None = None,
    ) -> dict:
        """The ``forecast`` document; with ``repo``, its measured funnel overrides the scenario."""
        from osslever.models.finance import forecast_document

        evidence = self.funnel(repo) if repo is not None else None
        return _finish("forecast", forecast_document(scenario, paths=paths, seed=seed, evidence=evidence))

    def assess(
        self,
        profile: dict,
        documents: Mapping[str, dict] | None = None,
        rule_dirs: Sequence[Path] = (),
        scenario: dict | None = None,
    ) -> dict:
        """The ``assess`` document of a profile, with evidence measured from ``documents``
        (``report``, ``license``, ``finance``, ``events`` — the other builders' answers)."""
        from osslever.models.strategy import assess_document, evidence_from_documents

        evidence = evidence_from_documents(**documents) if documents else None
        doc = assess_document(profile, evidence=evidence, rule_dirs=list(rule_dirs), lang=self.lang, scenario=scenario)
        return _finish("assess", doc)

    def dossier(
        self,
        history_id: int,
        location: str | Path,
        profile: dict | None = None,
        billing: Path | str | None = None,
    ) -> dict:
        """The ``dossier`` document: the profile inferred from the repository (``profile`` — the
        user's declared values — wins), its assessment on the measured documents, the verdict,
        its sensitivity to what nobody confirmed and a revenue forecast per viable model."""
        from osslever.models.dossier import dossier_document, inference_location
        from osslever.models.profile_inference import infer_profile

        documents = self.measured(history_id, location=location, billing=billing)
        report = documents["report"]
        where = inference_location(self.history(history_id), str(location))
        slug = report["repository"].get("slug")
        stars = self.funnel(where) if slug else {}
        doc = dossier_document(
            report=report,
            license_doc=documents.get("license"),
            events=documents.get("events"),
            finance=documents.get("finance"),
            inference=infer_profile(where, report, documents.get("license")),
            declared=profile,
            assess_of=lambda merged: self.assess(merged, documents),
            stars=stars,
            lang=self.lang,
        )
        return _finish("dossier", doc)

    def rank(self, by: str = "openrank", period: str | None = None, top: int = 50) -> dict:
        """The ``rank`` document from stored OpenRank or computed activity (no writes).

        ``computed`` lists the OpenRank months the refresh steps of this workspace
        computed (``refresh_openrank``), as ``osslever rank`` reports them.
        """
        from osslever.metrics.ranking import rank_repos

        doc = rank_repos(self.store, by=by, period=period, top=top, engine=self.engine, refresh=False)
        return _finish("rank", doc)

    def opendigger(self, repo: str) -> dict[str, Any]:
        """OpenDigger's export layout for ``repo``: {file name: JSON content}."""
        from osslever.metrics.events import export_series
        from osslever.outputs.opendigger import opendigger_files

        return opendigger_files(export_series(self.engine, repo))
