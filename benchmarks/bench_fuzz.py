"""A longer, randomized hypothesis run over the parser than the derandomized one in the test suite.

For a fixed time, batches of examples go through `script.parse` (arbitrary text, and text built from
markers, brackets and odd characters) and through `script.decode` + `script.parse` (arbitrary bytes). The
outcome must be a Script with something to say, or a ScriptError whose every finding has a position
inside the input; anything else, or an input much slower per kilobyte than the rest, is a failure.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.bench_check import PIECES
from stillpoint.errors import ScriptError
from stillpoint.language import script

SECONDS = 24.0
BATCH = 300
SLOW_SECONDS = 2.0  # a sanity bound for one input of at most a few kilobytes
PATH = "fuzz.txt"
TEXTS = st.text(max_size=3000)
SOUPS = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=300).map("".join)
RUNS = st.tuples(st.sampled_from(PIECES), st.sampled_from(PIECES), st.integers(1, 3000), st.sampled_from(PIECES)).map(
    lambda parts: parts[0] + parts[1] * parts[2] + parts[3])
BYTES = st.one_of(st.binary(max_size=3000), SOUPS.map(lambda text: text.encode("utf-16")))


def check_text(text: str) -> None:
    """Parse ``text``: a Script with speech, or errors positioned within it, in bounded time."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    started = time.perf_counter()
    try:
        parsed = script.parse(text, PATH)
    except ScriptError as err:
        assert all(1 <= d.line <= lines and d.col >= 1 and d.message for d in err.diagnostics), err.diagnostics
    else:
        assert parsed.speeches()
    assert time.perf_counter() - started < SLOW_SECONDS, f"{len(text)} characters took too long"


def check_bytes(data: bytes) -> None:
    """Decode then parse ``data``: decoding fails only with a ScriptError naming the file."""
    try:
        text = script.decode(data, PATH)
    except ScriptError as err:
        assert err.diagnostics[0].path == PATH
        return
    check_text(text)


def _property(strategy: st.SearchStrategy, check: Callable[[object], None]) -> Callable[[], None]:
    """``check`` over ``strategy`` as a hypothesis test of one batch, randomized, remembering nothing."""
    batch = settings(max_examples=BATCH, deadline=None, database=None, derandomize=False,
                     suppress_health_check=list(HealthCheck))
    return batch(given(strategy)(check))


def fuzz(name: str, strategy: st.SearchStrategy, check: Callable[[object], None], seconds: float) -> dict:
    """Batches of examples for ``seconds``; a row with how many ran, or the falsifying example."""
    test, examples, ends = _property(strategy, check), 0, time.perf_counter() + seconds
    while time.perf_counter() < ends:
        try:
            test()
        except Exception as exc:  # hypothesis has shrunk it: report the smallest failing input
            return {"name": name, "measured": f"{type(exc).__name__}: {str(exc)[:120]}",
                    "target": "Script or positioned ScriptError", "ok": False}
        examples += BATCH
    return {"name": name, "measured": f"{examples:,} examples in {seconds:.0f} s, none failed",
            "target": "Script or positioned ScriptError", "ok": True}


def run() -> list[dict]:
    """One row per kind of input, sharing the time between them."""
    kinds = [("hypothesis: arbitrary text", TEXTS, check_text), ("hypothesis: marker soup", SOUPS, check_text),
             ("hypothesis: long runs between markers", RUNS, check_text),
             ("hypothesis: arbitrary bytes, decoded", BYTES, check_bytes)]
    return [fuzz(name, strategy, check, SECONDS / len(kinds)) for name, strategy, check in kinds]
