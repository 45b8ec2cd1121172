"""How a line reaches its rate: the voice no slower than it sounds natural, the rest of the time as pauses. Pure.

A voice slowed far below its natural speed drawls (hibari's heart at the speed 120 wpm needs scores lower with
every judge than at 0.7), where a human guide speaks at a natural pace and slows by pausing. So a line whose
rate is below its engine's floor (the slowest rate it speaks naturally, measured per engine) is said in phrases,
cut after its clause marks (``sentences.phrases``), each spoken on its own at the floor, with silence after each
so that the whole lasts words x 60 / rate. The silence is shared out by weight: a comma 1, a clause mark (; : a
dash, an ellipsis) 1.5, the line's end 1; a mark between short phrases ("Now," or a list) weighs less, in
proportion to the shorter phrase's words up to FULL_PHRASE_WORDS. No pause inside the line lasts more than
PAUSE_CAP, nor the one at its end more than END_CAP; what a cap refuses goes to the others. Where even every
pause at its cap cannot make up the time (a very slow rate, a line with few marks), the voice is slowed just
enough for the caps to. Every length is a whole number of samples, computed from the text and the phrases'
clip lengths alone: a plan and an export agree to the sample.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from stillpoint.audio import SAMPLE_RATE
from stillpoint.language.sentences import phrases

VERSION = 1  # part of the cache key of a paced line: change it whenever the rule below changes its sound
COMMA_WEIGHT, CLAUSE_WEIGHT, END_WEIGHT = 1.0, 1.5, 1.0
COMMAS = ",\u3001\uff0c"  # the marks that weigh as a comma; every other clause mark weighs as a clause
CLOSERS = "\"'\u201d\u2019)]"  # quotes and brackets that may follow a mark
FULL_PHRASE_WORDS = 4  # a pause between phrases of at least this many words each draws its full weight
PAUSE_CAP = 1.2  # seconds of silence after a phrase inside the line, at most
END_CAP = 1.5  # seconds after the line's last phrase, at most: with the 0.8 s between sentences, up to 2.4 s


@dataclass(frozen=True)
class Phrase:
    """A stretch of a line between pauses, and the pause after it: its share of the time (weight) and its cap."""

    text: str
    weight: float
    cap: float


def phrasing(text: str) -> list[Phrase]:
    """The line cut into its phrases, each with the weight and cap of the pause that follows it."""
    parts = phrases(text)
    found = []
    for index, part in enumerate(parts):
        if index + 1 == len(parts):
            found.append(Phrase(part, END_WEIGHT, END_CAP))
            continue
        mark = COMMA_WEIGHT if part.rstrip(CLOSERS)[-1:] in COMMAS else CLAUSE_WEIGHT
        shorter = min(len(part.split()), len(parts[index + 1].split()), FULL_PHRASE_WORDS)
        found.append(Phrase(part, mark * shorter / FULL_PHRASE_WORDS, PAUSE_CAP))
    return found


def paced(rate: int, floor: int) -> bool:
    """Whether a line at ``rate`` words per minute is paced by pauses: its engine has a floor above the rate."""
    return 0 < rate < floor


def spoken_rate(text: str, rate: int, floor: int) -> int:
    """The rate a paced line's phrases are spoken at: the floor, unless every pause at its cap would still leave
    the line short, when just slow enough for the caps to fill it (never slower than ``rate``)."""
    seconds = asked_seconds(text, rate)
    room = seconds - sum(phrase.cap for phrase in phrasing(text))
    if room <= 0:
        return floor
    return max(rate, min(floor, math.ceil(len(text.split()) * 60 / room)))


def asked_seconds(text: str, rate: int) -> float:
    """How long a line lasts at ``rate`` words per minute, as heard."""
    return len(text.split()) * 60 / rate


def pauses(said: Sequence[Phrase], seconds: Sequence[float], rate: int) -> list[int]:
    """Samples of silence after each phrase, given how long each one's clip lasts, so that the line lasts as
    long as ``rate`` asks (less only when every pause is at its cap)."""
    text = " ".join(phrase.text for phrase in said)
    budget = asked_seconds(text, rate) - sum(seconds)
    shares = _shared(budget, [phrase.weight for phrase in said], [phrase.cap for phrase in said])
    return [round(share * SAMPLE_RATE) for share in shares]


def _shared(budget: float, weights: list[float], caps: list[float]) -> list[float]:
    """``budget`` seconds split in proportion to ``weights``, none above its cap; what a cap refuses goes to the
    others (water filling)."""
    shares = [0.0] * len(weights)
    free = [i for i, weight in enumerate(weights) if weight > 0]
    remaining = max(0.0, budget)
    while free and remaining > 0:
        total = sum(weights[i] for i in free)
        full = [i for i in free if remaining * weights[i] / total >= caps[i]]
        if not full:
            for i in free:
                shares[i] = remaining * weights[i] / total
            return shares
        for i in full:
            shares[i] = caps[i]
            remaining -= caps[i]
        free = [i for i in free if i not in full]
    return shares
