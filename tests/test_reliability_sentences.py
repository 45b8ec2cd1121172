"""Sentences of any length, language and case reach an engine in pieces it can take: real exports, bounded.

A 1000-word sentence with no stop once reached hibari whole and asked onnxruntime for about 7 GB; a sentence
starting with a lowercase, accented, Cyrillic or CJK letter was joined to the one before it.
"""

from __future__ import annotations

from pathlib import Path

import mutagen.mp3
import pytest
from reliability import bounded, cli_env, fingerprint
from voice.faulty_engines import LOG_ENV

from stillpoint.language.sentences import PIECE_CHARACTERS
from stillpoint.output.export import PART_SUFFIX

GIGABYTE = 2**30  # address space: hibari's worker for a line of 160 characters needs less than 700 MB of it
RUN_ON_WORDS = 500  # said whole, hibari would need about 2 GB for it
WORDS = ("breathe", "softly", "and", "rest", "here", "letting", "the", "body", "settle")
MIXED = """# Everywhere
Rest here. breathe in slowly. écoutez le souffle.
Отдохните здесь. дышите медленно.
ここで休みましょう。ゆっくり呼吸します！
{cjk}。
{commas}.
Say name once.
"""


def run_on(words: int) -> str:
    """One sentence of ``words`` words, with no comma or stop until its end."""
    return " ".join(WORDS[n % len(WORDS)] for n in range(words)).capitalize() + "."


def exported_alone(folder: Path, done, dest: Path, before: dict[str, str]) -> None:
    """The run ended well, with no message, and wrote ``dest`` and nothing else (no part file either)."""
    assert done.returncode == 0 and done.stderr == "", done.stderr[-2000:]
    after = fingerprint(folder)
    assert after.pop(dest.name) and after == before
    assert not list(folder.glob(f"*{PART_SUFFIX}"))


@pytest.mark.slow
def test_a_run_on_sentence_is_said_by_the_neural_voice_within_a_gigabyte(tmp_path: Path) -> None:
    source, dest = tmp_path / "run-on.txt", tmp_path / "run-on.mp3"
    source.write_text(run_on(RUN_ON_WORDS) + "\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("a file of the user's\n", encoding="utf-8")
    before = fingerprint(tmp_path)
    env = {key: value for key, value in cli_env(tmp_path / "cache").items() if key != "STILLPOINT_ENGINE"}
    done = bounded("export", source, "-o", dest, "--quiet", env=env, cwd=tmp_path, memory=GIGABYTE, timeout=600)
    exported_alone(tmp_path, done, dest, before)
    assert mutagen.mp3.MP3(dest).info.length > RUN_ON_WORDS * 60 / 120 * 0.7  # every word was said


def test_every_sentence_of_any_script_reaches_the_engine_alone_and_short(tmp_path: Path) -> None:
    source, dest, log = tmp_path / "mixed.txt", tmp_path / "mixed.mp3", tmp_path / "requests.log"
    cjk = "".join(chr(0x4E00 + n * 7) for n in range(500))  # 500 different ideographs: no two pieces alike
    commas = ", ".join(["and let the breath move in its own time"] * 12)
    source.write_text("---\npronounce:\n  name: " + "na " * 100 + "\n---\n" + MIXED.format(cjk=cjk, commas=commas),
                      encoding="utf-8")
    before = fingerprint(tmp_path)
    done = bounded("export", source, "-o", dest, "--quiet", env={**cli_env(tmp_path / "cache"), LOG_ENV: str(log)},
                   cwd=tmp_path)
    requests = [line.split("\t", 1)[1] for line in log.read_text(encoding="utf-8").splitlines()]
    before[log.name] = fingerprint(tmp_path)[log.name]
    exported_alone(tmp_path, done, dest, before)
    assert max(map(len, requests)) <= PIECE_CHARACTERS
    assert {"breathe in slowly.", "écoutez le souffle.", "дышите медленно.", "ゆっくり呼吸します！"} <= set(requests)
    whole = cjk + "。"
    said = sorted((request for request in requests if "\u4e00" <= request[0] <= "\u9fff"), key=whole.find)
    assert "".join(said) == whole  # in pieces, which workers may say in any order
    assert all(request.endswith((",", ".")) for request in requests if request.startswith("and let"))


def test_a_paragraph_of_quoted_asides_is_checked_and_planned_in_linear_time(tmp_path: Path) -> None:
    # Sentence finding is quadratic in such runs when a whole paragraph is handed over at once (over a minute here).
    source = tmp_path / "asides.txt"
    source.write_text('("Rest.") ' * 150_000 + "\n", encoding="utf-8")
    before = fingerprint(tmp_path)
    done = bounded("check", source, env=cli_env(tmp_path / "cache"), cwd=tmp_path)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert "0 errors" in done.stdout and fingerprint(tmp_path) == before
