"""The worker pool: clips in order and streamed, workers kept and replaced, and surviving bad engines, with workers
forked from a zygote and spawned from nothing alike."""

from __future__ import annotations

import subprocess
import sys

import pytest

from stillpoint.errors import SynthesisError
from stillpoint.voice import ClipCache, Synthesizer, SynthProgress

from . import faulty_engines
from .faulty_engines import line, lines, spoken
from .family import descendants

FAULTY = f"{faulty_engines.__name__}:FaultyEngine"
BROKEN = f"{faulty_engines.__name__}:BrokenEngine"


@pytest.fixture
def synth(start):
    """A two-worker pool of faulty-on-request engines with a short timeout, started each way."""
    with Synthesizer(FAULTY, workers=2, timeout=1.0) as pool:
        yield pool


def test_clips_come_in_order_even_when_a_later_line_finishes_first(synth, log):
    wanted = lines("slow first line", "two", "three words here", "four", "five five", "six")
    assert list(synth.clips(wanted)) == [spoken(u) for u in wanted]
    assert len({pid for pid, _ in log()}) == 2  # the misses were spread over both workers


def test_first_clip_is_yielded_while_later_ones_are_still_being_made(log, monkeypatch):
    monkeypatch.setenv(faulty_engines.DELAY_ENV, "0.2")
    with Synthesizer(FAULTY, workers=1) as pool:
        stream = pool.clips(lines(*(f"line {n}" for n in range(6))))
        next(stream)
        assert len(log()) < 6


def test_workers_are_reused_between_runs(synth, log):
    for text in ("a", "b", "c", "d", "e"):
        list(synth.clips([line(text)]))
    assert len({pid for pid, _ in log()}) == 1


def test_nothing_to_say_starts_no_worker():
    before = descendants()
    with Synthesizer(FAULTY, workers=1) as pool:
        assert list(pool.clips([])) == []
        assert descendants() == before


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("hang", "took longer than 1 s"),
        ("crash", "exit code 3"),
        ("empty", "no usable audio"),
        ("odd", "no usable audio"),
        ("notaclip", "no usable audio"),
    ],
)
def test_a_bad_worker_is_replaced_and_the_error_names_the_line(tmp_path, log, start, fault, message):
    cache = ClipCache(tmp_path / "cache")
    with Synthesizer(FAULTY, cache=cache, workers=1, timeout=1.0) as pool:
        stream = pool.clips([line("fine", 3), line(f"{fault} now", 4), line("after", 5)])
        next(stream)
        with pytest.raises(SynthesisError, match=message) as caught:
            next(stream)
        assert (caught.value.diagnostic.path, caught.value.diagnostic.line) == ("practice.txt", 4)
        assert caught.value.diagnostic.hint
        assert list(pool.clips([line("again")])) == [spoken(line("again"))]
        speakers = {int(pid) for pid, _ in log()}
        assert len(speakers) == 2 and len(pool._pool) == 1
        assert len(speakers & descendants()) == 1  # the bad worker has ended; its replacement runs
    assert cache.info().entries == 2  # "fine" and "again"; the failed line left nothing behind


@pytest.mark.parametrize(
    ("fault", "message"),
    [("headeronly", "empty audio file"), ("explode", "RuntimeError: engine exploded")],
)
def test_an_engine_error_names_the_line_and_caches_nothing(tmp_path, fault, message):
    cache = ClipCache(tmp_path / "cache")
    with Synthesizer(FAULTY, cache=cache, workers=1) as pool, pytest.raises(SynthesisError, match=message) as caught:
        list(pool.clips([line(f"{fault} please", 7)]))
    assert caught.value.diagnostic.line == 7
    assert cache.info().entries == 0


@pytest.mark.parametrize("engine", [BROKEN, "stillpoint.voice.no_such_engine:Engine"])
def test_an_engine_that_cannot_start_is_a_synthesis_error(start, engine):
    with Synthesizer(engine, workers=1) as pool, pytest.raises(SynthesisError, match="could not start"):
        pool.voices()


def test_engine_output_on_stdout_never_reaches_the_user(capfd):
    with Synthesizer(FAULTY, workers=1) as pool:
        assert list(pool.clips([line("noisy line")])) == [spoken(line("noisy line"))]
    assert capfd.readouterr().out == ""


def test_closing_leaves_no_processes_even_after_ctrl_c(start):
    def interrupt(_progress: SynthProgress) -> None:
        raise KeyboardInterrupt

    before = descendants()
    with pytest.raises(KeyboardInterrupt), Synthesizer(FAULTY, workers=2) as pool:
        list(pool.clips(lines("one", "two", "slow three", "four"), interrupt))
    assert descendants() == before


LEVEL_FROM_CACHE = """
import sys
from pathlib import Path
from stillpoint.language.timeline import Utterance
from stillpoint.voice import ClipCache, Synthesizer
cache = ClipCache(Path(sys.argv[1]))
lines = [Utterance(f"line {n} " + "word " * 20, "fake-a", 60, "p.txt", n) for n in range(1, 9)]
with Synthesizer("stillpoint.voice.fake:FakeEngine", cache=cache, workers=1) as synth:
    list(synth.clips(lines))  # cached as spoken, not levelled
with Synthesizer("stillpoint.voice.fake:FakeEngine", cache=cache, workers=1) as synth:
    print(len(list(synth.clips(lines, level=(-19.0, -1.0)))))
"""


def test_levelling_long_cached_clips_never_deadlocks_on_a_full_pipe(tmp_path):
    # Each clip is about 0.9 MB: a request to level one fills the pipe of a worker busy sending one back.
    done = subprocess.run([sys.executable, "-c", LEVEL_FROM_CACHE, str(tmp_path / "cache")], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "8"
