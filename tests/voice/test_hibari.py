"""The hibari engine with its real bundled voice (marked ``neural``): speech, rate, shape, the one voice."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import numpy as np
import pytest

from stillpoint.audio import SAMPLE_RATE
from stillpoint.errors import VoiceError
from stillpoint.language.script import parse
from stillpoint.language.timeline import Utterance, utterances
from stillpoint.voice import Synthesizer, processes
from stillpoint.voice import hibari as hibari_module
from stillpoint.voice.hibari import HibariEngine, model_path
from stillpoint.voice.shape import LEAD_SECONDS, SOUND_THRESHOLD_DB, TAIL_SECONDS
from tests.voice.rates import RATE_LINES, assert_heard_rate_within_tolerance, assert_rate_within_tolerance

pytestmark = pytest.mark.neural
SENTENCE = "Find a comfortable position, and let your body be supported."


@pytest.fixture(scope="module")
def engine(no_hub):
    """One real engine for the module, made while hibari's model hub is out of reach."""
    return HibariEngine()


@pytest.fixture(scope="module")
def no_hub():
    """Make any attempt to find or fetch a voice from hibari's model hub fail the test."""
    import hibari.tts
    import hibari.voices

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("hibari was asked for a voice from its model hub")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(hibari.voices, "download", refuse)
        patch.setattr(hibari.voices, "voice_path", refuse)
        patch.setattr(hibari.tts, "voice_path", refuse)
        yield


def samples(engine: HibariEngine, text: str, rate: int = 120) -> np.ndarray:
    """One line spoken by the engine, as int16 samples."""
    return np.frombuffer(engine.synthesize(text, "heart", rate).pcm, dtype="<i2")


def test_a_sentence_is_speech_of_plausible_length(engine):
    audio = samples(engine, SENTENCE)
    assert 10 * 60 / 120 * 0.7 < len(audio) / SAMPLE_RATE < 10 * 60 / 120 * 1.4
    assert np.sqrt(np.mean(audio.astype(float) ** 2)) > 300


def test_the_engines_own_silence_is_trimmed_to_a_short_lead_and_tail(engine):
    audio = np.abs(samples(engine, SENTENCE).astype(float))
    loud = np.flatnonzero(audio >= audio.max() * 10 ** (SOUND_THRESHOLD_DB / 20))
    assert abs(loud[0] - LEAD_SECONDS * SAMPLE_RATE) <= 2
    assert abs(len(audio) - loud[-1] - TAIL_SECONDS * SAMPLE_RATE) <= 2


def test_a_line_always_sounds_the_same(engine):
    assert np.array_equal(samples(engine, SENTENCE), samples(engine, SENTENCE))


def test_rate_changes_the_length(engine):
    assert len(samples(engine, SENTENCE, rate=80)) > 1.8 * len(samples(engine, SENTENCE, rate=200))


@pytest.mark.parametrize("rate", [100, 120, 150])
def test_the_rate_asked_is_the_rate_spoken(engine, rate):
    assert_rate_within_tolerance(lambda text: engine.synthesize(text, "heart", rate), RATE_LINES, rate)


@pytest.mark.slow
@pytest.mark.parametrize("rate", [90, 120])
def test_below_its_floor_heart_is_heard_at_the_rate_asked_through_pauses(rate):
    assert rate < HibariEngine.floor
    with Synthesizer(workers=1, timeout=120) as synth:
        assert_heard_rate_within_tolerance(synth, "heart", rate)


@pytest.mark.parametrize("name", ["heart", "Heart", "en-us", "en"])
def test_the_bundled_voice_answers_to_its_name_and_languages(engine, name):
    assert len(engine.synthesize("Rest here.", name, 120).pcm) > 0


@pytest.mark.parametrize("name", ["emma", "bella", "en-gb"])
def test_a_voice_not_in_the_wheel_is_refused_in_one_line(engine, name):
    with pytest.raises(VoiceError, match=f"unknown voice '{name}'") as caught:
        engine.synthesize("Rest here.", name, 120)
    assert "\n" not in str(caught.value)


def test_voices_lists_only_the_bundled_voice(engine):
    assert [(voice.id, voice.languages) for voice in engine.voices()] == [("heart", ("en-us", "en"))]


def test_version_names_the_package_and_the_models_hash():
    digest = hashlib.sha256(model_path().read_bytes()).hexdigest()[:12]
    assert HibariEngine.version() == f"hibari-tts {hibari_module.metadata.version('hibari-tts')}, heart {digest}"


def test_a_respelling_changes_the_neural_audio(engine):
    text = "---\nvoice: en-us\n{pronounce}---\nRest with Siobhan.\n"
    plain = utterances(parse(text.format(pronounce="")))[0].text
    respelled = utterances(parse(text.format(pronounce="pronounce:\n  Siobhan: shiv awn\n")))[0].text
    assert respelled == "Rest with shiv awn."
    assert not np.array_equal(samples(engine, plain), samples(engine, respelled))


def test_the_engine_runs_on_numpy_fft_even_where_scipy_is_installed():
    probe = ("import scipy, sys; from stillpoint.voice.hibari import HibariEngine; HibariEngine(); "
             "import hibari.dsp, scipy.fft; print(hibari.dsp.FFT_BACKEND, 'scipy.fft' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["numpy", "True"]  # and scipy.fft can still be imported afterwards


def test_preloading_reads_the_lexicons_and_leaves_onnxruntime_and_its_threads_to_the_workers():
    probe = ("import os, sys; from stillpoint.voice import hibari; threads = len(os.listdir('/proc/self/task')); "
             "hibari.HibariEngine.preload(); print(hibari._g2p.cache_info().currsize, 'onnxruntime' in sys.modules, "
             "len(os.listdir('/proc/self/task')) - threads)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["1", "False", "0"]


@pytest.mark.skipif(not processes.forking(), reason="this system spawns every worker")
def test_a_worker_forked_after_the_preload_speaks_as_one_spawned_from_nothing(monkeypatch):
    wanted = [Utterance(SENTENCE, "heart", 120, "practice.txt", 1)]
    with Synthesizer(workers=1) as synth:
        forked = list(synth.clips(wanted, level=(-19.0, -1.0)))
    monkeypatch.setattr(processes, "forking", lambda: False)
    with Synthesizer(workers=1) as synth:
        spawned = list(synth.clips(wanted, level=(-19.0, -1.0)))
    assert forked[0].pcm == spawned[0].pcm and forked[0].levelled == spawned[0].levelled
