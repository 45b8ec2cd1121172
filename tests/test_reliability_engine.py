"""A misbehaving speech engine, met through a whole export of a practice file.

The worker pool's own handling of each fault is tested line by line in tests/voice/test_pool.py
(test_a_bad_worker_is_replaced_and_the_error_names_the_line: hang, crash, empty, odd, notaclip;
test_an_engine_error_names_the_line_and_caches_nothing: headeronly, explode) and the WAV reader in
tests/voice/test_espeak.py (test_read_wav_resamples_and_mixes_down, test_read_wav_rejects_files_without_usable_audio).
Here the same faults come from a script file: the error names that file and line, the destination is
untouched, the cache holds only valid entries and none for the failed line, and the next export works.
"""

from __future__ import annotations

import multiprocessing
import re
import wave
from pathlib import Path

import pytest
from reliability import WAV

from stillpoint.app import pipeline
from stillpoint.errors import SynthesisError
from stillpoint.language import timeline as timing
from stillpoint.language.timeline import Pace
from stillpoint.output.export import PART_SUFFIX
from stillpoint.voice import ClipCache, Synthesizer
from stillpoint.voice.cache import decode_entry
from stillpoint.voice.fake import TAIL_SECONDS

PRACTICE = """# Arriving
Settle in here.
[pause 1s]
{first} now, please.
Rest a while.
"""
FAULTY_LINE = 4
OLD = b"yesterday's export"


def practice(folder: Path, first: str) -> Path:
    """A practice file whose line 4 starts with ``first``."""
    path = folder / "evening.txt"
    path.write_text(PRACTICE.format(first=first), encoding="utf-8")
    return path


def export(source: Path, synth: Synthesizer, dest: Path) -> timing.Timeline:
    """Export over ``dest``; the timeline."""
    settings = pipeline.ExportSettings(dest=dest, force=True)
    return pipeline.export(pipeline.load_script(str(source)), Pace(), synth, settings)[1]


def key_of(source: Path, synth: Synthesizer, line: int) -> str:
    """The cache key of what line ``line`` of ``source`` says."""
    wanted = [u for u in timing.utterances(pipeline.load_script(str(source)), Pace()) if u.line == line]
    return synth.key(wanted[0])


@pytest.mark.parametrize(("fault", "message"), [
    ("hang", "took longer than 1 s on this line"),
    ("crash", "stopped unexpectedly (exit code 3) on this line"),
    ("headeronly", "wrote an empty audio file"),
    ("emptyfile", "wrote no readable audio"),
    ("eightbit", "wrote 8-bit audio, not 16-bit"),
])
def test_a_failing_line_is_named_leaves_nothing_behind_and_the_next_export_works(tmp_path: Path, fault: str,
                                                                                 message: str) -> None:
    source, dest, cache = practice(tmp_path, fault), tmp_path / "evening.mp3", ClipCache(tmp_path / "cache")
    dest.write_bytes(OLD)
    before = set(multiprocessing.active_children())
    with Synthesizer(WAV, cache=cache, workers=1, timeout=1.0) as synth:
        with pytest.raises(SynthesisError, match=re.escape(message)) as caught:
            export(source, synth, dest)
        where = caught.value.diagnostic
        assert (where.path, where.line) == (str(source), FAULTY_LINE) and where.hint
        assert dest.read_bytes() == OLD and not list(tmp_path.glob(f"*{PART_SUFFIX}"))
        assert cache.get(key_of(source, synth, FAULTY_LINE)) is None
        assert all(decode_entry(path.read_bytes()) for path in (tmp_path / "cache").glob("??/*.wav"))
        export(practice(tmp_path, "Breathe"), synth, dest)
        assert len(set(multiprocessing.active_children()) - before) == 1  # the failed worker was replaced
    assert dest.read_bytes() != OLD


@pytest.mark.parametrize("fault", ["lowrate", "stereo"])
def test_speech_at_another_rate_or_in_stereo_is_converted_to_the_internal_format(tmp_path: Path, fault: str) -> None:
    source, dest = practice(tmp_path, fault), tmp_path / "evening.wav"
    with Synthesizer(WAV, cache=ClipCache(tmp_path / "cache"), workers=1) as synth:
        planned = export(source, synth, dest)
    spoken = next(e for e in planned.events if e.line == FAULTY_LINE and e.kind == timing.SPEECH)
    words = len(spoken.text.split())
    assert spoken.duration == pytest.approx(words * 60 / 120 + TAIL_SECONDS, rel=0.01)
    with wave.open(str(dest)) as audio:
        assert (audio.getframerate(), audio.getnchannels()) == (22050, 1)
        assert audio.getnframes() / 22050 == pytest.approx(planned.total, abs=0.01)
