"""`stillpoint check` on a 10,000-line script, with and without `--review`, and how fast the parser gets through
random input.

The check runs in-process through the command's own entry point (parse, lint, timing estimate), best
of 3, alternated with `check --review` (the same and the review); each run gets the script with its lines moved
down by one more comment line, so nothing read for a run before is reused (the review remembers the tokens of a
line by its text and number, for the studio's checks after each edit). A fresh `stillpoint check --review`
process is timed too, as a user meets it (Python, imports and the review's English dictionary included). The fuzz loop
feeds random text (weighted towards markers, brackets and odd characters) and random bytes through
`script.decode` and `script.parse` for a fixed time: anything but a Script or a ScriptError fails the row, and
so does any input that takes longer than a sanity bound per kilobyte.
"""

from __future__ import annotations

import random
import subprocess
import tempfile
import time
from pathlib import Path

from typer.testing import CliRunner

from benchmarks.common import SPOKEN, best_of, row, stillpoint
from stillpoint.cli import app
from stillpoint.errors import ScriptError
from stillpoint.language import script

LINES = 10_000
CHECK_LIMIT = 1.0
FUZZ_SECONDS = 8.0
FUZZ_MS_PER_KB = 20.0  # a sanity bound: the parser runs at well under 1 ms per KB
PIECES = ("[pause 3s]", "[breathe 2]", "[soak]", "[bell]", "[paws 2s]", "[pause -1s]", "[pause 1e309s]", "[soak nan]",
          "[", "]", "{", "}", "<", ">", '<break time="2s"/>', "<break", "{who}", "# Part", "---", "\n", "\r\n", "\r",
          "\n\n", "// note", "...", " ", "\t", "\ufeff", "\u202e", "\u05e9\u05dc\u05d5\u05dd", "\U0001f64f", *SPOKEN)


def long_script(lines: int = LINES) -> str:
    """A valid practice of ``lines`` lines: sections, sentences, markers and a variable."""
    body = [*SPOKEN[:3], "[pause 4s]", "Think of {who}... someone who wished you well.", "[breathe 2]", *SPOKEN[3:5],
            "[soak 20s]", ""]
    out = ["---", f"title: {lines} lines", "vars:", "  who: a friend", "---"]
    while len(out) < lines:
        out += [f"# Part {out.count('') + 1}", *body[: lines - len(out) - 1]]
    return "\n".join(out) + "\n"


def moved(text: str, lines: int) -> str:
    """``text`` with ``lines`` comment lines more after its front matter: the same script, every line moved."""
    end = text.index("\n---\n") + len("\n---\n")
    return text[:end] + "// a note\n" * lines + text[end:]


def check_rows() -> list[dict]:
    """The time of `stillpoint check` on the long script, without and with the review, alternated."""
    runner = CliRunner()
    with tempfile.TemporaryDirectory(prefix="stillpoint-bench-") as name:
        path = Path(name) / "long.txt"
        path.write_text(long_script(), encoding="utf-8")
        if runner.invoke(app, ["check", "--review", str(path)]).exit_code != 0:
            return [row(f"check a {LINES:,}-line script", "the script did not check clean", "exit code 0", False)]
        plain, reviewed = float("inf"), float("inf")
        for run in range(1, 4):
            path.write_text(moved(long_script(), 2 * run), encoding="utf-8")
            plain = min(plain, best_of(1, lambda: runner.invoke(app, ["check", str(path)])))
            path.write_text(moved(long_script(), 2 * run + 1), encoding="utf-8")
            reviewed = min(reviewed, best_of(1, lambda: runner.invoke(app, ["check", "--review", str(path)])))
        fresh = best_of(3, lambda: subprocess.run(stillpoint("check", "--review", "-q", path), check=False,
                                                  stdin=subprocess.DEVNULL, capture_output=True))
    return [row(f"check a {LINES:,}-line script", f"{plain:.2f} s", f"< {CHECK_LIMIT:.0f} s", plain < CHECK_LIMIT),
            row(f"check --review a {LINES:,}-line script", f"{reviewed:.2f} s (a fresh process: {fresh:.2f} s)",
                f"< {CHECK_LIMIT:.0f} s", reviewed < CHECK_LIMIT)]


def random_input(rng: random.Random) -> bytes:
    """Random text from the pieces above, or random bytes, or a long run of one piece between two others."""
    kind = rng.random()
    if kind < 0.2:
        return rng.randbytes(rng.randrange(2000))
    if kind < 0.3:
        run = rng.choice(PIECES) * rng.randrange(1, 2000)
        return (rng.choice(PIECES) + run + rng.choice(PIECES)).encode()
    return "".join(rng.choices(PIECES, k=rng.randrange(200))).encode(rng.choice(("utf-8", "utf-8-sig", "utf-16")))


def parse_bytes(data: bytes) -> None:
    """Decode and parse, the way a script file is read; a ScriptError is a fine outcome."""
    try:
        script.parse(script.decode(data, "fuzz.txt"), "fuzz.txt")
    except ScriptError:
        pass


def fuzz_rows(seconds: float = FUZZ_SECONDS) -> list[dict]:
    """Random inputs for ``seconds``: throughput, the slowest input per KB, and any unexpected exception."""
    rng, done, size, slowest, problem = random.Random(1), 0, 0, 0.0, ""
    ends = time.perf_counter() + seconds
    while time.perf_counter() < ends and not problem:
        data = rng.choice((random_input(rng), random_input(rng)))
        started = time.perf_counter()
        try:
            parse_bytes(data)
        except Exception as exc:  # the point of fuzzing: anything else is a defect to report
            problem = f"{type(exc).__name__} on {data[:60]!r}"
        slowest = max(slowest, (time.perf_counter() - started) * 1000 / max(len(data) / 1024, 1.0))
        done, size = done + 1, size + len(data)
    measured = f"{size / 1024 / seconds:,.0f} KB/s, {done / seconds:,.0f} scripts/s; slowest {slowest:.1f} ms/KB"
    ok = not problem and slowest <= FUZZ_MS_PER_KB
    return [row("fuzz the parser with random text and bytes", problem or measured,
                f"Script or ScriptError only; <= {FUZZ_MS_PER_KB:.0f} ms/KB", ok)]


def run() -> list[dict]:
    """Rows for the long check and the fuzz loop."""
    return check_rows() + fuzz_rows()
