"""The player's gain: a volume key glides over HUSH samples, fades in and out reach silence, steps stay in range."""

from __future__ import annotations

import numpy as np

from stillpoint.listen.fade import HUSH, VOLUME_STEP, Gain

FULL = np.full(4 * HUSH, 10_000, dtype="<i2").tobytes()


def samples(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, dtype="<i2").astype(int)


def test_at_full_volume_the_sound_is_untouched() -> None:
    assert Gain().apply(FULL) == FULL


def test_a_volume_change_glides_over_hush_samples_then_holds() -> None:
    gain = Gain()
    gain.change(-3)
    heard = samples(gain.apply(FULL))
    assert heard[0] > 9_900 and np.all(np.diff(heard[:HUSH]) <= 0)
    assert np.all(heard[HUSH:] == round(10_000 * (1 - 3 * VOLUME_STEP)))
    assert samples(gain.apply(FULL)).tolist() == heard[HUSH:HUSH + 1].tolist() * len(heard)


def test_the_volume_stays_between_silence_and_full() -> None:
    gain = Gain()
    gain.change(2)
    assert gain.volume == 1.0
    gain.change(-12)
    assert gain.volume == 0.0 and not samples(gain.apply(FULL))[HUSH:].any()


def test_a_fade_in_rises_from_near_zero_across_pieces_and_a_fade_out_ends_at_zero() -> None:
    gain = Gain()
    gain.fade_in()
    piece = FULL[:2 * HUSH]  # HUSH samples
    rise = np.concatenate([samples(gain.apply(piece[:600])), samples(gain.apply(piece))])  # 300 samples, then more
    assert rise[0] < 400 and np.all(np.diff(rise) >= 0) and np.all(rise[HUSH:] == 10_000)
    assert gain.apply(piece) == piece  # the rise is over
    out = samples(gain.apply(piece, fade_out=True))
    assert out[0] == 10_000 and out[-1] == 0
