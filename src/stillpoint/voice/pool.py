"""Speech in long-lived worker processes: clips stream out in order, with the cache in front.

Each line goes to the workers of its voice's engine: every engine has workers of its own (up to one per core),
so two engines are never loaded in one process.
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import os
import signal
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.context import SpawnContext
from typing import Any

from stillpoint.audio import SAMPLE_WIDTH, Clip
from stillpoint.errors import StillpointError, SynthesisError, VoiceError
from stillpoint.language.script import DEFAULT_VOICE
from stillpoint.language.timeline import Utterance
from stillpoint.sound import loudness
from stillpoint.voice import catalogue
from stillpoint.voice.cache import ClipCache, cache_key
from stillpoint.voice.catalogue import ESPEAK_ENGINE, Catalogue, Voice
from stillpoint.voice.engine import Engine

STARTUP_GRACE = 10.0  # seconds a new worker may spend starting, on top of the timeout
CRASH_GRACE = 1.0  # seconds to let a dying worker exit by itself, so its exit code is known
RETRY_HINT = "try again; if it keeps failing, simplify or split the line"
START_HINT = "check that the speech engine is installed: run `stillpoint voices`"
ENGINE_ERRORS = {cls.__name__: cls for cls in (SynthesisError, VoiceError)}
# Jobs a worker may hold at once: the next is already in its pipe when it finishes one, so it never waits for this
# process to take the answer, store it in the cache and send more (about 10 ms a line, while the export renders).
DEPTH = 2
QUEUED_TEXT_BYTES = 4096  # a request queued behind another must fit in any pipe's buffer (16 KiB on macOS)
Level = tuple[float, float]  # (target LUFS, true-peak ceiling dBTP) that speech is levelled to


@dataclass(frozen=True)
class SynthProgress:
    """How far a run has come: clips handed out of total, and how many of them came from the cache."""

    done: int
    total: int
    cached: int


def engine_class(spec: str) -> type[Engine]:
    """The engine class named by 'module:Class'."""
    module, _, name = spec.partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise SynthesisError(f"the speech engine could not start: {exc}", hint=START_HINT) from None


def load_engine(spec: str) -> Engine:
    """A new instance of the engine class named by 'module:Class'."""
    return engine_class(spec)()


def _serve(conn: Connection, spec: str) -> None:
    """Worker process: build one engine, then answer requests until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when workers stop
    _silence_stdout()
    with contextlib.suppress(EOFError, OSError):  # the parent is gone (even killed): end quietly
        _answer_requests(conn, spec)


def _answer_requests(conn: Connection, spec: str) -> None:
    """Start the engine and say so (or why not), then answer each request until the parent closes the pipe."""
    try:
        engine = load_engine(spec)
    except Exception as exc:
        conn.send(("failed", *_describe(exc)))
        return
    conn.send(("ready",))
    while True:
        op, args = conn.recv()
        conn.send(_answer(engine, op, args))


def _silence_stdout() -> None:
    """Point this process's stdout at /dev/null: pyttsx3 prints a line for every file it saves."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)


def _answer(engine: Engine, op: str, args: tuple) -> tuple:
    """("ok", value) or ("error", kind, message, hint) for one request."""
    try:
        if op == "level":
            return ("ok", _finished(*args))
        if op == "synthesize":
            *line, level = args
            value = engine.synthesize(*line)
            return ("ok", _finished(value, level) if _usable(value) else value)
        return ("ok", getattr(engine, op)(*args))
    except Exception as exc:
        return ("error", *_describe(exc))


def _finished(clip: Clip, level: Level | None) -> Clip:
    """The clip measured (and levelled to ``level``) here, so the work is spread over the workers and cached."""
    if level and clip.loudness is None:
        measured, levelled = loudness.measured_and_levelled(clip.pcm, *level)
        return Clip(clip.pcm, measured, (*level, levelled))
    measured = clip.loudness or loudness.measure(clip.pcm)
    return Clip(clip.pcm, measured, (*level, loudness.level(clip.pcm, measured, *level)) if level else None)


def _describe(exc: Exception) -> tuple[str, str, str]:
    """An exception as (class name, message, hint), for the parent to turn back into an error."""
    if isinstance(exc, StillpointError):
        return type(exc).__name__, exc.diagnostic.message, exc.diagnostic.hint
    return "", f"{type(exc).__name__}: {exc}", ""


def _where(utterance: Utterance | None) -> dict[str, Any]:
    """The path and line an error about utterance should name."""
    return {"path": utterance.path, "line": utterance.line} if utterance else {}


def _line_error(message: str, utterance: Utterance | None, hint: str = RETRY_HINT) -> SynthesisError:
    """A synthesis error pointing at the line of utterance."""
    return SynthesisError(message, hint=hint, **_where(utterance))


def _engine_error(kind: str, message: str, hint: str, utterance: Utterance | None) -> StillpointError:
    """An error raised inside a worker, rebuilt in this process with the line it concerns."""
    cls = ENGINE_ERRORS.get(kind)
    if cls is None:
        return _line_error(f"the speech engine failed: {message}", utterance, hint or RETRY_HINT)
    if cls is VoiceError and utterance and utterance.voice_line:
        return VoiceError(message, hint=hint, path=utterance.path, line=utterance.voice_line)
    return cls(message, hint=hint, **_where(utterance))


def _usable(value: Any) -> bool:
    """Whether a worker's answer is a non-empty clip of whole samples."""
    pcm = getattr(value, "pcm", None)
    return isinstance(value, Clip) and isinstance(pcm, bytes) and len(pcm) > 0 and len(pcm) % SAMPLE_WIDTH == 0


def _fits_in_a_pipe(job: _Job) -> bool:
    """Whether job's request is small enough to wait in a busy worker's pipe without blocking this process.

    A worker busy sending a clip back reads nothing meanwhile; were this process to block sending it a request
    larger than the pipe holds (a clip to level), each would wait for the other forever.
    """
    return job.op == "synthesize" and len(job.args[0].encode()) <= QUEUED_TEXT_BYTES


def _exit_text(code: int | None) -> str:
    """A process exit code in words."""
    return f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"


@dataclass(eq=False)
class _Job:
    """One request for a worker and, once answered, its outcome."""

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


class _Worker:
    """One engine process, its pipe, and the jobs sent to it, the one it is working on first."""

    def __init__(self, context: SpawnContext, spec: str, timeout: float):
        self.spec = spec
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, spec), name="stillpoint-voice", daemon=True)
        self.process.start()
        child.close()
        self.timeout = timeout
        self.ready = False
        self.jobs: deque[_Job] = deque()
        self.deadline = time.monotonic() + timeout + STARTUP_GRACE

    @property
    def job(self) -> _Job | None:
        """The job the process is working on, if any."""
        return self.jobs[0] if self.jobs else None

    def submit(self, job: _Job) -> None:
        """Send job to the process; its clock starts once the jobs before it are done and the engine is ready."""
        self.jobs.append(job)
        if self.ready and len(self.jobs) == 1:
            self.deadline = time.monotonic() + self.timeout
        self.conn.send((job.op, job.args))

    def answered(self) -> _Job:
        """The job just answered, taken off the list; the next one's clock starts now."""
        self.deadline = time.monotonic() + self.timeout
        return self.jobs.popleft()

    def mark_ready(self) -> None:
        """The engine is up: a job already sent starts its clock now."""
        self.ready = True
        self.deadline = time.monotonic() + self.timeout

    def stop(self, grace: float = 0.0) -> None:
        """Kill the process (after grace seconds to exit by itself) and reap it."""
        self.process.join(grace)
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Start a worker ignoring SIGINT from birth, and with what it needs to start sent whatever comes.

    A terminal's Ctrl-C goes to every process of the job, and a worker still importing would die of it with a
    traceback. Ignoring is inherited across exec and Python then leaves it so. Here the signal is held
    meanwhile; if another thread takes it during the few milliseconds of the start, it is lost, and the next
    Ctrl-C works. A SIGTERM that comes meanwhile (it ends this process as Ctrl-C does) is acted on once the
    worker is started and counted: cut short, a start fails with a traceback in the new process.
    """
    handler, terminate = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    if threading.current_thread() is not threading.main_thread() or handler is None:
        yield  # only the main thread may change signal handling; nor can a handler set outside Python be put back
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    deferred: list[Any] = []
    if callable(terminate):
        signal.signal(signal.SIGTERM, lambda _signum, frame: deferred.append(frame))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, handler)
        signal.signal(signal.SIGTERM, terminate)
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
    if deferred:
        terminate(signal.SIGTERM, deferred[0])


def _stop_all(pool: list[_Worker]) -> None:
    """Stop every worker in pool and empty it."""
    while pool:
        pool.pop().stop()


class Synthesizer:
    """Turns utterances into clips with pools of engine processes, one pool per engine, and an optional cache.

    Each utterance is spoken by the voice its name picks in the catalogue, on that voice's engine. Given an
    ``engine`` ('module:Class'), every line goes to that one engine instead, which resolves the names itself.
    Use one from a single thread; run one ``clips`` iteration at a time.
    """

    def __init__(
        self,
        engine: str | None = None,
        cache: ClipCache | None = None,
        workers: int | None = None,
        timeout: float = 20.0,
    ):
        self.engine = engine
        self.cache = cache
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.timeout = timeout
        self._lookahead = 2 * self.workers + 4
        self._context = multiprocessing.get_context("spawn")
        self._pool: list[_Worker] = []
        self._identities: dict[str, tuple[str, str]] = {}
        self._routes: dict[str, Voice] = {}
        self._catalogue = self._new_catalogue()
        # Stops the workers even if close() is never called.
        weakref.finalize(self, _stop_all, self._pool)

    def __enter__(self) -> Synthesizer:
        """The synthesizer itself; its workers stop when the block ends."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Stop the workers, whatever ended the block."""
        self.close()

    def close(self) -> None:
        """Stop every worker process; the synthesizer starts new ones if used again."""
        _stop_all(self._pool)

    def start_workers(self, utterances: Iterable[Utterance] | None = None, each: int | None = None) -> None:
        """Start ``each`` workers (default: all) of the default voice's engine, or of each engine ``utterances`` need.

        Given utterances, only engines with a line missing from the cache get workers. They load their engines
        meanwhile, so the first lines asked for need not wait; any others start as lines queue for them. A line
        whose voice cannot be spoken is left to report it in its turn, where the script chooses the voice.
        """
        names = [DEFAULT_VOICE] if utterances is None else [u.voice for u in utterances if not self._cached(u)]
        engines = []
        for name in dict.fromkeys(names):
            with contextlib.suppress(VoiceError):
                engines.append(self._route(name).engine)
        for spec in dict.fromkeys(engines):
            while len(self._workers_of(spec)) < min(each or self.workers, self.workers):
                self._start(spec)

    def _cached(self, utterance: Utterance) -> bool:
        """Whether the cache holds utterance's clip (not if its voice cannot be spoken)."""
        try:
            return self.cache is not None and self.cache.path(self.key(utterance)).exists()
        except VoiceError:
            return False

    def engine_of(self, voice: str) -> tuple[str, str]:
        """The name and version of the engine that speaks ``voice``."""
        return self._identity(self._route(voice).engine)

    def key(self, utterance: Utterance) -> str:
        """The cache key of utterance: its engine, the engine's version, the voice's id, rate and text."""
        voice = self._route(utterance.voice)
        return cache_key(*self._identity(voice.engine), voice.engine_voice, utterance.rate, utterance.text)

    def voices(self) -> list[Voice]:
        """Every voice on offer, the neural ones first (an engine's own are asked for once, then remembered)."""
        return self._catalogue.voices()

    def resolve_voice(self, name: str) -> Voice:
        """The voice ``name`` picks; VoiceError with a suggestion if none, or with how to install it."""
        return self._catalogue.choose(name)

    def warnings(self) -> list[str]:
        """Problems that did not stop the work but are worth telling (e.g. an unwritable cache)."""
        return list(self.cache.warnings) if self.cache else []

    def _new_catalogue(self) -> Catalogue:
        """The neural voices and espeak-ng's; or, given one engine for everything, that engine's voices only."""
        if self.engine is None:
            return Catalogue(catalogue.neural_voices(), lambda: catalogue.listed_voices(self._ask(ESPEAK_ENGINE),
                                                                                         ESPEAK_ENGINE))
        spec = self.engine
        return Catalogue((), lambda: catalogue.listed_voices(self._ask(spec), spec, self._identity(spec)[0]))

    def _route(self, name: str) -> Voice:
        """The voice a line named ``name`` is spoken with (remembered); one engine for all resolves names itself."""
        if name not in self._routes:
            self._routes[name] = self.resolve_voice(name) if self.engine is None else Voice(name, self.engine)
        return self._routes[name]

    def _identity(self, spec: str) -> tuple[str, str]:
        """(name, version) of an engine, from its class: no worker is needed to know it."""
        if spec not in self._identities:
            cls = engine_class(spec)
            self._identities[spec] = (cls.name, cls.version())
        return self._identities[spec]

    def clips(
        self,
        utterances: Sequence[Utterance],
        on_progress: Callable[[SynthProgress], None] | None = None,
        level: Level | None = None,
    ) -> Iterator[Clip]:
        """A clip for each utterance, in order, each yielded as soon as it is ready; levelled to ``level`` if given."""
        queue: deque[_Job] = deque()
        window: deque[_Job] = deque()
        live: dict[str, _Job] = {}
        upcoming, cached = iter(utterances), 0
        for done in range(1, len(utterances) + 1):
            self._look_ahead(upcoming, window, live, queue, level)
            job = window.popleft()
            self._wait_for(job, queue)
            self._release(job, live)
            if job.error:
                raise job.error
            cached += job.cached
            if on_progress:
                on_progress(SynthProgress(done, len(utterances), cached))
            yield job.value

    def _look_ahead(
        self,
        upcoming: Iterator[Utterance],
        window: deque[_Job],
        live: dict[str, _Job],
        queue: deque[_Job],
        level: Level | None,
    ) -> None:
        """Fill the window of upcoming lines, queueing the ones that need synthesis."""
        while len(window) < self._lookahead:
            utterance = next(upcoming, None)
            if utterance is None:
                return
            window.append(self._job_for(utterance, live, queue, level))

    def _job_for(self, utterance: Utterance, live: dict[str, _Job], queue: deque[_Job], level: Level | None) -> _Job:
        """The job for utterance, shared with an identical line already in the window; failed if its voice is not."""
        try:
            key = self.key(utterance)
        except VoiceError as err:  # told in its turn, after the lines before it, at the line choosing the voice
            job = _Job("synthesize", "", utterance=utterance, refs=1, key=f"unspoken:{id(utterance)}")
            job.finish(error=_engine_error("VoiceError", err.diagnostic.message, err.diagnostic.hint, utterance))
            return live.setdefault(job.key, job)
        job = live.get(key)
        if job is None:
            job = live[key] = self._new_job(utterance, key, queue, level)
        job.refs += 1
        return job

    def _new_job(self, utterance: Utterance, key: str, queue: deque[_Job], level: Level | None) -> _Job:
        """A finished job for a cache hit, a queued levelling job for a hit not levelled so yet, or a synthesis job."""
        voice = self._route(utterance.voice)
        line = (utterance.text, voice.engine_voice, utterance.rate, level)
        job = _Job("synthesize", voice.engine, line, utterance, key)
        clip = self.cache.get(key) if self.cache else None
        job.cached = clip is not None
        if clip is None:
            queue.append(job)
        elif level and clip.levelled_to(level) is None:
            job.op, job.args = "level", (clip, level)
            queue.append(job)
        else:
            job.finish(clip)
        return job

    @staticmethod
    def _release(job: _Job, live: dict[str, _Job]) -> None:
        """One use of job's clip is done; forget the clip after its last use in the window."""
        job.refs -= 1
        if not job.refs:
            del live[job.key]

    def _ask(self, engine: str, op: str = "voices") -> Any:
        """Ask one worker of ``engine`` for op and return its answer."""
        job = _Job(op, engine)
        self._wait_for(job, deque([job]))
        if job.error:
            raise job.error
        return job.value

    def _wait_for(self, job: _Job, queue: deque[_Job]) -> None:
        """Keep the workers busy with the queue until job is done; stop feeding them if it failed."""
        self._dispatch(queue)
        while not job.done:
            self._step()
            if job.error is None:
                self._dispatch(queue)

    def _dispatch(self, queue: deque[_Job]) -> None:
        """Hand queued jobs, in order, to idle workers of their engines, starting workers up to each engine's limit."""
        waiting: deque[_Job] = deque()
        while queue:
            job = queue.popleft()
            worker = self._idle_worker(job.engine, queue_behind=_fits_in_a_pipe(job))
            if worker is None:
                waiting.append(job)
                continue
            try:
                worker.submit(job)
            except OSError:
                self._lost(worker)
        queue.extend(waiting)

    def _workers_of(self, engine: str) -> list[_Worker]:
        """The workers running ``engine``."""
        return [worker for worker in self._pool if worker.spec == engine]

    def _idle_worker(self, engine: str, queue_behind: bool = False) -> _Worker | None:
        """A worker of ``engine`` with nothing to do, started now if that engine has room for one more; with
        ``queue_behind``, else the least busy one that can hold another job."""
        workers = self._workers_of(engine)
        idle = next((worker for worker in workers if worker.job is None), None)
        if idle is None and len(workers) < self.workers:
            idle = self._start(engine)
        if idle or not queue_behind:
            return idle
        return min((worker for worker in workers if len(worker.jobs) < DEPTH),
                   key=lambda worker: len(worker.jobs), default=None)

    def _start(self, engine: str) -> _Worker:
        """Start one more worker process; it is in the pool, to be stopped, before any signal is acted on."""
        with _signals_held():
            worker = _Worker(self._context, engine, self.timeout)
            self._pool.append(worker)
        return worker

    def _step(self) -> None:
        """Wait for the next message from a busy or starting worker, or for a deadline to pass."""
        active = [worker for worker in self._pool if worker.jobs or not worker.ready]
        remaining = min(worker.deadline for worker in active) - time.monotonic()
        readable = wait([worker.conn for worker in active], max(0.0, remaining))
        for worker in active:
            if worker.conn in readable:
                self._receive(worker)
            elif worker.deadline <= time.monotonic():
                self._expire(worker)

    def _receive(self, worker: _Worker) -> None:
        """Act on one message from worker."""
        try:
            kind, *body = worker.conn.recv()
        except (EOFError, OSError):
            return self._lost(worker)
        if kind == "ready":
            worker.mark_ready()
        elif kind == "failed":
            self._retire(worker)
            raise SynthesisError(f"the speech engine could not start: {body[1]}", hint=body[2] or START_HINT)
        else:
            self._finish(worker, kind, body)

    def _finish(self, worker: _Worker, kind: str, body: list) -> None:
        """Record a worker's answer; a worker that returns unusable audio loses its place."""
        job = worker.answered()
        if kind == "error":
            return job.finish(error=_engine_error(*body, job.utterance))
        value = body[0]
        if job.op == "synthesize" and not _usable(value):
            self._retire(worker)
            return job.finish(error=_line_error("the speech engine returned no usable audio", job.utterance))
        job.finish(value)
        if self.cache and job.key:
            self.cache.put(job.key, value)

    def _expire(self, worker: _Worker) -> None:
        """Kill a worker past its deadline and fail its job (or the start-up)."""
        job = self._retire(worker)
        if not worker.ready:
            limit = self.timeout + STARTUP_GRACE
            raise SynthesisError(f"the speech engine did not start within {limit:g} s", hint=START_HINT)
        message = f"the speech engine took longer than {self.timeout:g} s on this line"
        job.finish(error=_line_error(message, job.utterance, hint="split the line into shorter ones, then try again"))

    def _lost(self, worker: _Worker) -> None:
        """A worker process that died: fail its job (or the start-up)."""
        job = self._retire(worker, CRASH_GRACE)
        how = _exit_text(worker.process.exitcode)
        if not worker.ready or job is None:
            raise SynthesisError(f"the speech engine stopped while starting ({how})", hint=START_HINT)
        job.finish(error=_line_error(f"the speech engine stopped unexpectedly ({how}) on this line", job.utterance))

    def _retire(self, worker: _Worker, grace: float = 0.0) -> _Job | None:
        """Stop worker, drop it from the pool, and return the job it was on.

        The jobs sent after it are dropped: they come later in the same run, which fails at this one.
        """
        self._pool.remove(worker)
        worker.stop(grace)
        return worker.job
