"""Speech for a practice's lines: each routed to its voice's engine, looked up in the cache first, and the clips
streamed out in order while later lines are still being spoken by the worker pool."""

from __future__ import annotations

import itertools
import os
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from stillpoint.audio import Clip
from stillpoint.errors import StillpointError, VoiceError
from stillpoint.language import pacing
from stillpoint.language.script import DEFAULT_VOICE
from stillpoint.language.timeline import Utterance
from stillpoint.sound import loudness
from stillpoint.voice import catalogue, paced, protocol, recording
from stillpoint.voice.cache import ClipCache, cache_key
from stillpoint.voice.catalogue import ESPEAK_ENGINE, Catalogue, Voice
from stillpoint.voice.engine import VoiceInfo, engine_class
from stillpoint.voice.pool import Job, Pool, engine_error
from stillpoint.voice.protocol import Level


@dataclass(frozen=True)
class _Line:
    """The work for one utterance: one job, or a job per phrase of a line paced by pauses, joined once all are done."""

    jobs: list[Job]
    utterance: Utterance | None = None  # given for a paced line, whose clip is joined from its jobs'
    key: str = ""


@dataclass(frozen=True)
class SynthProgress:
    """How far a run has come: clips handed out of total, and how many of them came from the cache."""

    done: int
    total: int
    cached: int


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
        self._pool = Pool(self.workers, timeout, self._store)
        self._identities: dict[str, tuple[str, str]] = {}
        self._routes: dict[str, Voice] = {}
        self._played = itertools.count()  # numbers the jobs of recorded lines, each its own
        self._catalogue = self._new_catalogue()
        weakref.finalize(self, self._pool.close)  # stops the workers even if close() is never called

    def __enter__(self) -> Synthesizer:
        """The synthesizer itself; its workers stop when the block ends."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Stop the workers, whatever ended the block."""
        self.close()

    def close(self) -> None:
        """Stop every worker process; the synthesizer starts new ones if used again."""
        self._pool.close()

    def start_workers(self, utterances: Iterable[Utterance] | None = None, each: int | None = None) -> None:
        """Start ``each`` workers (default: all) of the default voice's engine, or of each engine ``utterances`` need.

        Given utterances, only engines with a line missing from the cache get workers. They load their engines
        meanwhile, so the first lines asked for need not wait; any others start as lines queue for them. A line
        whose voice cannot be spoken is left to report it in its turn, where the script chooses the voice.
        """
        names = [DEFAULT_VOICE] if utterances is None else [
            u.voice for u in utterances if not u.recording and not self._cached(u)]
        engines = []
        for name in dict.fromkeys(names):
            try:
                engines.append(self._route(name).engine)
            except VoiceError:
                continue
        for spec in dict.fromkeys(engines):
            while len(self._pool.workers_of(spec)) < min(each or self.workers, self.workers):
                self._pool.start(spec)

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
        """The cache key of utterance: its engine, the engine's version, the voice's id, rate and text (and the
        pause rule's version, for a line paced by pauses)."""
        voice = self._route(utterance.voice)
        rule = pacing.VERSION if pacing.paced(utterance.rate, self._floor(voice.engine)) else 0
        return cache_key(*self._identity(voice.engine), voice.engine_voice, utterance.rate, utterance.text, rule)

    def _phrases(self, utterance: Utterance) -> tuple[Utterance, ...] | None:
        """The phrases utterance is spoken in when its rate is below its engine's floor; None when it is said whole."""
        return paced.phrase_lines(utterance, self._floor(self._route(utterance.voice).engine))

    def _floor(self, spec: str) -> int:
        """The slowest rate the engine ``spec`` speaks naturally (0: it is slowed to any rate)."""
        return getattr(engine_class(spec), "floor", 0)

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
            return Catalogue(catalogue.neural_voices(),
                             lambda: catalogue.listed_voices(self._voices_of(ESPEAK_ENGINE), ESPEAK_ENGINE))
        spec = self.engine
        return Catalogue((), lambda: catalogue.listed_voices(self._voices_of(spec), spec, self._identity(spec)[0]))

    def _voices_of(self, spec: str) -> list[VoiceInfo]:
        """The voices a worker of the engine ``spec`` offers."""
        return self._pool.ask(spec, protocol.VOICES)

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
        queue: deque[Job] = deque()
        window: deque[_Line] = deque()
        live: dict[str, Job] = {}
        upcoming, cached = iter(utterances), 0
        for done in range(1, len(utterances) + 1):
            self._look_ahead(upcoming, window, live, queue, level)
            line = window.popleft()
            for job in line.jobs:
                self._pool.wait_for(job, queue)
                self._release(job, live)
                if job.error:
                    raise job.error
            cached += all(job.cached for job in line.jobs)
            if on_progress:
                on_progress(SynthProgress(done, len(utterances), cached))
            yield self._joined(line, level) if line.utterance else line.jobs[0].value

    def _look_ahead(
        self,
        upcoming: Iterator[Utterance],
        window: deque[_Line],
        live: dict[str, Job],
        queue: deque[Job],
        level: Level | None,
    ) -> None:
        """Fill the window of upcoming lines, queueing the ones that need synthesis."""
        while sum(len(line.jobs) for line in window) < self._lookahead:
            utterance = next(upcoming, None)
            if utterance is None:
                return
            window.append(self._line_for(utterance, live, queue, level))

    def _line_for(self, utterance: Utterance, live: dict[str, Job], queue: deque[Job], level: Level | None) -> _Line:
        """The work for utterance: its recording, its own job, or, for a paced line not in the cache, a job for each
        phrase."""
        if utterance.recording:
            return _Line([self._recorded_job(utterance, live, level)])
        try:
            key, parts = self.key(utterance), self._phrases(utterance)
        except VoiceError:  # its job tells it, in its turn
            return _Line([self._job_for(utterance, live, queue, level)])
        held = self.cache.get(key) if parts and key not in live and self.cache else None
        if parts is None or key in live or held is not None:
            return _Line([self._job_for(utterance, live, queue, level, held)])
        return _Line([self._job_for(part, live, queue, None) for part in parts], utterance, key)

    def _joined(self, line: _Line, level: Level | None) -> Clip:
        """A paced line's clip joined from its phrases' and their pauses, measured (and levelled), then cached."""
        clip = loudness.finished(paced.joined(line.utterance, [job.value for job in line.jobs]), level)
        if self.cache:
            self.cache.put(line.key, clip)
        return clip

    def _job_for(self, utterance: Utterance, live: dict[str, Job], queue: deque[Job], level: Level | None,
                 held: Clip | None = None) -> Job:
        """The job for utterance, shared with an identical line already in the window; failed if its voice is not.

        ``held`` is its clip when the cache has been read for it already."""
        try:
            key = self.key(utterance)
        except VoiceError as err:  # told in its turn, after the lines before it, at the line choosing the voice
            job = Job(protocol.SYNTHESIZE, "", utterance=utterance, refs=1, key=f"unspoken:{id(utterance)}")
            job.finish(error=engine_error("VoiceError", err.diagnostic.message, err.diagnostic.hint, utterance))
            return live.setdefault(job.key, job)
        job = live.get(key)
        if job is None:
            job = live[key] = self._new_job(utterance, key, queue, level, held)
        job.refs += 1
        return job

    def _recorded_job(self, utterance: Utterance, live: dict[str, Job], level: Level | None) -> Job:
        """A finished job for a line played from its recording: processed here, or taken from the cache."""
        job = Job(protocol.SYNTHESIZE, "", utterance=utterance, refs=1, key=f"recorded:{next(self._played)}")
        try:
            clip, job.cached = recording.clip_for(utterance, self.cache, level)
            job.finish(clip)
        except StillpointError as err:
            job.finish(error=err)
        return live.setdefault(job.key, job)

    def _new_job(self, utterance: Utterance, key: str, queue: deque[Job], level: Level | None,
                 held: Clip | None = None) -> Job:
        """A finished job for a cache hit, a queued levelling job for a hit not levelled so yet, or a synthesis job."""
        voice = self._route(utterance.voice)
        line = (utterance.text, voice.engine_voice, utterance.rate, level)
        job = Job(protocol.SYNTHESIZE, voice.engine, line, utterance, key)
        clip = held if held is not None or not self.cache else self.cache.get(key)
        job.cached = clip is not None
        if clip is None:
            queue.append(job)
        elif level and clip.levelled_to(level) is None:
            job.op, job.args = protocol.LEVEL, (clip, level)
            queue.append(job)
        else:
            job.finish(clip)
        return job

    @staticmethod
    def _release(job: Job, live: dict[str, Job]) -> None:
        """One use of job's clip is done; forget the clip after its last use in the window."""
        job.refs -= 1
        if not job.refs:
            del live[job.key]

    def _store(self, job: Job) -> None:
        """Keep a freshly spoken or levelled clip in the cache."""
        if self.cache and job.key:
            self.cache.put(job.key, job.value)
