"""How much of hibari's energy lies above 11.025 kHz, the highest frequency the internal 22.05 kHz rate keeps.

    python tools/hibari_band.py

Speaks every line of the benefactor practice with hibari at 24 kHz (before any resampling) and prints the
fraction of the energy above 11.025 kHz: over all lines, and for the line with the most.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from stillpoint.language.script import load
from stillpoint.language.timeline import utterances
from stillpoint.voice.hibari import SEED, model_path, speed_for

PRACTICE = Path(__file__).resolve().parents[1] / "scripts" / "benefactor.txt"
NYQUIST = 22050 / 2


def energies(audio: np.ndarray, rate: int) -> tuple[float, float]:
    """Energy above NYQUIST and in all, of audio taken at rate."""
    power = np.abs(np.fft.rfft(audio.astype(np.float64))) ** 2
    return float(power[np.fft.rfftfreq(len(audio), 1 / rate) > NYQUIST].sum()), float(power.sum())


def main() -> None:
    """Print the fractions over the practice."""
    from hibari import Hibari

    tts = Hibari(voice="heart", model=str(model_path()), threads=1)
    lines = utterances(load(PRACTICE))
    measured = [(energies(tts(u.text, speed=speed_for(u.rate), seed=SEED), tts.sample_rate), u.text) for u in lines]
    high, total = (sum(pair[0][i] for pair in measured) for i in (0, 1))
    (worst_high, worst_total), worst_text = max(measured, key=lambda pair: pair[0][0] / pair[0][1])
    fraction = high / total
    print(f"{len(lines)} lines: {fraction:.4%} of the energy above {NYQUIST:.0f} Hz ({10 * np.log10(fraction):.1f} dB)")
    print(f"most in one line: {worst_high / worst_total:.4%} ({worst_text!r})")


if __name__ == "__main__":
    main()
