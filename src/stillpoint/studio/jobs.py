"""The studio's work off the request path: one thread that owns the synthesizer, and exports followed by id."""

from __future__ import annotations

import itertools
import secrets
import shutil
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from stillpoint.app import handover, session
from stillpoint.errors import StillpointError
from stillpoint.voice import Synthesizer, Voice

T = TypeVar("T")
MAX_JOBS = 50  # exports kept to be downloaded; the oldest finished ones are forgotten and their files removed


class Speaker:
    """The one synthesizer of a studio, used from one thread: a synthesizer serves one caller at a time."""

    def __init__(self, cache_dir: Path | None = None):
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="stillpoint-studio-voice", initializer=_hold_ctrl_c)
        self._synth: Synthesizer = self._thread.submit(session.synthesizer, cache_dir).result()
        self._voices: list[Voice] | None = None

    def warm_up(self) -> None:
        """Start the default voice's workers and learn the voices now, so the first part heard waits for neither."""
        self.submit(lambda synth: synth.start_workers())
        self.voices()

    def submit(self, work: Callable[[Synthesizer], T]) -> Future[T]:
        """Run ``work`` with the synthesizer on its thread, after the work already queued."""
        return self._thread.submit(work, self._synth)

    def voices(self) -> list[Voice]:
        """Every voice on offer (asked once, on the synthesizer's thread)."""
        if self._voices is None:
            self._voices = self.submit(lambda synth: synth.voices()).result()
        return list(self._voices)

    def resolve(self, name: str) -> Voice:
        """The voice ``name`` picks, on the synthesizer's thread; VoiceError if it is unknown or not installed."""
        return self.submit(lambda synth: synth.resolve_voice(name)).result()

    def close(self) -> None:
        """Stop the voice workers once the queued work is done."""
        self._thread.submit(self._synth.close).result()
        self._thread.shutdown()


def _hold_ctrl_c() -> None:
    """Block SIGINT in the voice thread, so the worker processes it starts inherit the block.

    A terminal's Ctrl-C goes to every process of the job; the studio stops its workers itself.
    """
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


@dataclass
class Job:
    """An export in progress or done: how far it has come, the files it wrote, or the error that stopped it."""

    id: str
    folder: Path
    total: int
    done: int = 0
    state: str = "running"  # then "done" or "failed"
    message: str = ""
    files: list[Path] = field(default_factory=list)
    synthesized: int = 0
    cached: int = 0
    error: dict[str, object] | None = None

    def follow(self, progress: handover.Progress) -> None:
        """Take in how far the export has come."""
        self.done, self.total, self.message = progress.done, progress.total, progress.message
        self.synthesized, self.cached = progress.synthesized, progress.cached


class Jobs:
    """Exports run on the speaker's thread, each writing into a folder of its own under ``root``."""

    def __init__(self, speaker: Speaker, root: Path):
        self.speaker, self.root = speaker, root
        self._jobs: dict[str, Job] = {}
        self._numbers = itertools.count(1)  # each export's folder has a number of its own, never used again
        self._lock = threading.Lock()

    def start(self, total: int, work: Callable[[Synthesizer, Job], list[Path]]) -> Job:
        """Queue ``work`` (given the synthesizer and its job, it returns the files it wrote); the job follows it."""
        with self._lock:
            job = Job(secrets.token_hex(8), self.root / f"export-{next(self._numbers)}", total)
            job.folder.mkdir()
            self._jobs[job.id] = job
            self._forget_oldest()
        self.speaker.submit(lambda synth: self._run(job, work, synth))
        return job

    def _forget_oldest(self) -> None:
        """Past MAX_JOBS, forget the oldest finished exports and remove their files (one still queued stays)."""
        finished = [job for job in self._jobs.values() if job.state != "running"]
        for job in finished[:max(len(self._jobs) - MAX_JOBS, 0)]:
            del self._jobs[job.id]
            shutil.rmtree(job.folder, ignore_errors=True)

    def get(self, job_id: str) -> Job | None:
        """The job with this id, if it is known."""
        with self._lock:
            return self._jobs.get(job_id)

    @staticmethod
    def _run(job: Job, work: Callable[[Synthesizer, Job], list[Path]], synth: Synthesizer) -> None:
        """Do the work, recording its files or the one-line error that stopped it."""
        try:
            job.files = work(synth, job)
            job.state = "done"
        except StillpointError as err:
            job.error, job.state = _error(err), "failed"
        except Exception as err:  # a defect must not leave the page waiting for ever
            job.error, job.state = {"message": f"the export stopped: {type(err).__name__}: {err}", "hint": ""}, "failed"


def _error(err: StillpointError) -> dict[str, object]:
    """An error as the page shows it."""
    found = err.diagnostic
    return {"message": found.message, "hint": found.hint, "path": found.path, "line": found.line, "col": found.col,
            "text": str(found)}
