"""The worker pool: jobs handed in order to the workers of their engine, and every way a worker fails made an error.

Each engine has workers of its own, up to one per core, so two engines are never loaded in one process. A worker
holds up to DEPTH jobs; each job has a deadline; a worker that crashes, hangs past it or answers with unusable
audio is stopped and replaced, and the job it was on fails with an error naming its line. The processes are
started and stopped by processes.py; what crosses their pipes is protocol.py's.
"""

from __future__ import annotations

import time
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import TYPE_CHECKING, Any

from stillpoint.errors import StillpointError, SynthesisError, VoiceError
from stillpoint.voice import protocol
from stillpoint.voice.engine import START_HINT
from stillpoint.voice.processes import Launcher, WorkerProcess, signals_held

if TYPE_CHECKING:
    from stillpoint.language.timeline import Utterance

STARTUP_GRACE = 10.0  # seconds a new worker may spend starting, on top of the timeout
CRASH_GRACE = 1.0  # seconds to let a dying worker exit by itself, so its exit code is known
RETRY_HINT = "try again; if it keeps failing, simplify or split the line"
# Jobs a worker may hold at once: the next is already in its pipe when it finishes one, so it never waits for this
# process to take the answer, store it in the cache and send more (about 10 ms a line, while the export renders).
DEPTH = 2


@dataclass(eq=False)
class Job:
    """One request for a worker of an engine and, once answered, its outcome; the key its clip is cached under."""

    op: str
    engine: str
    args: tuple = ()
    utterance: Utterance | None = None
    key: str = ""
    done: bool = False
    value: Any = None
    error: StillpointError | None = None
    cached: bool = False
    refs: int = 0

    def finish(self, value: Any = None, error: StillpointError | None = None) -> None:
        """Record the outcome."""
        self.done, self.value, self.error = True, value, error


def engine_error(kind: str, message: str, hint: str, utterance: Utterance | None) -> StillpointError:
    """An error met by an engine, rebuilt here naming the line it concerns (a voice's: where the voice was chosen)."""
    cls = protocol.ERRORS.get(kind)
    if cls is None:
        return _line_error(f"the speech engine failed: {message}", utterance, hint or RETRY_HINT)
    if cls is VoiceError and utterance and utterance.voice_line:
        return VoiceError(message, hint=hint, path=utterance.path, line=utterance.voice_line)
    return cls(message, hint=hint, **_where(utterance))


def _where(utterance: Utterance | None) -> dict[str, Any]:
    """The path and line an error about utterance should name."""
    return {"path": utterance.path, "line": utterance.line} if utterance else {}


def _line_error(message: str, utterance: Utterance | None, hint: str = RETRY_HINT) -> SynthesisError:
    """A synthesis error pointing at the line of utterance."""
    return SynthesisError(message, hint=hint, **_where(utterance))


def _exit_text(code: int | None) -> str:
    """A process exit code in words."""
    if code is None:
        return "exit code unknown"
    return f"killed by signal {-code}" if code < 0 else f"exit code {code}"


class Worker:
    """One engine process, its pipe, and the jobs sent to it, the one it is working on first."""

    def __init__(self, process: WorkerProcess, spec: str, timeout: float):
        self.process = process
        self.spec = spec
        self.timeout = timeout
        self.ready = False
        self.jobs: deque[Job] = deque()
        self.deadline = time.monotonic() + timeout + STARTUP_GRACE

    @property
    def job(self) -> Job | None:
        """The job the process is working on, if any."""
        return self.jobs[0] if self.jobs else None

    def submit(self, job: Job) -> None:
        """Send job to the process; its clock starts once the jobs before it are done and the engine is ready."""
        self.jobs.append(job)
        if self.ready and len(self.jobs) == 1:
            self.deadline = time.monotonic() + self.timeout
        self.process.conn.send((job.op, job.args))

    def answered(self) -> Job:
        """The job just answered, taken off the list; the next one's clock starts now."""
        self.deadline = time.monotonic() + self.timeout
        return self.jobs.popleft()

    def mark_ready(self) -> None:
        """The engine is up: a job already sent starts its clock now."""
        self.ready = True
        self.deadline = time.monotonic() + self.timeout


class Pool:
    """The worker processes of every engine in use, up to ``size`` each, kept busy with jobs until closed.

    ``on_answer``, a method of the pool's owner, is told of every job answered with a usable value, as soon as it is.
    """

    def __init__(self, size: int, timeout: float, on_answer: Callable[[Job], None]):
        self.size = size
        self.timeout = timeout
        # Held weakly, so that the owner can be collected, and its finalizer close the pool, when nothing else holds it.
        self._on_answer = weakref.WeakMethod(on_answer)
        self._workers: list[Worker] = []
        self._launcher = Launcher()

    def __len__(self) -> int:
        """How many worker processes are running or starting."""
        return len(self._workers)

    def __iter__(self) -> Iterator[Worker]:
        """The workers, oldest first."""
        return iter(list(self._workers))

    def close(self) -> None:
        """Stop every worker process, then what started them; new ones start if the pool is used again."""
        while self._workers:
            self._workers.pop().process.stop()
        self._launcher.close()

    def workers_of(self, engine: str) -> list[Worker]:
        """The workers running ``engine``."""
        return [worker for worker in self._workers if worker.spec == engine]

    def start(self, engine: str) -> Worker:
        """Start one more worker process; it is in the pool, to be stopped, before any signal is acted on."""
        with signals_held():
            worker = Worker(self._launcher.start(engine), engine, self.timeout)
            self._workers.append(worker)
        return worker

    def ask(self, engine: str, op: str) -> Any:
        """Ask one worker of ``engine`` for op and return its answer."""
        job = Job(op, engine)
        self.wait_for(job, deque([job]))
        if job.error:
            raise job.error
        return job.value

    def wait_for(self, job: Job, queue: deque[Job]) -> None:
        """Keep the workers busy with the queue until job is done; stop feeding them if it failed."""
        self._dispatch(queue)
        while not job.done:
            self._step()
            if job.error is None:
                self._dispatch(queue)

    def _dispatch(self, queue: deque[Job]) -> None:
        """Hand queued jobs, in order, to idle workers of their engines, starting workers up to each engine's limit."""
        waiting: deque[Job] = deque()
        while queue:
            job = queue.popleft()
            worker = self._idle_worker(job.engine, queue_behind=protocol.fits_in_a_pipe(job.op, job.args))
            if worker is None:
                waiting.append(job)
                continue
            try:
                worker.submit(job)
            except OSError:
                self._lost(worker)
        queue.extend(waiting)

    def _idle_worker(self, engine: str, queue_behind: bool = False) -> Worker | None:
        """A worker of ``engine`` with nothing to do, started now if that engine has room for one more; with
        ``queue_behind``, else the least busy one that can hold another job."""
        workers = self.workers_of(engine)
        idle = next((worker for worker in workers if worker.job is None), None)
        if idle is None and len(workers) < self.size:
            idle = self.start(engine)
        if idle or not queue_behind:
            return idle
        return min((worker for worker in workers if len(worker.jobs) < DEPTH),
                   key=lambda worker: len(worker.jobs), default=None)

    def _step(self) -> None:
        """Wait for the next message from a busy or starting worker, or for a deadline to pass."""
        active = [worker for worker in self._workers if worker.jobs or not worker.ready]
        remaining = min(worker.deadline for worker in active) - time.monotonic()
        readable = wait([worker.process.conn for worker in active], max(0.0, remaining))
        for worker in active:
            if worker.process.conn in readable:
                self._receive(worker)
            elif worker.deadline <= time.monotonic():
                self._expire(worker)

    def _receive(self, worker: Worker) -> None:
        """Act on one message from worker."""
        try:
            kind, *body = worker.process.conn.recv()
        except (EOFError, OSError):
            return self._lost(worker)
        if kind == protocol.READY:
            worker.mark_ready()
        elif kind == protocol.FAILED:
            self._retire(worker)
            raise SynthesisError(f"the speech engine could not start: {body[1]}", hint=body[2] or START_HINT)
        else:
            self._finish(worker, kind, body)

    def _finish(self, worker: Worker, kind: str, body: list) -> None:
        """Record a worker's answer; a worker that returns unusable audio loses its place."""
        job = worker.answered()
        if kind == protocol.ERROR:
            return job.finish(error=engine_error(*body, job.utterance))
        value = body[0]
        if job.op == protocol.SYNTHESIZE and not protocol.usable(value):
            self._retire(worker)
            return job.finish(error=_line_error("the speech engine returned no usable audio", job.utterance))
        job.finish(value)
        on_answer = self._on_answer()
        if on_answer:
            on_answer(job)

    def _expire(self, worker: Worker) -> None:
        """Kill a worker past its deadline and fail its job (or the start-up)."""
        job = self._retire(worker)
        if not worker.ready:
            limit = self.timeout + STARTUP_GRACE
            raise SynthesisError(f"the speech engine did not start within {limit:g} s", hint=START_HINT)
        message = f"the speech engine took longer than {self.timeout:g} s on this line"
        job.finish(error=_line_error(message, job.utterance, hint="split the line into shorter ones, then try again"))

    def _lost(self, worker: Worker) -> None:
        """A worker process that died: fail its job (or the start-up)."""
        job = self._retire(worker, CRASH_GRACE)
        how = _exit_text(worker.process.exitcode)
        if not worker.ready or job is None:
            raise SynthesisError(f"the speech engine stopped while starting ({how})", hint=START_HINT)
        job.finish(error=_line_error(f"the speech engine stopped unexpectedly ({how}) on this line", job.utterance))

    def _retire(self, worker: Worker, grace: float = 0.0) -> Job | None:
        """Stop worker, drop it from the pool, and return the job it was on.

        The jobs sent after it are dropped: they come later in the same run, which fails at this one.
        """
        self._workers.remove(worker)
        worker.process.stop(grace)
        return worker.job
