"""Ingest from the page: a background thread per request, progress polled over the API.

An ingest can take minutes (a clone, then ``git log`` over years of history),
longer than a request should live. ``Jobs.submit`` starts a thread that runs
``Workspace.refresh_report`` — exactly what ``osslever report LOCATION`` runs
before it builds — as the store's only writer, builds the report from what it
stored (a reader, like every page) and records its progress (the ingest's own ``Progress``
calls) for ``GET /api/jobs/{id}``.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import re
import secrets
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from osslever.errors import UserError
from osslever.web.backend import Backend
from osslever.web.errors import Unavailable

log = logging.getLogger("osslever.web")

MAX_JOBS = 100
MAX_QUEUED = 8  # jobs waiting for the worker; more get 429
_SCHEMES = re.compile(r"^(?:https?|ssh|git|file)://", re.IGNORECASE)
_HELPER = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*::")
_SCP = re.compile(r"^[\w.-]+@[\w.-]+:[^:]")


def check_location(location: str) -> str:
    """A path or a clone URL git may read; never an option, a helper transport or a control char."""
    location = (location or "").strip()
    if not location or len(location) > 2000 or location.startswith("-") or re.search(r"[\x00-\x1f\x7f]", location):
        raise Unavailable("web.unavailable.bad_location", status=422)
    from osslever.sources.git.repository import is_url

    helper = _HELPER.match(location)  # git's "<transport>::<address>" remote-helper syntax
    if helper or (is_url(location) and not (_SCHEMES.match(location) or _SCP.match(location))):
        raise Unavailable("web.unavailable.bad_location", status=422)
    return location


def check_ref(ref: str) -> str:
    ref = (ref or "HEAD").strip()
    if ref.startswith("-") or len(ref) > 250 or re.search(r"[\x00-\x20\x7f]", ref):
        raise Unavailable("web.unavailable.bad_ref", status=422)
    return ref


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


@dataclass
class Job:
    id: str
    location: str
    ref: str
    lang: str
    state: str = "queued"  # queued | running | done | failed
    phase: str = ""  # what the ingest says it is doing
    done: int = 0
    total: int | None = None
    project: str | None = None  # the project id once done
    error: str | None = None  # one translated line when failed
    created_at: str = field(default_factory=_now)
    finished_at: str | None = None

    def public(self) -> dict[str, Any]:
        from osslever.sources.git.remote import redact

        out = asdict(self)
        out.pop("lang")
        out["location"] = redact(self.location)  # a clone URL's credentials are never shown
        return out


class _JobProgress:
    """The ingest's ``Progress`` protocol, written into the job for polling."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def start(self, description: str, total: int | None) -> None:
        self.job.phase, self.job.total, self.job.done = description, total, 0

    def advance(self, n: int) -> None:
        self.job.done += n

    def finish(self) -> None:
        pass


class Jobs:
    """Ingest jobs run one at a time by one worker thread, from a bounded queue.

    Ingests serialise on the store's writer lock anyway, so more threads only wait
    (each holding memory); a full queue answers 429 with Retry-After instead.
    """

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._queue: queue.Queue[Job] = queue.Queue(maxsize=MAX_QUEUED)
        self._worker: threading.Thread | None = None

    def submit(self, location: str, ref: str, lang: str) -> Job:
        job = Job(secrets.token_hex(8), check_location(location), check_ref(ref), lang)
        with self._lock:
            try:
                self._queue.put_nowait(job)
            except queue.Full:
                raise Unavailable("web.unavailable.queue_full", status=429, limit=MAX_QUEUED) from None
            self._jobs[job.id] = job
            while len(self._jobs) > MAX_JOBS:
                oldest = next(iter(self._jobs))
                if self._jobs[oldest].state in ("queued", "running"):
                    break
                del self._jobs[oldest]
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._work, name="ingest-worker", daemon=True)
                self._worker.start()
        return job

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            try:
                self._run(job)
            finally:
                self._queue.task_done()

    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise Unavailable("web.unavailable.no_job", job=job_id[:40])
        return job

    def all(self) -> list[Job]:
        with self._lock:
            return list(self._jobs.values())

    def _run(self, job: Job) -> None:
        from osslever.i18n import t
        from osslever.web.sections import report_key

        try:
            from osslever.workspace import Workspace

            with self.backend.writing(timeout=-1) as store:
                job.state = "running"
                history = Workspace(store=store, lang=job.lang).refresh_report(
                    job.location, ref=job.ref, quiet=True, progress=_JobProgress(job)
                )
            with self.backend.workspace(job.lang) as ws:
                row = ws.history(history)
                document = ws.report(history)
            job.project = f"git:{history}"
            self.backend.cache.put(report_key(row, job.lang), document)
            job.state = "done"
        except UserError as exc:
            job.state, job.error = "failed", exc.render(job.lang)
        except Unavailable as exc:
            job.state, job.error = "failed", exc.render(job.lang)
        except Exception:  # a bug: keep the server up, say so, log the traceback
            log.exception("ingest job %s failed", job.id)
            job.state, job.error = "failed", t("web.unavailable.error", job.lang)
        finally:
            job.finished_at = _now()
