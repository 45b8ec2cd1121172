"""What crosses a voice worker's pipe: requests from the pool, answers from the worker, each one tuple sent whole.

A request is ``(op, args)``: ``synthesize`` (text, the engine's voice id, rate, and the level to bring the clip
to, or None), ``level`` (a cached clip and the level) or ``voices`` (no args). A worker first says ``(READY,)``,
or ``(FAILED, kind, message, hint)`` when its engine cannot start; then it answers every request, in order, with
``(OK, value)`` or ``(ERROR, kind, message, hint)``. An error crosses as its class name, message and hint, and the
pool rebuilds it naming the line it was about. Both sides import this module, and it imports nothing of either.
"""

from __future__ import annotations

from typing import Any

from stillpoint.audio import SAMPLE_WIDTH, Clip
from stillpoint.errors import StillpointError, SynthesisError, VoiceError

SYNTHESIZE, LEVEL, VOICES = "synthesize", "level", "voices"
READY, FAILED, OK, ERROR = "ready", "failed", "ok", "error"
ERRORS = {cls.__name__: cls for cls in (SynthesisError, VoiceError)}  # the kinds rebuilt as themselves
QUEUED_TEXT_BYTES = 4096  # a request queued behind another must fit in any pipe's buffer (16 KiB on macOS)
Level = tuple[float, float]  # (target LUFS, true-peak ceiling dBTP) that speech is levelled to


def described(exc: Exception) -> tuple[str, str, str]:
    """An exception as (kind, message, hint): its class name for one of ours, else an empty kind."""
    if isinstance(exc, StillpointError):
        return type(exc).__name__, exc.diagnostic.message, exc.diagnostic.hint
    return "", f"{type(exc).__name__}: {exc}", ""


def usable(value: Any) -> bool:
    """Whether an answer to ``synthesize`` is a non-empty clip of whole samples."""
    pcm = getattr(value, "pcm", None)
    return isinstance(value, Clip) and isinstance(pcm, bytes) and len(pcm) > 0 and len(pcm) % SAMPLE_WIDTH == 0


def fits_in_a_pipe(op: str, args: tuple) -> bool:
    """Whether a request is small enough to wait in a busy worker's pipe without blocking the sender.

    A worker busy sending a clip back reads nothing meanwhile; were the pool to block sending it a request larger
    than the pipe holds (a clip to level), each would wait for the other forever.
    """
    return op == SYNTHESIZE and len(args[0].encode()) <= QUEUED_TEXT_BYTES
