"""Inputs as large as a file may be, built to find work that grows faster than they do, in bounded runs.

Each run has the memory of tests/reliability.py and a sanity bound of LINEAR_SECONDS: these take a second or
two, where the quadratic work they once did took minutes (a 2 MB file of `// allow:` comments never ended).
How the time grows with the input is measured side by side in benchmarks/bench_scaling.py, not here.
"""

from __future__ import annotations

import random
import string
from pathlib import Path

import pytest
from reliability import bounded, cli_env, fingerprint, refused

from stillpoint import inputs

LINEAR_SECONDS = 20.0
NEAR_CAP = inputs.TEXT_CAP - 10_000  # bytes: a file just under what may be read


def filled(path: Path, head: str, unit: str, tail: str = "") -> Path:
    """``head``, then ``unit`` as often as fits under the cap, then ``tail``."""
    count = (NEAR_CAP - len(head) - len(tail)) // len(unit.encode())
    path.write_text(head + unit * count + tail, encoding="utf-8")
    return path


def lexicon_of(path: Path, entries: int) -> Path:
    """A lexicon of ``entries`` made-up words, each respelled backwards."""
    rng, words = random.Random(7), set()
    while len(words) < entries:
        words.add("".join(rng.choices(string.ascii_lowercase, k=rng.randint(5, 12))))
    path.write_text("".join(f"{word}: {word[::-1]}\n" for word in sorted(words)), encoding="utf-8")
    return path


def ran(tmp_path: Path, *args: str | Path, env: dict[str, str] | None = None):
    """A bounded run in ``tmp_path`` that must leave every file there as it was (and no part file)."""
    before = fingerprint(tmp_path)
    done = bounded(*args, env={**cli_env(tmp_path / "cache"), **(env or {})}, cwd=tmp_path, timeout=LINEAR_SECONDS)
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert fingerprint(tmp_path) == before
    return done


@pytest.mark.parametrize(("unit", "tail", "summary"), [
    ("// allow: all-caps\n", "Rest HERE.\n", "0 warnings"),
    ("// allow: all-caps\n// a note\n\n", "Rest HERE.\n", "0 warnings"),
    ("// allow: nope\n", "Rest here.\n", "100 warnings"),
    (" nope", "\nRest here.\n", "100 warnings"),
], ids=["allow-comments", "allow-comments-notes-blanks", "unknown-rules", "unknown-rules-on-one-line"])
def test_a_file_of_allow_comments_is_checked_at_once(tmp_path: Path, unit: str, tail: str, summary: str) -> None:
    head = "# Part\nBreathe in.\n" + ("// allow:" if unit.startswith(" ") else "")
    path = filled(tmp_path / "allow.txt", head, unit, tail)
    done = ran(tmp_path, "check", path)
    assert done.returncode == 0 and f"0 errors, {summary}" in done.stdout, (done.stdout[-500:], done.stderr[-500:])


def test_a_lexicon_of_a_hundred_thousand_words_plans_at_once(tmp_path: Path) -> None:
    practice = tmp_path / "calm.txt"
    practice.write_text("# Part\n" + "".join(f"Rest here, {n}.\n[pause 3s]\n" for n in range(40)), encoding="utf-8")
    lexicon = lexicon_of(tmp_path / "lexicon.txt", 100_000)
    assert lexicon.stat().st_size > inputs.TEXT_CAP * 0.6
    done = ran(tmp_path, "plan", practice, env={"STILLPOINT_LEXICON": str(lexicon)})
    assert done.returncode == 0 and "total" in done.stdout, done.stderr[-500:]


def test_a_lexicon_word_longer_than_a_respelling_may_be_is_one_line(tmp_path: Path) -> None:
    practice = tmp_path / "calm.txt"
    practice.write_text("Rest here.\n", encoding="utf-8")
    lexicon = tmp_path / "lexicon.txt"
    lexicon.write_text("metta: MET-tah\n" + "a" * 150_000 + ": calm\n", encoding="utf-8")
    done = ran(tmp_path, "plan", practice, env={"STILLPOINT_LEXICON": str(lexicon)})
    refused(done, 1, f"{lexicon}:2:1: error: 'aaaaaaaaaaaaaaaaaaaa…' is longer than 100 characters")


@pytest.mark.parametrize(("opening", "closing"), [
    ('<sub alias="x">calm ', "</sub>"), ('<emphasis><prosody rate="slow">calm ', "</prosody></emphasis>"),
], ids=["sub-in-sub", "emphasis-and-prosody"])
def test_ssml_nested_as_deep_as_a_file_allows_converts_at_once_to_a_script_no_larger(tmp_path: Path, opening: str,
                                                                                     closing: str) -> None:
    depth = (NEAR_CAP - 20) // (len(opening) + len(closing))
    source = tmp_path / "deep.ssml"
    source.write_text("<speak>" + opening * depth + closing * depth + "</speak>", encoding="utf-8")
    out = tmp_path / "deep.txt"
    before = fingerprint(tmp_path)
    done = bounded("convert", source, "-o", out, env=cli_env(tmp_path / "cache"), cwd=tmp_path,
                   timeout=LINEAR_SECONDS)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert len(done.stderr.splitlines()) <= 101
    assert out.stat().st_size < source.stat().st_size
    assert {name: print_ for name, print_ in fingerprint(tmp_path).items() if name != "deep.txt"} == before


def test_a_title_as_long_as_a_script_may_hold_is_drawn_on_the_cover_at_once(tmp_path: Path) -> None:
    practice = filled(tmp_path / "calm.txt", "---\ntitle: ", "calm ", "\n---\n# Part\nRest here.\n")
    out = tmp_path / "out"
    out.mkdir()
    done = bounded("export", practice, "-o", out / "calm.mp3", env=cli_env(tmp_path / "cache"), cwd=tmp_path,
                   timeout=LINEAR_SECONDS)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert [path.name for path in out.iterdir()] == ["calm.mp3"]
