"""How the voices sound, how well they are understood, and how fast they speak, on the benefactor practice.

Per voice, through the command line: `stillpoint plan benefactor --voice V --json` (every event with its start
and length, which the export equals to the sample) and `stillpoint export benefactor --voice V -o X.wav`, one
cache for both. The speech is cut out of the WAV at the plan's speech events and joined, without the silences
between them, then resampled to 16 kHz (soxr) for the judges:

- DNSMOS (speechmos): P.808 and OVRL, each the mean over consecutive 10 s windows of the joined speech (each
  judged on its first 9.01 s, the length DNSMOS's models take; a rest shorter than that is left out).
- Whisper base (faster-whisper, int8, on the CPU) transcribes the joined speech; the word error rate (jiwer) is
  taken against the text of the plan's speech events, the words the practice speaks, both normalized: lower case,
  numbers in words, punctuation dropped.
- Speaking rate: words spoken over seconds of speech (the plan's speech events, each clip with its short tail)
  over the whole practice, against the rate it asks (each section's words at the script's `rate:` or the
  section's own); each section's own figure is shown beside it.

Targets for the default voice come from the issue; the other voices' quality rows are for information.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import wave
from pathlib import Path

import numpy as np

from benchmarks import judges
from benchmarks.common import environment, row, section_rates, stillpoint

PRACTICE = "benefactor"
DEFAULT = "heart"
VOICES = (DEFAULT, "joe", "en-us")
P808_TARGET, OVRL_TARGET, WER_TARGET = 4.2, 3.4, 0.03
RATE_TOLERANCE = 0.10


def _stillpoint(folder: Path, *args: str | Path, engine: str | None = None) -> str:
    """Run one stillpoint command (with every line on ``engine``, if given); its output, or a RuntimeError with its
    one-line complaint."""
    env = environment(folder) | ({"STILLPOINT_ENGINE": engine} if engine else {})
    done = subprocess.run(stillpoint(*args, "--cache-dir", folder / "cache"), env=env,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if done.returncode:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}")
    return done.stdout


def plan_of(folder: Path, voice: str, *options: str, engine: str | None = None) -> dict:
    """The practice's plan with this voice (and any other ``options``, on ``engine`` if given), every line
    synthesized to measure it."""
    return json.loads(_stillpoint(folder, "plan", PRACTICE, "--voice", voice, *options, "--json", "--quiet",
                                  engine=engine))


def exported_wav(folder: Path, voice: str, *options: str) -> Path:
    """The practice exported as WAV with this voice (and ``options``), from the cache the plan filled."""
    dest = folder / f"{voice}.wav"
    _stillpoint(folder, "export", PRACTICE, "--voice", voice, *options, "-o", dest, "--force", "--quiet")
    return dest


def speech_of(wav: Path, plan: dict) -> np.ndarray:
    """The speech events of ``plan`` cut out of ``wav`` and joined, as 16 kHz float samples."""
    return for_judges(*speech_events(wav, plan))


def speech_events(wav: Path, plan: dict) -> tuple[list[np.ndarray], int]:
    """The samples (floats) of each speech event of ``plan`` in ``wav``, and their sample rate."""
    with wave.open(str(wav), "rb") as sound:
        rate = sound.getframerate()
        samples = np.frombuffer(sound.readframes(sound.getnframes()), dtype="<i2").astype(np.float32) / 32768
    return [samples[round(e["start"] * rate):round((e["start"] + e["duration"]) * rate)]
            for e in plan["events"] if e["kind"] == "speech"], rate


def for_judges(pieces: list[np.ndarray], rate: int) -> np.ndarray:
    """Pieces of sound at ``rate`` joined and resampled to the judges' 16 kHz (soxr)."""
    import soxr

    return soxr.resample(np.concatenate(pieces), rate, judges.JUDGE_RATE).astype(np.float32)


def spoken_text(plan: dict) -> str:
    """Every word the plan speaks, in order."""
    return " ".join(e["text"] for e in plan["events"] if e["kind"] == "speech")


def rate_row(voice: str, plan: dict) -> dict:
    """Words over seconds of speech in the whole practice against the rate it asks (each section's words at
    its own rate); the sections' own figures are shown beside it."""
    asked = section_rates(PRACTICE)
    sections = [s for s in plan["sections"] if s["spoken"]]
    asked_seconds = sum(s["words"] * 60 / asked[s["title"]] for s in sections)
    spoken = sum(s["spoken"] for s in sections)
    words = sum(s["words"] for s in sections)
    off = asked_seconds / spoken - 1
    each = ", ".join(f"{s['words'] * 60 / s['spoken']:.0f}/{asked[s['title']]}" for s in sections)
    return row(f"{PRACTICE} --voice {voice}: speaking rate over the practice (wpm measured/asked)",
               f"{words * 60 / spoken:.0f}/{words * 60 / asked_seconds:.0f} = {off:+.1%} (sections: {each})",
               f"within ±{RATE_TOLERANCE:.0%}", abs(off) <= RATE_TOLERANCE)


def quality_rows(voice: str, plan: dict, speech: np.ndarray, model) -> list[dict]:
    """DNSMOS and Whisper's word error rate; targets only for the default voice."""
    p808, ovrl = judges.dnsmos(speech)
    reference = spoken_text(plan)
    wer = judges.word_error_rate(reference, judges.transcript(model, speech))
    words = len(judges.normalized(reference).split())
    judged = voice == DEFAULT
    return [
        row(f"{PRACTICE} --voice {voice}: DNSMOS P.808 / OVRL over {len(speech) / judges.JUDGE_RATE:.0f} s of speech",
            f"{p808:.2f} / {ovrl:.2f}", f">= {P808_TARGET} / >= {OVRL_TARGET}" if judged else "info",
            p808 >= P808_TARGET and ovrl >= OVRL_TARGET if judged else None),
        row(f"{PRACTICE} --voice {voice}: Whisper base word error rate", f"{wer:.1%} of {words} words",
            f"<= {WER_TARGET:.0%}" if judged else "info", wer <= WER_TARGET if judged else None),
    ]


def voice_rows(voice: str, model) -> list[dict]:
    """The quality and rate rows of one voice, or one failing row saying why it could not be measured."""
    with tempfile.TemporaryDirectory(prefix="stillpoint-bench-") as name:
        folder = Path(name)
        try:
            plan = plan_of(folder, voice)
            speech = speech_of(exported_wav(folder, voice), plan)
        except RuntimeError as exc:
            return [row(f"{PRACTICE} --voice {voice}: exported and judged", str(exc), "exports", False)]
    return quality_rows(voice, plan, speech, model) + [rate_row(voice, plan)]


def run() -> list[dict]:
    """Quality and rate rows for every voice."""
    model = judges.whisper()
    return [found for voice in VOICES for found in voice_rows(voice, model)]
