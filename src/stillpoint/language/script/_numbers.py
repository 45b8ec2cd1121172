"""Lengths of time and rates as a script writes them: read ('1m30s' -> 90.0), written back, and bounded."""

from __future__ import annotations

import math
import re

MAX_SECONDS = 3600.0  # of one marker, or one breath
SHORTEST_SECONDS = 0.001  # a length under a millisecond is taken as 0: no pause (and nothing `format_duration` writes)
MAX_PRACTICE_SECONDS = 24 * 3600.0  # the longest a practice may be fitted to
RATE_RANGE = (60, 300)
PHASE_ORDERS = {2: "in-out", 3: "in-hold-out", 4: "in-hold-out-hold"}  # a breath pattern of that many phases
BREATH_HINT = "write one length like 8s, or the seconds of each phase like 4-6, 4-7-8 or 4-4-4-4"


def parse_duration(text: str, longest: float = MAX_SECONDS, what: str = "a single marker") -> float:
    """'8s', '1m30s', '500ms', '1h', or a bare number of seconds -> seconds; ValueError with the reason.

    Lengths past ``longest`` seconds are refused as longer than ``what`` may last; one under SHORTEST_SECONDS is 0.
    """
    raw = text.strip().lower()
    if re.fullmatch(r"[+-]?(nan|inf(inity)?)(ms|s|m|h)?", raw):
        raise ValueError(f"'{text}' is not a length of time")
    if raw.startswith("-"):
        raise ValueError(f"a length of time cannot be negative ('{text}')")
    seconds = _duration_seconds(raw)
    if seconds is None:
        raise ValueError(f"'{text}' is not a length of time; write it like 8s, 1m30s or 500ms")
    if not math.isfinite(seconds) or seconds > longest:
        hours = longest / 3600
        raise ValueError(f"'{text}' is longer than the {hours:g} hour{'s' if hours != 1 else ''} {what} may last")
    return seconds if seconds >= SHORTEST_SECONDS else 0.0


def parse_breath(text: str) -> tuple[float, ...]:
    """One breath as a script writes it: '8s' (in and out evenly) -> (8.0,), or the seconds of each phase, '4-6'
    (in, out), '4-7-8' (in, hold, out), '4-4-4-4' (in, hold, out, hold) -> (4.0, 7.0, 8.0); ValueError with the
    reason. Every phase lasts more than 0; a whole breath at most MAX_SECONDS."""
    raw = text.strip().lower()
    if "-" not in raw.lstrip("-"):
        seconds = parse_duration(raw, what="a breath")
        if seconds <= 0:
            raise ValueError("a breath must be longer than 0")
        return (seconds,)
    parts = raw.split("-")
    if not all(re.fullmatch(r"\d{1,7}(\.\d{1,6})?s?", part) for part in parts):
        raise ValueError(f"'{text.strip()}' is not a breath pattern")
    if len(parts) not in PHASE_ORDERS:
        raise ValueError(f"'{text.strip()}' has {len(parts)} phases; a pattern has 2 ({PHASE_ORDERS[2]}), "
                         f"3 ({PHASE_ORDERS[3]}) or 4 ({PHASE_ORDERS[4]})")
    pattern = tuple(float(part.rstrip("s")) for part in parts)
    if (empty := next((n for n, seconds in enumerate(pattern, 1) if seconds < SHORTEST_SECONDS), None)) is not None:
        raise ValueError(f"phase {empty} of '{text.strip()}' lasts 0 seconds; every phase must last longer than that")
    if sum(pattern) > MAX_SECONDS:
        raise ValueError(f"'{text.strip()}' is longer than the {MAX_SECONDS / 3600:g} hour a breath may last")
    return pattern


def format_breath(pattern: tuple[float, ...]) -> str:
    """A breath pattern as parse_breath reads it back: (8.0,) -> '8s', (4.0, 7.0, 8.0) -> '4-7-8'."""
    return format_duration(pattern[0]) if len(pattern) == 1 else "-".join(f"{seconds:g}" for seconds in pattern)


def parse_length(text: str) -> float:
    """The length a whole practice is to be fitted to, like '45m' or '1h30m'; ValueError with the reason."""
    return parse_duration(text, MAX_PRACTICE_SECONDS, "a practice")


def parse_sleep(text: str) -> float:
    """The length of a sleep ending, like '20m', at most MAX_PRACTICE_SECONDS; ValueError with the reason."""
    return parse_duration(text, MAX_PRACTICE_SECONDS, "a sleep ending")


def format_duration(seconds: float) -> str:
    """Seconds -> the shortest form parse_duration reads back: '8s', '1m30s', '500ms'."""
    millis = round(seconds * 1000)
    if millis < 1000:
        return f"{millis}ms"
    minutes, rest = divmod(millis, 60000)
    rest_text = f"{rest / 1000:g}s" if rest else ""
    return f"{minutes}m{rest_text}" if minutes else rest_text


_DURATION = re.compile(r"(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+(?:\.\d+)?)ms)?")


def _duration_seconds(raw: str) -> float | None:
    if re.fullmatch(r"\d+(\.\d+)?", raw):
        return float(raw)
    match = _DURATION.fullmatch(raw.replace(" ", ""))
    if not raw or not match or not any(match.groups()):
        return None
    hours, minutes, seconds, millis = (float(g) if g else 0.0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds + millis / 1000


def parse_rate(text: str) -> int | None:
    """Words per minute as a script writes them: a whole number within RATE_RANGE, else None."""
    if not re.fullmatch(r"\d{1,4}", text.strip()):
        return None
    rate = int(text)
    return rate if RATE_RANGE[0] <= rate <= RATE_RANGE[1] else None
