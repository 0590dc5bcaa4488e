"""The harvest schedule: each source is harvested when its ``schedule`` (an ISO 8601 duration)
has passed since its last harvest, one source at a time, in a background thread.

The time of the last harvest is read from the provenance graph (the start of the source's
latest ``prov:Activity``, failed harvests included: a failing source is tried again at its
pace, not in a loop), so the schedule survives restarts. A source without ``schedule`` is
harvested only when asked (:meth:`Scheduler.trigger`).

>>> from ssevalidate.harvest.registry import SourceRegistry
>>> from ssevalidate.harvest.schedule import Scheduler
>>> scheduler = Scheduler(SourceRegistry(store, "sources.toml"))          # doctest: +SKIP
>>> scheduler.start()                                                     # doctest: +SKIP
>>> scheduler.trigger("ica").state                                        # doctest: +SKIP
'queued'
>>> scheduler.status("ica")                                               # doctest: +SKIP
Status(source='ica', state='running', stage='validate', last=HarvestQuality(...), ...)
>>> scheduler.stop()                                                      # doctest: +SKIP

One lock guards the queue and the running source: a source waiting or being harvested is
never queued again (two triggers, or a trigger when it falls due, make one harvest), and the one
worker thread harvests one source at a time. A removed source is retired by the same thread
(:meth:`Scheduler.retire`: its graphs emptied, the deletion of its records recorded), so never
while it is being harvested. After a harvest or a retirement that changed records, the same
thread proposes the matches again (:func:`ssevalidate.harvest.match_changes`, as
:func:`ssevalidate.harvest.harvest` does) before the source is idle again.
:meth:`Scheduler.stop` waits for a harvest in progress up to a timeout (the pipeline leaves the
store consistent if the process ends sooner) and drops what waits, retirements included.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from rdflib.namespace import PROV

from ssevalidate.harvest import match_changes
from ssevalidate.harvest.config import ConfigError, Source
from ssevalidate.harvest.pipeline import harvest_source, retire_source
from ssevalidate.harvest.provenance import HarvestResult
from ssevalidate.harvest.quality import HarvestQuality, latest
from ssevalidate.harvest.registry import SourceRegistry
from ssevalidate.harvest.storeio import select
from ssevalidate.harvest.terms import HARVEST
from ssevalidate.store import StoreError

IDLE, QUEUED, RUNNING = "idle", "queued", "running"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Status:
    """Where a source stands: ``state`` (idle, queued, running), the pipeline's ``stage``
    while it runs (fetch, convert, validate, store, then the outcome), its latest finished
    harvest, and when the schedule next wants it (None: no schedule)."""

    source: str
    state: str
    stage: str | None = None
    last: HarvestQuality | None = None
    next_due: datetime | None = None


@dataclass(frozen=True)
class _Job:
    source_id: str
    retiring: Source | None = None
    """A removed source, to retire rather than harvest."""


class Scheduler:
    """Harvests the sources of ``registry`` on their schedule, and on demand.

    ``allow`` admits addresses the SSRF rules refuse (the service's ``fetch_allow``); ``after``
    is called with each harvest's result (the service rewrites its catalogue); ``poll`` is how
    often, in seconds, the schedule is looked at when nothing is asked.
    """

    def __init__(
        self,
        registry: SourceRegistry,
        *,
        allow: Iterable[str] = (),
        after: Callable[[HarvestResult], None] | None = None,
        poll: float = 30.0,
    ) -> None:
        self.registry = registry
        self.store = registry.store
        self.allow = tuple(allow)
        self.after = after
        self.poll = poll
        self._wake = threading.Condition()
        self._queue: deque[_Job] = deque()
        self._running: str | None = None
        self._stage: str | None = None
        self._tried: dict[str, datetime] = {}
        """When each source was last taken up, in case the store could not record it."""
        self._stopping = False
        self._thread: threading.Thread | None = None

    # --- control ------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the worker thread (once; a stopped scheduler stays stopped)."""
        with self._wake:
            if self._thread is not None or self._stopping:
                return
            self._thread = threading.Thread(target=self._work, name="harvest", daemon=True)
            self._thread.start()

    @property
    def started(self) -> bool:
        return self._thread is not None and not self._stopping

    def stop(self, timeout: float = 10.0) -> None:
        """Take nothing more up, and wait up to ``timeout`` seconds for a harvest in progress."""
        with self._wake:
            self._stopping = True
            self._queue.clear()
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    def wake(self) -> None:
        """Look at the schedule now (the sources changed)."""
        with self._wake:
            self._wake.notify_all()

    def trigger(self, source_id: str) -> Status:
        """Queue ``source_id`` unless it is queued or running already (or the scheduler is
        stopped); its status after. Raises :class:`~ssevalidate.harvest.registry.UnknownSource`."""
        self.registry.get(source_id)
        with self._wake:
            waiting = source_id == self._running or _Job(source_id) in self._queue
            if not waiting and not self._stopping:
                self._queue.append(_Job(source_id))
                self._wake.notify_all()
        return self.status(source_id)

    def retire(self, source: Source) -> None:
        """Empty the graphs of ``source``, removed from the registry, after any harvest of it
        in progress (:func:`~ssevalidate.harvest.pipeline.retire_source`)."""
        with self._wake:
            if _Job(source.id) in self._queue:
                self._queue.remove(_Job(source.id))
            self._queue.append(_Job(source.id, source))
            self._wake.notify_all()

    # --- status -------------------------------------------------------------------------------

    def status(self, source_id: str) -> Status:
        return self.statuses([source_id])[source_id]

    def statuses(self, source_ids: Iterable[str] | None = None) -> dict[str, Status]:
        """The status of each source (every registered source when not given)."""
        config = self.registry.config()
        ids = [s.id for s in config.sources] if source_ids is None else list(source_ids)
        schedules = {s.id: s.schedule for s in config.sources}
        finished = latest(self.store, config.provenance_graph)
        starts = self._last_starts(config.provenance_graph)
        with self._wake:
            running, stage = self._running, self._stage
            queued = {job.source_id for job in self._queue}
        found = {}
        for source_id in ids:
            state = RUNNING if source_id == running else QUEUED if source_id in queued else IDLE
            schedule, last_start = schedules.get(source_id), starts.get(source_id)
            found[source_id] = Status(
                source=source_id,
                state=state,
                stage=stage if state == RUNNING else None,
                last=finished[source_id].finished if source_id in finished else None,
                next_due=_next_due(last_start, schedule),
            )
        return found

    def due(self, now: datetime | None = None) -> list[str]:
        """The sources whose schedule has passed since their last harvest, at ``now``."""
        now = now or _now()
        config = self.registry.config()
        starts = self._last_starts(config.provenance_graph)
        return [
            source.id
            for source in config.sources
            if source.schedule is not None
            and (source.id not in starts or now - starts[source.id] >= source.schedule)
        ]

    # --- the worker ---------------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            with self._wake:
                if self._stopping:
                    return
            job = self._next()
            if job is None:
                with self._wake:
                    if not self._stopping and not self._queue:
                        self._wake.wait(self.poll)
                continue
            try:
                self._run(job)
            finally:
                with self._wake:
                    self._running = self._stage = None
                    self._wake.notify_all()

    def _next(self) -> _Job | None:
        try:
            due = self.due()
        except StoreError as error:
            log.error("the schedule cannot be read: %s", error)
            due = []
        with self._wake:
            if self._stopping:
                return None
            self._queue.extend(
                _Job(s) for s in due if _Job(s) not in self._queue and s != self._running
            )
            if not self._queue:
                return None
            job = self._queue.popleft()
            self._running, self._stage = job.source_id, None
            return job

    def _run(self, job: _Job) -> None:
        config = self.registry.config()
        if job.retiring is not None:
            result = retire_source(job.retiring, self.store, config, progress=self._progress)
        else:
            try:
                source = config.source(job.source_id)
            except ConfigError:
                return  # removed while it waited
            with self._wake:
                self._tried[source.id] = _now()
            result = harvest_source(
                source, self.store, config, allow=self.allow, progress=self._progress
            )
        log.info("%s: %s %s", job.source_id, result.outcome, result.error or "")
        after = self.after
        follow_ups: list[Callable[[], object]] = [
            lambda: match_changes(self.store, config, [result])
        ]
        if after is not None:
            follow_ups.append(lambda: after(result))
        for follow_up in follow_ups:
            try:
                follow_up()
            except Exception:  # a failing follow-up must not stop the schedule
                log.exception("after the harvest of %s", job.source_id)

    def _progress(self, source_id: str, stage: str) -> None:
        with self._wake:
            # A DCAT catalogue reports its datasets' stages as "<catalogue id>/<dataset>".
            if self._running and source_id.split("/")[0] == self._running:
                self._stage = stage

    def _last_starts(self, provenance_graph: str) -> dict[str, datetime]:
        rows = select(
            self.store,
            f"""SELECT ?id (MAX(?start) AS ?last) WHERE {{ GRAPH <{provenance_graph}> {{
                ?a <{HARVEST.sourceId}> ?id ; <{PROV.startedAtTime}> ?start }} }}
                GROUP BY ?id""",
        )
        starts = {row["id"]: datetime.fromisoformat(row["last"]) for row in rows if "last" in row}
        with self._wake:
            tried_at = dict(self._tried)
        for source_id, tried in tried_at.items():
            starts[source_id] = max(tried, starts.get(source_id, tried))
        return starts


def _next_due(last_start: datetime | None, schedule: timedelta | None) -> datetime | None:
    if schedule is None:
        return None
    return _now() if last_start is None else last_start + schedule


def iso_duration(duration: timedelta) -> str:
    """A duration written back as ISO 8601 (``PT6H``, ``P1DT12H``), as a schedule is given."""
    days, rest = duration.days, duration - timedelta(days=duration.days)
    hours, rest = divmod(rest.total_seconds(), 3600)
    minutes, seconds = divmod(rest, 60)
    time = "".join(
        f"{value:g}{unit}"
        for value, unit in ((hours, "H"), (minutes, "M"), (seconds, "S"))
        if value
    )
    date = f"{days}D" if days else ""
    return f"P{date}T{time}" if time else f"P{date}"


def _now() -> datetime:
    return datetime.now(UTC)


__all__ = ["IDLE", "QUEUED", "RUNNING", "Scheduler", "Status", "iso_duration"]
