"""The synthesizer: each line routed to its voice's engine, the cache in front, identical lines spoken once, and the
window of lines ahead kept short."""

from __future__ import annotations

from dataclasses import replace

import pytest

from stillpoint.errors import VoiceError
from stillpoint.language.timeline import Utterance
from stillpoint.voice import ClipCache, Synthesizer, SynthProgress, Voice, catalogue, synthesizer

from . import faulty_engines
from .faulty_engines import line, lines, spoken

FAULTY = f"{faulty_engines.__name__}:FaultyEngine"
SECOND = f"{faulty_engines.__name__}:SecondEngine"


@pytest.fixture
def synth():
    """A two-worker pool of faulty-on-request engines with a short timeout."""
    with Synthesizer(FAULTY, workers=2, timeout=1.0) as pool:
        yield pool


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


