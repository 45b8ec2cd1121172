"""How the time of the text stages grows with their input: each at a size N and at 4N, side by side.

Work linear in its input takes about 4 times as long at 4N; quadratic work takes 16 times. Each row builds
both inputs first, then times them alternately (N, 4N, N, 4N, ...), in-process, and compares the best of
each; below a floor, a time is taken as the floor, so that noise does not make a ratio. The rows: checking
a script of `// allow:` comments (what the studio does at every keystroke), planning with a lexicon of
many entries and a script of many lines, converting SSML with nested <sub> and with a <prosody> on every
line, and drawing a cover for a long title.
"""

from __future__ import annotations

import random
import string
import time
from collections.abc import Callable

from benchmarks.common import row
from stillpoint.app import authoring
from stillpoint.language import convert, lexicon, script, timeline
from stillpoint.output import cover

FACTOR = 4
RATIO_LIMIT = 6.0  # linear gives about 4 (a fixed cost makes it less), quadratic about 16
RUNS = 3
FLOOR = 0.005  # seconds: shorter times are noise


def allow_comments(lines: int) -> str:
    """A practice whose body is ``lines`` lines of `// allow:` comments before one spoken line."""
    return "# Part\nBreathe in.\n" + "// allow: all-caps\n" * lines + "Rest HERE.\n"


def made_up_lexicon(entries: int) -> str:
    """A lexicon text of ``entries`` made-up words, each respelled backwards, and the practice's own words."""
    rng, words = random.Random(7), set()
    while len(words) < entries:
        words.add("".join(rng.choices(string.ascii_lowercase, k=rng.randint(5, 12))))
    return "".join(f"{word}: {word[::-1]}\n" for word in sorted(words)) + "rest: rrest\nslowly: slohly\n"


def spoken_lines(lines: int) -> str:
    """A practice of ``lines`` spoken lines, each a little different."""
    return "# Part\n" + "".join(f"Rest here slowly, {number}.\n[pause 2s]\n" for number in range(lines))


def planned(practice: str, words: str) -> Callable[[], object]:
    """Read the lexicon and plan the practice with it, as `plan` does."""
    parsed = script.parse(practice, "bench.txt")
    return lambda: timeline.plan(parsed, timeline.Pace(lexicon=lexicon.parse(words)))


def nested_subs(depth: int) -> str:
    """SSML with ``depth`` <sub> elements, each inside the one before."""
    return "<speak>" + '<sub alias="x">calm ' * depth + "</sub>" * depth + "</speak>"


def prosody_words(count: int) -> str:
    """SSML of ``count`` words, each in a <prosody> of its own, in one sentence with no <s> or <p>."""
    return "<speak>Begin. " + '<prosody rate="slow">calm </prosody>' * count + "</speak>"


def timed_pair(small: Callable[[], object], large: Callable[[], object]) -> tuple[float, float]:
    """The best times of ``small`` and ``large``, run alternately RUNS times each."""
    best = [float("inf"), float("inf")]
    for _ in range(RUNS):
        for index, action in enumerate((small, large)):
            started = time.perf_counter()
            action()
            best[index] = min(best[index], time.perf_counter() - started)
    return best[0], best[1]


def scaling_row(name: str, size: int, unit: str, build: Callable[[int], Callable[[], object]]) -> dict:
    """A row: the time at ``size`` and at FACTOR times it, and their ratio against RATIO_LIMIT."""
    small, large = timed_pair(build(size), build(size * FACTOR))
    ratio = max(large, FLOOR) / max(small, FLOOR)
    return row(f"{name}: {size:,} vs {size * FACTOR:,} {unit}",
               f"{small * 1000:,.0f} ms vs {large * 1000:,.0f} ms = {ratio:.1f}x",
               f"<= {RATIO_LIMIT:g}x (linear: {FACTOR}x)", ratio <= RATIO_LIMIT)


def run() -> list[dict]:
    """A row for each text stage that once did quadratic work."""
    fixed_lexicon = made_up_lexicon(100_000)
    return [
        scaling_row("check a script of // allow: comments", 20_000, "lines",
                    lambda n: (lambda text: lambda: authoring.check_text(text, "bench.txt"))(allow_comments(n))),
        scaling_row("plan with a lexicon", 25_000, "entries",
                    lambda n: planned(spoken_lines(200), made_up_lexicon(n))),
        scaling_row("plan with a 100,000-entry lexicon", 500, "lines",
                    lambda n: planned(spoken_lines(n), fixed_lexicon)),
        scaling_row("convert SSML of nested <sub>", 5_000, "deep",
                    lambda n: (lambda text: lambda: convert.ssml_to_script(text))(nested_subs(n))),
        scaling_row("convert SSML with a <prosody> a word", 10_000, "words",
                    lambda n: (lambda text: lambda: convert.ssml_to_script(text))(prosody_words(n))),
        scaling_row("draw a cover for a long title", 100_000, "characters",
                    lambda n: (lambda title: lambda: cover.generated(title))("calm " * (n // 5))),
    ]
