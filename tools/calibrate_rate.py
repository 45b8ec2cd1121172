"""Measure how fast each speech engine speaks the benefactor practice, and fit its rate formula.

    python tools/calibrate_rate.py [--rates 80,100,...] [ENGINE ...]  (hibari, piper, espeak-ng; default: all)

For each engine and each asked rate it speaks every line of the practice, as the engine's synthesize()
shapes it, and prints the measured rate: words spoken / seconds of the clips x 60. It then fits
measured = c * x ** k by least squares in log-log, where x is the engine's own speed setting (hibari's
speed, 1 / Piper's length_scale, espeak-ng's rate setting / 175), and prints c and k for the engine's
module (for espeak-ng only from 110 wpm: below, its setting is at its floor and pauses slow it).
Each engine runs in a process of its own, as in the voice workers.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PRACTICE = ROOT / "scripts" / "benefactor.txt"
RATES = (100, 120, 150)
ENGINES = {
    "hibari": ("stillpoint.voice.hibari", "HibariEngine", "heart", lambda m, rate: m.speed_for(rate)),
    "piper": ("stillpoint.voice.piper", "PiperEngine", "joe", lambda m, rate: 1 / m.length_scale_for(rate)),
    "espeak-ng": ("stillpoint.voice.espeak", "EspeakEngine", "en-us", lambda m, rate: m.setting_for(rate) / 175),
}
# espeak-ng's setting stops at 80 (~106 wpm); slower rates come from pauses between words, outside the fit.
FIT_FROM = {"espeak-ng": 110}


def measure(engine_name: str, rates: tuple[int, ...]) -> list[dict[str, float]]:
    """The measured rate of one engine at every asked rate, in this process."""
    import importlib

    from stillpoint.language.script import load
    from stillpoint.language.timeline import utterances

    module_name, class_name, voice, setting = ENGINES[engine_name]
    module = importlib.import_module(module_name)
    engine = getattr(module, class_name)()
    lines = [utterance.text for utterance in utterances(load(PRACTICE))]
    words = sum(len(line.split()) for line in lines)
    rows = []
    for rate in rates:
        seconds = sum(engine.synthesize(line, voice, rate).seconds for line in lines)
        rows.append({"asked": rate, "setting": setting(module, rate), "measured": words / seconds * 60})
    return rows


def fit(rows: list[dict[str, float]]) -> tuple[float, float]:
    """c and k of measured = c * setting ** k, least squares in log-log."""
    k, log_c = np.polyfit(np.log([row["setting"] for row in rows]), np.log([row["measured"] for row in rows]), 1)
    return float(np.exp(log_c)), float(k)


def report(engine_name: str, rows: list[dict[str, float]]) -> None:
    """A table of asked and measured rates and the fitted constants."""
    print(f"\n{engine_name}: asked wpm, setting, measured wpm, error")
    for row in rows:
        error = row["measured"] / row["asked"] - 1
        print(f"  {row['asked']:5.0f}  {row['setting']:.4f}  {row['measured']:6.1f}  {error:+6.1%}")
    c, k = fit([row for row in rows if row["asked"] >= FIT_FROM.get(engine_name, 0)])
    print(f"  fit: measured = {c:.2f} * setting ** {k:.4f}")


def main(arguments: list[str]) -> None:
    """Measure the named engines, each in its own process, and report them."""
    rates = RATES
    if arguments[:1] == ["--rates"]:
        rates, arguments = tuple(int(rate) for rate in arguments[1].split(",")), arguments[2:]
    if arguments[:1] == ["--one"]:
        print(json.dumps(measure(arguments[1], rates)))
        return
    for engine_name in arguments or list(ENGINES):
        command = [sys.executable, __file__, "--rates", ",".join(map(str, rates)), "--one", engine_name]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode:
            print(f"\n{engine_name}: failed\n{done.stderr.strip().splitlines()[-1]}")
            continue
        report(engine_name, json.loads(done.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main(sys.argv[1:])
