"""A line paced by pauses (language/pacing.py): the phrases its engine is asked for, and the clip joined from theirs.

Each phrase is a line of its own for the engine, at the rate the rule chooses (the engine's floor, as a rule), so
its clip is cached under its own key and shared by every line and every slower rate that says it. The line's clip
is the phrases' clips in order, each followed by its pause of exact zeros, which the renderer's fades meet like
any other silence (sound/seams.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from stillpoint.audio import SAMPLE_WIDTH, Clip
from stillpoint.language import pacing
from stillpoint.language.timeline import Utterance


def phrase_lines(utterance: Utterance, floor: int) -> tuple[Utterance, ...] | None:
    """What the engine is asked to say for ``utterance``, phrase by phrase; None when its rate needs no pauses."""
    if not pacing.paced(utterance.rate, floor):
        return None
    rate = pacing.spoken_rate(utterance.text, utterance.rate, floor)
    return tuple(replace(utterance, text=phrase.text, rate=rate) for phrase in pacing.phrasing(utterance.text))


def joined(utterance: Utterance, clips: Sequence[Clip]) -> Clip:
    """The clip of a paced line: its phrases' ``clips``, each followed by its pause."""
    gaps = pacing.pauses(pacing.phrasing(utterance.text), [clip.seconds for clip in clips], utterance.rate)
    return Clip(b"".join(clip.pcm + bytes(SAMPLE_WIDTH * gap) for clip, gap in zip(clips, gaps, strict=True)))
