"""The worker pool: order, streaming, caching, de-duplication, and surviving bad engines."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
from dataclasses import replace

import pytest

from stillpoint.errors import SynthesisError, VoiceError
from stillpoint.language.timeline import Utterance
from stillpoint.voice import ClipCache, Synthesizer, SynthProgress, Voice, catalogue, synthesizer

from . import faulty_engines
from .faulty_engines import spoken

FAULTY = f"{faulty_engines.__name__}:FaultyEngine"
BROKEN = f"{faulty_engines.__name__}:BrokenEngine"
SECOND = f"{faulty_engines.__name__}:SecondEngine"


def line(text: str, number: int = 1, voice: str = "fake-a", rate: int = 150) -> Utterance:
    """An utterance from line ``number`` of a practice."""
    return Utterance(text, voice, rate, "practice.txt", number)


def lines(*texts: str) -> list[Utterance]:
    """Utterances numbered from line 1."""
    return [line(text, number) for number, text in enumerate(texts, 1)]


def children() -> set[int]:
    """Process ids of this process's live children."""
    return {process.pid for process in multiprocessing.active_children()}


@pytest.fixture
def log(tmp_path, monkeypatch):
    """The engines' request log, as a function returning (pid, text) pairs."""
    path = tmp_path / "requests.log"
    monkeypatch.setenv(faulty_engines.LOG_ENV, str(path))

    def read() -> list[tuple[str, str]]:
        return [tuple(row.split("\t", 1)) for row in path.read_text().splitlines()] if path.exists() else []

    return read


@pytest.fixture
def synth():
    """A two-worker pool of faulty-on-request engines with a short timeout."""
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


def test_look_ahead_is_bounded_while_a_slow_line_holds_up_the_stream(synth, log):
    stream = synth.clips(lines("slow first line", *(f"line {n}" for n in range(40))))
    next(stream)
    assert len(log()) <= 2 * synth.workers + 4


def test_duplicates_are_synthesized_once(synth, log):
    wanted = lines("breathe in", "breathe out", "breathe in", "breathe in", "breathe out")
    assert list(synth.clips(wanted)) == [spoken(u) for u in wanted]
    assert sorted(text for _, text in log()) == ["breathe in", "breathe out"]


def test_cache_hits_skip_the_engine_and_progress_counts_them(tmp_path, log):
    wanted = lines("one", "two", "three")
    runs = []
    for _ in range(2):
        progress: list[SynthProgress] = []
        with Synthesizer(FAULTY, cache=ClipCache(tmp_path / "cache"), workers=1) as pool:
            runs.append(list(pool.clips(wanted, progress.append)))
        assert [p.done for p in progress] == [1, 2, 3]
    assert runs[0] == runs[1] == [spoken(u) for u in wanted]
    assert len(log()) == 3
    assert progress[-1] == SynthProgress(done=3, total=3, cached=3)


def test_workers_are_reused_between_runs(synth, log):
    for text in ("a", "b", "c", "d", "e"):
        list(synth.clips([line(text)]))
    assert len({pid for pid, _ in log()}) == 1


def test_nothing_to_say_starts_no_worker():
    before = children()
    with Synthesizer(FAULTY, workers=1) as pool:
        assert list(pool.clips([])) == []
        assert children() == before


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
def test_a_bad_worker_is_replaced_and_the_error_names_the_line(tmp_path, log, fault, message):
    cache, before = ClipCache(tmp_path / "cache"), children()
    with Synthesizer(FAULTY, cache=cache, workers=1, timeout=1.0) as pool:
        stream = pool.clips([line("fine", 3), line(f"{fault} now", 4), line("after", 5)])
        next(stream)
        with pytest.raises(SynthesisError, match=message) as caught:
            next(stream)
        assert (caught.value.diagnostic.path, caught.value.diagnostic.line) == ("practice.txt", 4)
        assert caught.value.diagnostic.hint
        assert list(pool.clips([line("again")])) == [spoken(line("again"))]
        assert len(children() - before) == 1
        assert len({pid for pid, _ in log()}) == 2
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


def test_an_unknown_voice_is_a_voice_error_naming_the_line(synth):
    with pytest.raises(VoiceError, match="unknown voice 'fake-c'") as caught:
        list(synth.clips([line("hello", 9, voice="fake-c")]))
    assert caught.value.diagnostic.line == 9
    assert "did you mean 'fake-b' or 'fake-a' or 'en-us'?" in caught.value.diagnostic.hint


def test_an_unknown_voice_names_the_line_that_chose_it_where_the_script_did(synth):
    chosen = Utterance("hello", "fake-c", 120, "practice.txt", 9, voice_line=3)
    with pytest.raises(VoiceError, match="unknown voice 'fake-c'") as caught:
        list(synth.clips([chosen]))
    assert (caught.value.diagnostic.path, caught.value.diagnostic.line) == ("practice.txt", 3)


def test_voices_and_identity_come_from_the_one_engine_given(synth):
    assert [v.id for v in synth.voices()] == ["fake/fake-a", "fake/fake-b", "fake/heart", "fake/en-us"]
    assert synth.resolve_voice("FAKE-B").id == "fake/fake-b"
    assert synth.engine_of("fake-b") == ("fake", "1")


@pytest.mark.parametrize("engine", [BROKEN, "stillpoint.voice.no_such_engine:Engine"])
def test_an_engine_that_cannot_start_is_a_synthesis_error(engine):
    with Synthesizer(engine, workers=1) as pool, pytest.raises(SynthesisError, match="could not start"):
        pool.voices()


def test_engine_output_on_stdout_never_reaches_the_user(capfd):
    with Synthesizer(FAULTY, workers=1) as pool:
        assert list(pool.clips([line("noisy line")])) == [spoken(line("noisy line"))]
    assert capfd.readouterr().out == ""


def test_closing_leaves_no_processes_even_after_ctrl_c():
    def interrupt(_progress: SynthProgress) -> None:
        raise KeyboardInterrupt

    before = children()
    with pytest.raises(KeyboardInterrupt), Synthesizer(FAULTY, workers=2) as pool:
        list(pool.clips(lines("one", "two", "slow three", "four"), interrupt))
    assert children() == before


# ---------------------------------------------------------------- each voice on its own engine's workers


@pytest.fixture
def routed(monkeypatch):
    """A catalogue whose neural voices are spoken by the faulty engine and whose listed ones by a second engine."""
    monkeypatch.setattr(catalogue, "NEURAL", (
        (Voice("heart", FAULTY, "en-us", neural=True, languages=("en-us", "en")), ()),
        (Voice("joe", "stillpoint.voice.no_such_engine:Engine", neural=True, install_hint="pip install joe"), ()),
    ))
    monkeypatch.setattr(synthesizer, "ESPEAK_ENGINE", SECOND)
    with Synthesizer(workers=2) as synth:
        yield synth


def test_each_line_goes_to_the_workers_of_its_voices_engine(routed, log):
    wanted = [line("one", 1, "heart"), line("two", 2, "en-us"), line("three", 3, "heart"), line("four", 4, "en-au")]
    assert list(routed.clips(wanted)) == [spoken(replace(u, voice="fake-a")) for u in wanted]  # voice: no matter
    by_text = dict((text, pid) for pid, text in log())
    assert by_text["one"] != by_text["two"] and {by_text["one"], by_text["three"]}.isdisjoint({by_text["two"]})
    assert {worker.spec for worker in routed._pool} == {FAULTY, SECOND}
    assert routed.engine_of("heart") == ("fake", "1") and routed.engine_of("en-us") == ("second", "1")


def test_each_engine_has_up_to_one_worker_a_core(routed):
    list(routed.clips([line(f"line {n}", n, voice) for n in range(8) for voice in ("heart", "fake-b")]))
    specs = [worker.spec for worker in routed._pool]
    assert sorted(specs) == sorted([FAULTY, FAULTY, SECOND, SECOND])


def test_start_workers_starts_the_default_voices_engine_and_asks_nothing_else(routed, log):
    routed.start_workers()
    assert [worker.spec for worker in routed._pool] == [FAULTY, FAULTY]
    routed.start_workers(each=5)  # never more than the pool may have
    assert [worker.spec for worker in routed._pool] == [FAULTY, FAULTY]


def test_start_workers_for_lines_starts_the_engines_of_those_not_cached(tmp_path, routed):
    routed.cache = ClipCache(tmp_path / "cache")
    list(routed.clips([line("said before", 1, "en-us")]))
    routed.close()
    routed.start_workers([line("said before", 1, "en-us"), line("new", 2, "en-us"), line("x", 3, "klingon")], each=1)
    assert [worker.spec for worker in routed._pool] == [SECOND]  # the unknown voice is left for its line
    routed.close()
    routed.start_workers([line("said before", 1, "en-us")])
    assert len(routed._pool) == 0


def test_a_voice_that_is_not_installed_is_an_error_at_the_line_that_chose_it(routed):
    chosen = Utterance("hello", "joe", 120, "practice.txt", 9, voice_line=3)
    stream = routed.clips([line("first", 1, "heart"), chosen])
    assert next(stream) == spoken(line("first", 1, "heart"))
    with pytest.raises(VoiceError, match="the voice 'joe' is not installed") as caught:
        next(stream)
    assert (caught.value.diagnostic.path, caught.value.diagnostic.line) == ("practice.txt", 3)
    assert caught.value.diagnostic.hint == "pip install joe"


def test_switching_voices_or_engines_never_serves_another_voices_clip(tmp_path, monkeypatch, log):
    monkeypatch.setattr(catalogue, "NEURAL", ((Voice("heart", FAULTY, neural=True), ()),))
    monkeypatch.setattr(synthesizer, "ESPEAK_ENGINE", SECOND)
    cache, text = ClipCache(tmp_path / "cache"), "the same words"
    for voice in ("heart", "fake-a", "fake-b", "heart", "Fake Voice B"):
        progress: list[SynthProgress] = []
        with Synthesizer(cache=cache, workers=1) as synth:
            list(synth.clips([line(text, 1, voice)], progress.append))
        assert progress[-1].cached == (voice in ("heart", "Fake Voice B") and len(log()) == 3)
    assert len(log()) == 3 and cache.info().entries == 3


def test_the_key_names_the_voice_the_engine_speaks_not_how_it_was_written(routed):
    assert routed.key(line("a", 1, "fake-b")) == routed.key(line("a", 1, "Fake Voice B"))
    assert routed.key(line("a", 1, "fake-b")) != routed.key(line("a", 1, "fake-a"))
    assert routed.key(line("a", 1, "heart")) != routed.key(line("a", 1, "fake/heart"))  # two engines, one id


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
