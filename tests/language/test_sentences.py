"""Sentences in any language and case, and pieces short enough for an engine to say at once. Strings only."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stillpoint.language import sentences
from stillpoint.language.sentences import PIECE_CHARACTERS, pieces


def split(text: str) -> list[str]:
    """The sentences of ``text``, stripped, without the blank ones."""
    return [text[start:end].strip() for start, end in sentences.spans(text) if text[start:end].strip()]


@pytest.mark.parametrize(("text", "expected"), [
    ("Rest here. breathe in slowly.", ["Rest here.", "breathe in slowly."]),
    ("Rest here. écoutez le souffle. Être là.", ["Rest here.", "écoutez le souffle.", "Être là."]),
    ("Отдохните здесь. дышите медленно. Всё хорошо.", ["Отдохните здесь.", "дышите медленно.", "Всё хорошо."]),
    ("Rest here. 呼吸します。", ["Rest here.", "呼吸します。"]),
    ("ここで休みましょう。ゆっくり呼吸します！大丈夫ですか？はい。",
     ["ここで休みましょう。", "ゆっくり呼吸します！", "大丈夫ですか？", "はい。"]),
    ("在这里休息。慢慢地呼吸！好吗？", ["在这里休息。", "慢慢地呼吸！", "好吗？"]),
    ("Breathe in — gently. ¿Listo? Sí.", ["Breathe in — gently.", "¿Listo?", "Sí."]),
])
def test_sentences_split_in_any_language_and_case(text: str, expected: list[str]) -> None:
    assert split(text) == expected


@pytest.mark.parametrize("text", [
    "Notice, e.g. the weight of your hands.",
    "Bring to mind a friend... someone kind.",
    "Dr. Rivera taught this practice.",
])
def test_abbreviations_and_a_trailing_off_do_not_end_a_sentence(text: str) -> None:
    assert split(text) == [text]


def test_a_lone_surrogate_is_kept_and_splits_nothing() -> None:
    assert split("Rest here. \ud800 breathe. Now.") == ["Rest here.", "\ud800 breathe.", "Now."]


def test_a_paragraph_longer_than_a_window_still_splits_at_every_sentence() -> None:
    text = " ".join(f"breathe number {n}." for n in range(3 * sentences.WINDOW // 10))
    assert split(text) == [f"breathe number {n}." for n in range(3 * sentences.WINDOW // 10)]


def test_a_long_paragraph_without_stops_is_cut_between_words() -> None:
    words = ["rest"] * sentences.WINDOW
    assert " ".join(split(" ".join(words))).split() == words


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from("ab .!?,。\u00e9Д\"()\ud800"), max_size=300))
def test_sentence_spans_cover_the_text_in_order(text: str) -> None:
    found = sentences.spans(text)
    assert "".join(text[start:end] for start, end in found) == text
    assert all(start < end for start, end in found) or text == ""


def test_a_sentence_that_fits_is_one_piece() -> None:
    sentence = "Let the breath move in its own time."
    assert pieces(sentence) == [sentence]


def test_a_long_sentence_is_cut_after_its_commas() -> None:
    clause = "and let the breath move in its own time, slowly"
    sentence = ", ".join([clause] * 8) + "."
    found = pieces(sentence)
    assert len(found) > 1 and all(len(piece) <= PIECE_CHARACTERS for piece in found)
    assert all(piece.endswith((",", ".")) for piece in found)
    assert " ".join(found) == sentence


def test_a_run_on_sentence_is_cut_between_words_into_about_equal_pieces() -> None:
    sentence = " ".join(["breathe", "softly", "and", "rest"] * 250) + "."
    found = pieces(sentence)
    assert " ".join(found) == sentence
    assert max(map(len, found)) <= PIECE_CHARACTERS and min(map(len, found)) > PIECE_CHARACTERS / 2


def test_a_run_without_spaces_is_cut_into_equal_parts() -> None:
    sentence = "在这里休息" * 100 + "。"
    found = pieces(sentence)
    assert "".join(found) == sentence and len(found) == math.ceil(len(sentence) / PIECE_CHARACTERS)
    assert max(map(len, found)) - min(map(len, found)) <= 1


def test_cjk_commas_cut_without_a_space() -> None:
    clause = "在这里休息" * 15
    sentence = "，".join([clause] * 4) + "。"
    found = pieces(sentence)
    assert "".join(found) == sentence and all(piece.endswith(("，", "。")) for piece in found)


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from("ab ,;:—、，。言"), max_size=2000), st.integers(5, 300))
def test_pieces_are_never_too_long_and_keep_every_character(text: str, limit: int) -> None:
    found = pieces(text, limit)
    assert all(len(piece) <= limit for piece in found)
    assert "".join(found).replace(" ", "") == text.replace(" ", "")


@pytest.mark.parametrize(("text", "expected"), [
    ("May you be safe, may you be well; may you be at ease.",
     ["May you be safe,", "may you be well;", "may you be at ease."]),
    ("Bring to mind a friend... someone kind.", ["Bring to mind a friend...", "someone kind."]),
    ("“Be well,” you say - and rest — here.", ["“Be well,”", "you say -", "and rest —", "here."]),
    ("At 3:30, 1,000 well-worn steps.", ["At 3:30,", "1,000 well-worn steps."]),  # no space: no pause
    ("在这里，休息。", ["在这里，", "休息。"]),
    ("Rest here.", ["Rest here."]),
])
def test_phrases_end_at_clause_marks_followed_by_more_words(text: str, expected: list[str]) -> None:
    assert sentences.phrases(text) == expected
