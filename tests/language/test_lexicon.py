"""The user-wide pronunciation lexicon: where it lives, what a line may hold, and errors naming file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from stillpoint.errors import ScriptError, UsageError
from stillpoint import places
from stillpoint.language import lexicon


def test_entries_are_read_with_comments_and_blank_lines_skipped() -> None:
    text = "# names\nOxytocin: ok-see-TOE-sin\n\n// people\n  Linda  Graham : LIN-dah GRAY-um\n"
    assert lexicon.parse(text) == (("oxytocin", "ok-see-TOE-sin"), ("linda graham", "LIN-dah GRAY-um"))


def test_every_malformed_line_is_an_error_naming_file_and_line() -> None:
    text = "metta: MET-tah\nno colon here\n  : nothing\nmetta: again\nempty:\n"
    with pytest.raises(ScriptError) as caught:
        lexicon.parse(text, "lex.txt")
    hint = "write it as `word: how it sounds`, e.g. `oxytocin: ok-see-TOE-sin`"
    assert [str(d) for d in caught.value.diagnostics] == [
        f"lex.txt:2:1: error: 'no colon here' is not a lexicon entry ({hint})",
        f"lex.txt:3:3: error: ': nothing' is not a lexicon entry ({hint})",
        "lex.txt:4:1: error: 'metta' is listed twice (it is first on line 1; keep one of them)",
        f"lex.txt:5:1: error: 'empty:' is not a lexicon entry ({hint})",
    ]


def test_the_file_is_found_through_the_environment_or_the_config_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(places.LEXICON_ENV, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert lexicon.load() == ()
    (tmp_path / "stillpoint").mkdir()
    (tmp_path / "stillpoint" / "lexicon.txt").write_text("metta: MET-tah\n")
    assert lexicon.load() == (("metta", "MET-tah"),)
    monkeypatch.setenv(places.LEXICON_ENV, str(tmp_path / "other.txt"))
    with pytest.raises(UsageError, match="names a lexicon that does not exist"):
        lexicon.load()


def test_a_word_longer_than_a_respelling_may_be_is_an_error_at_its_line() -> None:
    with pytest.raises(ScriptError) as caught:
        lexicon.parse("metta: MET-tah\n" + "calm " * 30 + ": calm\n", "lex.txt")
    assert [str(d) for d in caught.value.diagnostics] == [
        "lex.txt:2:1: error: 'calm calm calm calm …' is longer than 100 characters "
        "(respell a word or a short phrase)"]


def test_the_file_is_parsed_again_only_when_it_changes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "lexicon.txt"
    monkeypatch.setenv(places.LEXICON_ENV, str(path))
    path.write_text("metta: MET-tah\n")
    first = lexicon.load()
    assert lexicon.load() is first
    path.write_text("metta: MET-ta\n")
    assert lexicon.load() == (("metta", "MET-ta"),)
