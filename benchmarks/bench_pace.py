"""A pace made of pauses: how the default voice sounds at a practice's own rate, and how near every engine comes to it.

benefactor asks 120 wpm (110 in its closing), below hibari's natural floor (156 wpm, speed 0.70), so each line is
said in phrases at the floor with pauses after them (language/pacing.py). Through the command line, as
bench_quality does: `plan --json` and `export -o X.wav` with one cache, the speech events cut out of the WAV and
joined without the silences between them, at 16 kHz for the judges (DNSMOS P.808 and OVRL, the means over 10 s
windows; Whisper base's word error rate against the words of the plan, over the whole speech at once as
bench_quality transcribes it and, for information, line by line). Judged three ways, side by side in one run:

- the export's speech as bench_quality judges it: each line with the pauses inside it (the target);
- the same speech with those pauses (runs of at least PAUSE_SECONDS of exact zeros) taken out: the voice alone;
- the engine alone at the same speed: hibari's own samples for the same phrases at the same speed, joined,
  resampled to 16 kHz and brought to -19 LUFS by one gain, in a process of its own. The pipeline (shaping,
  levelling, fading) may take at most MAX_LOSS from it (compared with the speech without its pauses: the same
  phrases back to back);
- for information, today's way before pauses: whole lines with the voice slowed to the rate, levelled and faded
  as the renderer does.

Heard rate, for every engine: words over the seconds of the plan's speech events (each line with its pauses)
against the rate each section asks; at the practice's own rate, and at 80 wpm for espeak-ng and the fake engine,
whose floors (101 and 100 wpm) lie below the practice's own.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from benchmarks import judges
from benchmarks.bench_quality import PRACTICE, exported_wav, for_judges, plan_of, speech_events, spoken_text
from benchmarks.common import row

VOICE = "heart"
P808_TARGET, OVRL_TARGET, WER_TARGET, RATE_TOLERANCE, MAX_LOSS = 4.25, 3.40, 0.01, 0.10, 0.03
PAUSE_SECONDS = 0.05  # exact zeros at least this long inside a line are a pause, not speech
LUFS = -19.0
FAKE = "stillpoint.voice.fake:FakeEngine"
RATES = (("joe", None, None), ("en-us", None, None), ("en-us", 80, None), ("fake-a", 80, FAKE))


def without_pauses(pieces: list[np.ndarray], rate: int) -> list[np.ndarray]:
    """Each piece with its runs of exact zeros of PAUSE_SECONDS or more taken out."""
    shortest = round(PAUSE_SECONDS * rate)
    found = []
    for piece in pieces:
        zero = np.concatenate(([False], piece == 0, [False]))
        starts, ends = np.flatnonzero(~zero[:-1] & zero[1:]), np.flatnonzero(zero[:-1] & ~zero[1:])
        keep = np.ones(len(piece), bool)
        for start, end in zip(starts, ends):
            keep[start:end] = end - start < shortest
        found.append(piece[keep])
    return found


def at_loudness(samples: np.ndarray, lufs: float = LUFS) -> np.ndarray:
    """16 kHz float samples brought to ``lufs`` (BS.1770 integrated) by one gain."""
    import pyebur128

    state = pyebur128.R128State(1, judges.JUDGE_RATE, pyebur128.MeasurementMode.MODE_I)
    state.add_frames(np.ascontiguousarray(samples, dtype=np.float64), len(samples))
    return (samples * 10 ** ((lufs - pyebur128.get_loudness_global(state)) / 20)).astype(np.float32)


def engine_alone(folder: Path) -> dict[str, np.ndarray]:
    """hibari's own samples at the pipeline's speeds, and today's slowed whole lines, from a process of its own."""
    out = folder / "alone.npz"
    subprocess.run([sys.executable, "-m", "benchmarks.bench_pace", "alone", str(out)], check=True)
    with np.load(out) as found:
        return {name: found[name] for name in found.files}


def speak_alone(out: Path) -> None:
    """In this process: benefactor's phrases as hibari alone speaks them (24 kHz floats) and today's whole lines
    slowed to the rate, levelled and faded as the renderer does (internal PCM), saved to ``out``."""
    from stillpoint.app import pipeline
    from stillpoint.language.timeline import utterances
    from stillpoint.sound import loudness, seams
    from stillpoint.voice import hibari, paced

    engine = hibari.HibariEngine()
    lines = utterances(pipeline.load_script(PRACTICE))
    phrases = [part for line in lines for part in paced.phrase_lines(line, engine.floor) or (line,)]
    alone = [engine._tts(part.text, speed=hibari.speed_for(part.rate), seed=hibari.SEED) for part in phrases]
    today = [loudness.finished(engine.synthesize(line.text, VOICE, line.rate), (LUFS, -1.0)) for line in lines]
    pcm = b"".join(seams.faded(clip.levelled[2]) for clip in today)
    np.savez(out, alone=np.concatenate(alone).astype(np.float32), rate=np.array(engine._tts.sample_rate),
             today=np.frombuffer(pcm, "<i2").astype(np.float32) / 32768)


def dnsmos_row(label: str, speech: np.ndarray, target: bool = False) -> tuple[dict, tuple[float, float]]:
    """A row of DNSMOS figures over ``speech`` (16 kHz), judged against the targets if ``target``, and the figures."""
    p808, ovrl = judges.dnsmos(speech)
    ok = p808 >= P808_TARGET and ovrl >= OVRL_TARGET if target else None
    seconds = len(speech) / judges.JUDGE_RATE
    return row(f"{PRACTICE} --voice {VOICE}: DNSMOS P.808 / OVRL, {label}, {seconds:.0f} s", f"{p808:.3f} / {ovrl:.3f}",
               f">= {P808_TARGET} / >= {OVRL_TARGET}" if target else "info", ok), (p808, ovrl)


def quality_rows(folder: Path, model) -> list[dict]:
    """The default voice's export judged with and without its pauses, against the engine alone and today's way."""
    plan = plan_of(folder, VOICE)
    pieces, rate = speech_events(exported_wav(folder, VOICE), plan)
    heard = for_judges(pieces, rate)
    heard_row, _ = dnsmos_row("its lines with their pauses (as bench_quality judges)", heard, target=True)
    voiced_row, voiced = dnsmos_row("the same speech without its pauses", for_judges(without_pauses(pieces, rate), rate))
    found = engine_alone(folder)
    alone_row, alone = dnsmos_row("hibari alone at the same speeds, -19 LUFS",
                                  at_loudness(for_judges([found["alone"]], int(found["rate"]))))
    today_row, _ = dnsmos_row("today's way before pauses: the voice slowed to the rate",
                              for_judges([found["today"]], 22050))
    loss = (voiced[0] - alone[0], voiced[1] - alone[1])
    wer = judges.word_error_rate(spoken_text(plan), judges.transcript(model, heard))
    return [heard_row, voiced_row, alone_row, today_row,
            row(f"{PRACTICE} --voice {VOICE}: the pipeline against hibari alone (P.808 / OVRL difference)",
                f"{loss[0]:+.3f} / {loss[1]:+.3f}", f">= -{MAX_LOSS} each", min(loss) >= -MAX_LOSS),
            row(f"{PRACTICE} --voice {VOICE}: Whisper base word error rate", f"{wer:.1%}", f"<= {WER_TARGET:.0%}",
                wer <= WER_TARGET),
            row(f"{PRACTICE} --voice {VOICE}: Whisper base word error rate, each line transcribed on its own",
                f"{line_by_line_wer(model, pieces, rate, plan):.1%}", "info", None),
            rate_row(VOICE, None, plan)]


def line_by_line_wer(model, pieces: list[np.ndarray], rate: int, plan: dict) -> float:
    """Whisper's word error rate over the same speech with each line (its pauses in) transcribed on its own: what
    the voice says, apart from the words Whisper's 30 s windows skip after a pause in one long transcription."""
    heard = " ".join(judges.transcript(model, for_judges([piece], rate)) for piece in pieces)
    return judges.word_error_rate(spoken_text(plan), heard)


def asked_rates(rate: int | None) -> dict[str, int]:
    """The rate each section of the practice asks, by title, with ``rate`` given on the command line."""
    from stillpoint.app import pipeline
    from stillpoint.language.timeline import Pace, section_settings

    script = pipeline.load_script(PRACTICE)
    return {section.title: section_settings(script, section, Pace(rate=rate)).rate for section in script.sections}


def rate_row(voice: str, rate: int | None, plan: dict) -> dict:
    """Words over seconds of speech (each line with its pauses) against the rate each section asks."""
    asked = asked_rates(rate)
    sections = [s for s in plan["sections"] if s["spoken"]]
    words = sum(s["words"] for s in sections)
    heard = words * 60 / sum(s["spoken"] for s in sections)
    wanted = words * 60 / sum(s["words"] * 60 / asked[s["title"]] for s in sections)
    return row(f"{PRACTICE} --voice {voice} at {rate or 'its own rate'}: heard rate (wpm heard/asked)",
               f"{heard:.1f}/{wanted:.1f} = {heard / wanted - 1:+.1%}", f"within ±{RATE_TOLERANCE:.0%}",
               abs(heard / wanted - 1) <= RATE_TOLERANCE)


def other_rate_rows(folder: Path) -> list[dict]:
    """The heard rate of every other engine, at the practice's own rate and, for the slow floors, at 80 wpm."""
    found = []
    for voice, rate, engine in RATES:
        options = ("--rate", str(rate)) if rate else ()
        try:
            found.append(rate_row(voice, rate, plan_of(folder, voice, *options, engine=engine)))
        except RuntimeError as exc:
            found.append(row(f"{PRACTICE} --voice {voice}: planned", str(exc), "plans", False))
    return found


def run() -> list[dict]:
    """The pace rows."""
    model = judges.whisper()
    with tempfile.TemporaryDirectory(prefix="stillpoint-bench-") as name:
        return quality_rows(Path(name), model) + other_rate_rows(Path(name))


if __name__ == "__main__" and sys.argv[1:2] == ["alone"]:
    speak_alone(Path(sys.argv[2]))
