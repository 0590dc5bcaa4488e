"""Limits on validations: a time limit that really stops the work, and a cap on how many run at once.

>>> from ssevalidate.limits import Job, Limiter
>>> limiter = Limiter(capacity=4, timeout=120)
>>> outcome = await limiter.run(limiter.validate, Job(data, "core", lang="fr"))  # doctest: +SKIP
>>> outcome.report["summary"], outcome.renders["json"][:1]                      # doctest: +SKIP
({'records': 1, 'violations': 2, 'warnings': 0, 'infos': 0}, '{')

Why processes: validation is CPU-bound Python. In a thread it would hold the GIL (so four
"concurrent" validations would share one core) and, worse, a thread cannot be stopped: after a
timeout it would go on burning a core and holding memory until it finished on its own. Each
validation therefore runs in a worker process; a worker that passes the time limit is killed
(SIGKILL) and replaced, so the limit frees the machine, not only the HTTP request.

The workers are long-lived and warm (libraries imported, shapes and taxonomies parsed and cached),
so a small validation costs about what it costs in-process plus a pipe round trip. They are
forked from a ``forkserver`` that has already imported the library (``spawn`` where forkserver
is unavailable): never forked from the service itself, which has threads and an open store.
Workers belong to the process (:data:`POOL`), shared by every :class:`Limiter`; each limiter
caps its own concurrent uses.
"""

from __future__ import annotations

import asyncio
import atexit
import multiprocessing
import signal
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from ssevalidate.parsegate import InputError
from ssevalidate.render import render
from ssevalidate.validation import validate

T = TypeVar("T")

STARTUP_TIMEOUT = 120.0
"""Seconds a new worker may take to import the library and warm its caches."""
UNNAMED = "<input>"
"""The name the parse gate gives to bytes without a file name."""
_WARM_UP = b"<https://example.org/warm-up> a <https://w3id.org/sse/vocab/Initiative> ."


@dataclass(frozen=True)
class Job:
    """One validation: the bytes, how to read them, and which renderings to return.

    ``name`` (an uploaded file's name) replaces ``<input>`` in error messages and origins.
    ``outputs`` are names of :data:`ssevalidate.render.OUTPUTS`.
    """

    data: bytes
    profile: str = "core"
    format: str | None = None
    lang: str = "en"
    name: str | None = None
    outputs: tuple[str, ...] = ("json",)


@dataclass
class Outcome:
    """A finished validation: the report as its JSON dict, and the requested renderings."""

    report: dict[str, Any]
    lang: str
    renders: dict[str, str] = field(default_factory=dict)


class Busy(RuntimeError):
    """Every slot is taken; try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many validations at once; retry after {retry_after} s")
        self.retry_after = retry_after


class TimedOut(RuntimeError):
    """The validation passed its time limit and was stopped."""


class WorkerFailed(RuntimeError):
    """The worker process died or raised an unexpected error (details in its stderr)."""


def run_job(job: Job) -> Outcome:
    """Run one job in this process (what a worker does); :class:`InputError` for bad input."""
    try:
        report = validate(job.data, job.profile, format=job.format, lang=job.lang)
    except InputError as error:
        if job.name and error.name in (None, UNNAMED):
            raise InputError(
                error.reason, name=job.name, line=error.line, column=error.column
            ) from None
        raise
    if job.name:
        for result in report.results:
            if result.origin and result.origin.get("file") == UNNAMED:
                result.origin = {**result.origin, "file": job.name}
    renders = {output: render(report, output) for output in job.outputs}
    return Outcome(report=report.to_dict(), lang=report.lang, renders=renders)


# --- worker processes -------------------------------------------------------------------------


def _serve(conn: Connection) -> None:
    """A worker's life: warm up, say so, then answer jobs until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the service's to handle
    try:
        run_job(Job(_WARM_UP, outputs=()))
    except Exception:  # a broken warm-up shows again, reported, on the first real job
        traceback.print_exc()
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer: tuple = ("ok", run_job(job))
        except InputError as error:
            answer = ("input", error.reason, error.name, error.line, error.column)
        except Exception as error:
            traceback.print_exc()
            answer = ("failed", type(error).__name__)
        conn.send(answer)


class _Worker:
    def __init__(self, context: Any) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(child,), name="ssevalidate-worker", daemon=True
        )
        self.process.start()
        child.close()
        self.ready = False

    def call(self, job: Job, timeout: float) -> tuple:
        try:
            if not self.ready:
                if not self.conn.poll(STARTUP_TIMEOUT):
                    raise WorkerFailed("a validation worker did not start in time")
                self.conn.recv()
                self.ready = True
            deadline = time.monotonic() + timeout
            self.conn.send(job)
            if not self.conn.poll(max(deadline - time.monotonic(), 0)):
                raise TimedOut(f"validation stopped after {timeout:g} s")
            return self.conn.recv()
        except (EOFError, OSError):
            raise WorkerFailed("the validation worker stopped unexpectedly") from None

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class WorkerPool:
    """Warm worker processes, taken one per job and given back, or killed after a timeout."""

    def __init__(self, max_idle: int = 1) -> None:
        self.max_idle = max_idle
        """Idle workers kept for the next jobs (each limiter raises it to its capacity)."""
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._context: Any = None

    def prestart(self, count: int) -> None:
        """Start workers until ``count`` are idle, without waiting for them to warm up."""
        with self._lock:
            while len(self._idle) < count:
                self._idle.append(_Worker(self._get_context()))

    def run(self, job: Job, timeout: float) -> Outcome:
        """Run ``job`` in a worker; :class:`TimedOut` after ``timeout`` seconds (the worker
        is killed), :class:`InputError` for bad input, :class:`WorkerFailed` otherwise."""
        worker = self._take()
        try:
            answer = worker.call(job, timeout)
        except BaseException:
            worker.stop()
            raise
        self._give_back(worker)
        if answer[0] == "ok":
            return answer[1]
        if answer[0] == "input":
            _, reason, name, line, column = answer
            raise InputError(reason, name=name, line=line, column=column)
        raise WorkerFailed(f"the validation failed unexpectedly ({answer[1]})")

    def close(self) -> None:
        """Stop the idle workers (busy ones stop when the process exits: they are daemons)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()

    def _take(self) -> _Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.process.is_alive():
                    return worker
                worker.stop()
            context = self._get_context()
        return _Worker(context)

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            if len(self._idle) < self.max_idle:
                self._idle.append(worker)
                return
        worker.stop()

    def _get_context(self) -> Any:
        if self._context is None:
            if "forkserver" in multiprocessing.get_all_start_methods():
                self._context = multiprocessing.get_context("forkserver")
                # Replaces the default ["__main__"]: the forkserver imports the library once,
                # never the service's own entry script.
                self._context.set_forkserver_preload([__name__])
            else:
                self._context = multiprocessing.get_context("spawn")
        return self._context


POOL = WorkerPool()
"""The process's validation workers."""
atexit.register(POOL.close)


class Limiter:
    """At most ``capacity`` validations at once, each stopped after ``timeout`` seconds.

    :meth:`run` takes a slot without waiting (:class:`Busy` when none is free) and runs a
    blocking function in a thread while it holds the slot; the function may fetch a URL and then
    call :meth:`validate`. The slot is freed when the function returns, even if the waiting
    request was cancelled meanwhile, so the cap counts work actually running.
    """

    def __init__(
        self,
        capacity: int,
        timeout: float,
        *,
        retry_after: int = 5,
        pool: WorkerPool | None = None,
    ) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self.timeout = timeout
        self.retry_after = retry_after
        self.pool = pool or POOL
        self.pool.max_idle = max(self.pool.max_idle, capacity)
        self._in_use = 0
        self._lock = threading.Lock()
        self._threads = ThreadPoolExecutor(max_workers=capacity, thread_name_prefix="validation")

    @property
    def in_use(self) -> int:
        """Slots taken now."""
        return self._in_use

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """``work(*args)`` in a thread, holding a slot; :class:`Busy` at once when none is free."""
        with self._lock:
            if self._in_use >= self.capacity:
                raise Busy(self.retry_after)
            self._in_use += 1
        try:
            future = self._threads.submit(self._holding_slot, work, *args)
        except BaseException:
            self._release()
            raise
        # A job cancelled before it started never reaches _holding_slot's finally.
        future.add_done_callback(lambda done: done.cancelled() and self._release())
        return await asyncio.wrap_future(future)

    def validate(self, job: Job) -> Outcome:
        """Run ``job`` in a worker process under this limiter's time limit (blocking)."""
        return self.pool.run(job, self.timeout)

    def close(self) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)

    def _holding_slot(self, work: Callable[..., T], *args: Any) -> T:
        try:
            return work(*args)
        finally:
            self._release()

    def _release(self) -> None:
        with self._lock:
            self._in_use -= 1


__all__ = [
    "POOL",
    "Busy",
    "Job",
    "Limiter",
    "Outcome",
    "TimedOut",
    "WorkerFailed",
    "WorkerPool",
    "run_job",
]
