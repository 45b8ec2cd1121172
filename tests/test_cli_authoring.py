"""Writing and checking practices through the command line: new, check, convert, preview, plan sections, list."""

from __future__ import annotations

import json
import subprocess
import sys
import wave
from pathlib import Path

import pytest
from conftest import FAKE_ENGINE
from typer.testing import CliRunner

from stillpoint.app import resume
from stillpoint.cli import app
from stillpoint.language import library, script, timeline

runner = CliRunner()


def run(*args: str):
    """Invoke the app and return click's result."""
    return runner.invoke(app, list(args))


@pytest.fixture(autouse=True)
def no_user_lexicon(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep the person running the tests out of them: no lexicon unless a test sets one."""
    monkeypatch.delenv("STILLPOINT_LEXICON", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def wav_seconds(path: Path) -> float:
    """Length of a WAV file in seconds."""
    with wave.open(str(path)) as audio:
        return audio.getnframes() / audio.getframerate()


# ---------------------------------------------------------------- new


def test_new_writes_a_template_that_passes_the_strict_check(fake_engine: Path) -> None:
    result = run("new", "evening-calm")
    assert result.exit_code == 0, result.output
    created = fake_engine.parent / "evening-calm.txt"
    assert result.stdout.startswith("created evening-calm.txt")
    text = created.read_text()
    assert "title: Evening Calm" in text
    for marker in ("[pause]", "[pause 8s]", "[breathe 3]", "[soak 45s]", "[bell]", "{friend}", "{rate: 110}"):
        assert marker in text
    checked = run("check", "--strict", "--review", str(created))
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.splitlines()[-1] == "1 file: 0 errors, 0 warnings"


def test_new_refuses_to_replace_a_file_unless_forced(fake_engine: Path) -> None:
    mine = fake_engine.parent / "mine.txt"
    mine.write_text("keep me")
    result = run("new", "mine.txt")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "mine.txt: error: already exists (use --force to replace it, or choose another name)")
    assert mine.read_text() == "keep me"
    assert run("new", "mine", "--force").exit_code == 0
    assert mine.read_text().startswith("---\ntitle: Mine\n")


def test_new_from_a_practice_copies_it_to_adapt(fake_engine: Path) -> None:
    assert run("new", "for-anna", "--from", "benefactor").exit_code == 0
    assert (fake_engine.parent / "for-anna.txt").read_text() == library.practices()["benefactor"].read_text()


def test_new_into_a_missing_folder_says_so(fake_engine: Path) -> None:
    result = run("new", "nowhere/calm")
    assert result.exit_code == 1
    assert "nowhere/calm.txt: error: cannot be written" in result.stderr


# ---------------------------------------------------------------- check

NOISY = """---
title: Noisy
vars:
  who: a friend
---
# Arriving
Think of {who} with LOVE.
[soak 3s]
"""


@pytest.fixture
def noisy(tmp_path: Path) -> Path:
    """A script that parses but has two warnings."""
    path = tmp_path / "noisy.txt"
    path.write_text(NOISY)
    return path


def test_check_prints_warnings_on_stderr_and_a_summary_and_still_passes(noisy: Path) -> None:
    result = run("check", str(noisy))
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"{noisy}:7:21: warning: 'LOVE' is in capitals, so the voice may spell it out "
        "(write it as 'love', or say how it sounds under `pronounce:`) [all-caps]",
        f"{noisy}:8:1: warning: [soak 3s] is shorter than 10s "
        "(a soak is a long rest; for a short silence write [pause 3s]) [short-soak]",
    ]
    assert result.stdout.splitlines() == [
        f"{noisy}: ok, 2 warnings (1 section, about 0:20)",
        '  variables: who = "a friend"',
        "1 file: 0 errors, 2 warnings",
    ]


def test_check_strict_turns_warnings_into_errors(noisy: Path) -> None:
    result = run("check", "--strict", str(noisy))
    assert result.exit_code == 1
    assert [line.split(": ")[1] for line in result.stderr.splitlines()] == ["error", "error"]
    assert result.stdout.splitlines()[-1] == "1 file: 2 errors, 0 warnings"


def test_check_json_is_for_editors(noisy: Path, small_practice: Path) -> None:
    result = run("check", "--json", str(noisy), str(small_practice), "missing.txt")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert (report["errors"], report["warnings"]) == (1, 3)
    first, second, third = report["files"]
    assert first["ok"] and first["variables"] == {"who": "a friend"} and first["sections"] == 1
    assert first["diagnostics"][1] == {
        "line": 8, "col": 1, "severity": "warning", "rule": "short-soak", "family": "check",
        "message": "[soak 3s] is shorter than 10s",
        "hint": "a soak is a long rest; for a short silence write [pause 3s]", "fix": None,
    }
    assert [d["rule"] for d in second["diagnostics"]] == ["short-soak"]
    assert not third["ok"] and third["diagnostics"][0]["message"] == "no such file"
    assert result.stderr == ""


REVIEWED = """---
title: Night Rest
---
# Arriving
Close your eyes.
Feel the floor under your feet.
[soak 90s]
# Closing
When you are ready, open your eyes and look around the room.
"""


@pytest.fixture
def reviewed(tmp_path: Path) -> Path:
    """A script that checks clean but has two review findings, and a silence of 90 s."""
    path = tmp_path / "night.txt"
    path.write_text(REVIEWED)
    return path


def test_check_review_adds_the_review_s_findings_compiler_style(reviewed: Path) -> None:
    assert run("check", str(reviewed)).stderr == ""
    result = run("check", "--review", str(reviewed))
    assert result.exit_code == 0
    assert [line.split(": ")[0] for line in result.stderr.splitlines()] == [f"{reviewed}:5:1", f"{reviewed}:5:1"]
    assert [line.rsplit(" ", 1)[1] for line in result.stderr.splitlines()] == ["[eyes-closed]", "[order]"]
    assert 'try: "If it feels right, close your eyes."' in result.stderr
    assert result.stdout.splitlines()[-1] == "1 file: 0 errors, 2 warnings"


def test_check_review_strict_fails_on_any_review_finding(reviewed: Path) -> None:
    result = run("check", "--review", "--strict", str(reviewed))
    assert result.exit_code == 1 and result.stdout.splitlines()[-1] == "1 file: 2 errors, 0 warnings"
    allowed = reviewed.with_name("allowed.txt")
    allowed.write_text(REVIEWED.replace("Close your eyes.", "// allow: order, eyes-closed\nClose your eyes."))
    assert run("check", "--review", "--strict", str(allowed)).exit_code == 0


def test_the_silence_the_review_asks_a_reminder_for_can_be_changed(reviewed: Path) -> None:
    shorter = run("check", "--review-silence", "1m", "--json", str(reviewed))
    rules = [d["rule"] for d in json.loads(shorter.stdout)["files"][0]["diagnostics"]]
    assert rules == ["eyes-closed", "order", "silence-reminder"]
    refused = run("check", "--review", "--review-silence", "soon", str(reviewed))
    assert refused.exit_code == 2 and "--review-silence" in refused.stderr


def test_check_review_json_gives_each_finding_its_family_and_rewrite(reviewed: Path) -> None:
    report = json.loads(run("check", "--review", "--json", str(reviewed)).stdout)
    eyes, order = report["files"][0]["diagnostics"]
    assert (eyes["family"], eyes["rule"], eyes["severity"]) == ("review", "eyes-closed", "warning")
    assert eyes["fix"] == {"line": 5, "col": 17, "end_line": 5, "end_col": 17, "text": " Or, if you prefer, keep "
                           "your eyes open and let your gaze rest softly on the floor."}
    assert set(order) == {"line", "col", "severity", "rule", "family", "message", "hint", "fix"}


def test_check_names_the_line_of_a_variable_without_a_value_and_accepts_set(tmp_path: Path) -> None:
    letter = tmp_path / "letter.txt"
    letter.write_text("# Opening\nDear {client}, welcome.\n")
    result = run("check", str(letter))
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"{letter}:2:6: error: variable {{client}} has no value "
                                     "(give it a default under `vars:` or run with --set client=...)")
    result = run("check", str(letter), "--set", "client=Anna")
    assert result.exit_code == 0
    assert "  variables: client (no default)" in result.stdout.splitlines()


def test_a_value_for_no_variable_names_the_option_in_text_and_in_json(tmp_path: Path) -> None:
    letter = tmp_path / "letter.txt"
    letter.write_text("# Opening\nDear {client}, welcome.\n")
    said = f"--set nobody: {letter.name} has no variable {{nobody}}"
    result = run("check", str(letter), "--set", "client=Anna", "--set", "nobody=x")
    assert result.exit_code == 1 and result.stderr.splitlines() == [f"error: {said} (its variables: client)"]
    as_json = json.loads(run("check", str(letter), "--set", "client=Anna", "--set", "nobody=x", "--json").stdout)
    assert as_json["files"][0]["diagnostics"][0]["message"] == said


def test_check_names_the_line_that_chooses_a_voice_the_engine_lacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STILLPOINT_ENGINE", FAKE_ENGINE)
    voiced = tmp_path / "voiced.txt"
    voiced.write_text("---\ntitle: Voiced\nvoice: fake-c\n---\n# One {voice: fake-b}\nHello.\n"
                      "# Two {voice: Fake Voice Z}\nRest.\n")
    result = run("check", str(voiced))
    assert result.exit_code == 1
    found = result.stderr.splitlines()
    assert [line.split(" (")[0] for line in found] == [f"{voiced}:3:1: error: unknown voice 'fake-c'",
                                                      f"{voiced}:7:1: error: unknown voice 'Fake Voice Z'"]
    assert all("did you mean 'fake-b'" in line and "stillpoint voices" in line for line in found)


def test_check_asks_the_engine_only_when_a_script_chooses_a_voice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STILLPOINT_ENGINE", "no.such:Engine")
    plain, voiced = tmp_path / "plain.txt", tmp_path / "voiced.txt"
    plain.write_text("# One\nHello.\n")
    voiced.write_text("# One {voice: en-gb}\nHello.\n")
    assert run("check", str(plain)).exit_code == 0
    refused = run("check", str(voiced))
    assert refused.exit_code == 1 and "the speech engine could not start" in refused.stderr


def test_check_reports_a_malformed_lexicon_by_file_and_line(
    small_practice: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lexicon = tmp_path / "lexicon.txt"
    lexicon.write_text("metta: MET-tah\noxytocin ok-see-TOE-sin\n")
    monkeypatch.setenv("STILLPOINT_LEXICON", str(lexicon))
    result = run("check", str(small_practice))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{lexicon}:2:1: error: 'oxytocin ok-see-TOE-sin' is not a lexicon entry")


# ---------------------------------------------------------------- plan and the lexicon


SECTIONED = """---
title: Sectioned
rate: 150
---
# Steady
One two three four five six.
# Slower {rate: 100}
One two three four five six.
"""


def test_plan_shows_section_rates_and_spoken_and_silent_time_per_section(fake_engine: Path) -> None:
    (fake_engine.parent / "sectioned.txt").write_text(SECTIONED)
    table = run("plan", "sectioned.txt").stdout.splitlines()
    speech = [float(row.split()[2].rstrip("s")) for row in table if " speech " in row]
    assert speech == [pytest.approx(6 * 60 / 150 + 0.2, abs=0.05), pytest.approx(6 * 60 / 100 + 0.2, abs=0.05)]
    header = table.index("section  spoken  silent  wpm heard")
    assert [row.split()[0] for row in table[header + 1:header + 3]] == ["Steady", "Slower"]
    assert table[header + 3:] == ["", table[-1]] and table[-1].startswith("total ")



def test_a_sleep_ending_is_a_section_with_silence_and_no_pace(fake_engine: Path) -> None:
    (fake_engine.parent / "sectioned.txt").write_text(SECTIONED)
    table = run("plan", "sectioned.txt", "--sleep", "1m").stdout.splitlines()
    assert next(row for row in table if row.startswith("Sleep ")).split() == ["Sleep", "0:00", "1:00", "—"]

def test_the_user_lexicon_changes_what_is_said(
    fake_engine: Path, small_practice: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = json.loads(run("plan", str(small_practice), "--json").stdout)
    assert [s["title"] for s in plan["sections"]] == ["Arriving", "Resting"]
    assert all(s["spoken"] > 0 and s["silent"] > 0 and 0 < s["heard_wpm"] < 150 for s in plan["sections"])
    plain = plan["total"]
    lexicon = fake_engine.parent / "lexicon.txt"
    lexicon.write_text("floor: the wide and steady ground beneath you\n")
    monkeypatch.setenv("STILLPOINT_LEXICON", str(lexicon))
    with_lexicon = json.loads(run("plan", str(small_practice), "--json").stdout)["total"]
    assert with_lexicon == pytest.approx(plain + 6 * 60 / 150, abs=0.01)


# ---------------------------------------------------------------- convert


def test_convert_a_script_to_ssml_on_stdout_and_back_to_a_file(fake_engine: Path, small_practice: Path) -> None:
    result = run("convert", str(small_practice))
    assert result.exit_code == 0
    assert result.stdout.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<speak')
    (fake_engine.parent / "small.ssml").write_text(result.stdout)
    back = run("convert", "small.ssml", "-o", "back.txt")
    assert back.exit_code == 0, back.output
    assert (back.stdout, back.stderr) == ("", "")
    assert "Think of a good friend." in (fake_engine.parent / "back.txt").read_text()
    assert run("check", "back.txt").exit_code == 0


def test_convert_reports_dropped_ssml_by_line_and_refuses_to_overwrite(fake_engine: Path) -> None:
    (fake_engine.parent / "talk.ssml").write_text('<speak>\n<p>Rest <emphasis>here</emphasis>.</p>\n</speak>\n')
    (fake_engine.parent / "talk.txt").write_text("keep")
    refused = run("convert", "talk.ssml", "-o", "talk.txt")
    assert refused.exit_code == 1
    assert (fake_engine.parent / "talk.txt").read_text() == "keep"
    result = run("convert", "talk.ssml", "-o", "talk.txt", "--force")
    assert result.exit_code == 0
    assert result.stderr == (
        "talk.ssml:2:9: note: <emphasis> is not supported: its text is kept, the emphasis is dropped\n")
    assert (fake_engine.parent / "talk.txt").read_text() == "Rest here.\n"


def test_convert_informal_text_reports_each_mapping(fake_engine: Path) -> None:
    (fake_engine.parent / "draft.txt").write_text("Settle in. (long pause)\nAnd rest.\n")
    result = run("convert", "draft.txt", "--from", "informal")
    assert result.exit_code == 0
    assert result.stdout == "Settle in. [pause 15s]\nAnd rest.\n"
    assert result.stderr == "draft.txt:1:12: note: '(long pause)' -> [pause 15s]\n"


def test_convert_fails_when_the_result_would_not_be_a_valid_script(fake_engine: Path) -> None:
    (fake_engine.parent / "empty.ssml").write_text("<speak><break time='2s'/></speak>")
    result = run("convert", "empty.ssml", "-o", "empty.txt")
    assert result.exit_code == 1
    assert "empty.txt:1:1: error: the script has no spoken text" in result.stderr


@pytest.mark.parametrize(("args", "message"), [
    (("--to", "mp3"), "--to mp3: not a format (choose script, ssml, informal)"),
    (("--to", "script"), "cannot convert"),
])
def test_convert_refuses_formats_it_cannot_make(small_practice: Path, args: tuple[str, ...], message: str) -> None:
    result = run("convert", str(small_practice), *args)
    assert result.exit_code == 2
    assert message in result.stderr


# ---------------------------------------------------------------- preview

RESTING_ONLY = """---
title: Small Practice
rate: 150
---
# Resting
Rest here. [soak 3s]
Come back when you are ready.
"""


def test_preview_exports_just_one_section(fake_engine: Path, small_practice: Path) -> None:
    result = run("preview", str(small_practice), "--section", "resting", "-o", "part.wav")
    assert result.exit_code == 0, result.output
    assert result.stdout.rstrip().endswith("Resting")
    (fake_engine.parent / "resting.txt").write_text(RESTING_ONLY)
    expected = json.loads(run("plan", "resting.txt", "--json").stdout)["total"]
    assert wav_seconds(fake_engine.parent / "part.wav") == pytest.approx(expected, abs=0.01)


@pytest.fixture
def captured_sound(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Point ALSA's default device at a file that receives exactly the bytes played; returns that file."""
    capture = tmp_path / "played.raw"
    config = tmp_path / "asound.conf"
    config.write_text(f'pcm.!default {{ type file; slave.pcm "null"; file "{capture}"; format "raw" }}\n')
    monkeypatch.setenv("ALSA_CONFIG_PATH", f"/usr/share/alsa/alsa.conf:{config}")
    return capture


def test_preview_without_output_plays_the_part_and_keeps_the_resume_point(
    fake_engine: Path, small_practice: Path, captured_sound: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STILLPOINT_STATE", str(fake_engine.parent / "state"))
    stopped_here = resume.Bookmark("Resting", 2, 20.0)
    resume.save(str(small_practice), stopped_here)
    # In a process of its own: PortAudio reads the sound devices once, when it is first loaded.
    done = subprocess.run([sys.executable, "-m", "stillpoint", "preview", str(small_practice), "--lines", "9-12",
                           "--quiet"], capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert done.returncode == 0, done.stderr
    arriving = script.excerpt(script.load(small_practice), lines=(9, 12))
    heard = captured_sound.stat().st_size / 2 / 22050
    assert heard == pytest.approx(timeline.plan(arriving).total, abs=1.0)
    assert resume.load(str(small_practice)) == stopped_here


@pytest.mark.parametrize(("args", "message"), [
    ((), "error: say which part to preview (give --section NAME or --lines 10-20)"),
    (("--section", "Arriving", "--lines", "1-3"), "error: say which part to preview"),
    (("--section", "Restng"), "has no section named 'Restng' (did you mean 'Resting'?)"),
    (("--lines", "12-9"), "error: --lines 12-9: not a range of lines (write it like 10-20, or 12 for one line)"),
    (("--lines", "1-3"), "lines 1-3 of"),
])
def test_preview_mistakes_give_one_line(
    fake_engine: Path, small_practice: Path, args: tuple[str, ...], message: str
) -> None:
    result = run("preview", str(small_practice), *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# ---------------------------------------------------------------- list


def test_list_shows_tags_and_filters_by_tag_in_any_case() -> None:
    every = run("list").stdout.splitlines()
    assert any(line.startswith("compassion ") and "[compassion, loving-kindness" in line for line in every)
    calm = run("list", "--tag", "CALM")
    assert calm.exit_code == 0
    listed = [line.split()[0] for line in calm.stdout.splitlines() if not line.startswith(" ")]  # not a note
    assert listed == ["circle-of-safety", "hand-on-heart", "slower-breath"]


def test_list_shows_a_content_note_under_its_practice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "grief.txt").write_text("---\ntitle: After a Loss\ncontent-note: the death of a parent\n---\nRest.\n")
    monkeypatch.setenv("STILLPOINT_PATH", str(tmp_path))
    lines = run("list").stdout.splitlines()
    found = next(index for index, line in enumerate(lines) if line.startswith("grief "))
    assert "After a Loss" in lines[found] and lines[found + 1].strip() == "content note: the death of a parent"
    noted = [lines[index - 1].split()[0] for index in range(found + 2, len(lines)) if "content note" in lines[index]]
    assert noted == ["slower-breath"]  # the one built-in practice with a note, and its note under it


def test_list_with_an_unknown_tag_suggests_one() -> None:
    result = run("list", "--tag", "compasion")
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: no practice is tagged 'compasion' (did you mean 'compassion'?)"


@pytest.mark.espeak
def test_check_review_of_a_practice_in_french_says_it_reads_english_only(tmp_path: Path) -> None:
    french = tmp_path / "soir.txt"
    french.write_text("---\ntitle: Soir\nvoice: french\n---\nFermez les yeux.\n")
    result = run("check", "--review", "--strict", str(french))
    assert result.exit_code == 0
    assert result.stderr.strip() == (f"{french}:3:1: note: the review reads English only: what the voice 'french' "
                                     "speaks (fr-fr) was not reviewed (have it read by someone who knows the language) "
                                     "[review]")
