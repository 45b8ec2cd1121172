"""The review against a labelled corpus: every concern caught often enough, and few gentle lines flagged."""

from __future__ import annotations

import pytest

from language import review_corpus
from stillpoint.app import authoring
from stillpoint.language import library, review


@pytest.fixture(scope="module")
def passages() -> list[review_corpus.Passage]:
    """Every passage of the corpus, with the built-in practices' sections."""
    return review_corpus.passages()


def test_the_corpus_has_enough_of_each_kind(passages: list[review_corpus.Passage]) -> None:
    written = [p for p in passages if p.origin.startswith(review_corpus.CORPUS.name)]
    flagged = [p for p in written if p.labels]
    assert len(flagged) >= 60 and len(written) - len(flagged) >= 60
    assert {label for p in flagged for label in p.labels} == set(review.NAMES)
    assert any(not p.labels and not p.origin.startswith(review_corpus.CORPUS.name) for p in passages)


def test_every_concern_is_caught_and_gentle_lines_are_left_alone(passages: list[review_corpus.Passage]) -> None:
    found = review_corpus.score(passages)
    low = {c: round(found.recall(c), 2) for c in found.labelled if found.recall(c) < review_corpus.RECALL_TARGET}
    assert not low, f"recall below {review_corpus.RECALL_TARGET}: {low}; missed: {found.misses}"
    assert found.precision >= review_corpus.PRECISION_TARGET, f"flagged wrongly: {found.false_alarms}"


def test_a_passage_is_judged_on_its_own_lines_only() -> None:
    gentle = review_corpus.Passage(frozenset(), "middle", "Rest here.\n", "own lines")
    text, own = review_corpus.practice(gentle)
    lines = text.split("\n")
    assert [lines[number - 1] for number in own if lines[number - 1]] == ["# Practice", "Rest here."]
    assert "# Arriving" in lines[:own[0]] and "# Closing" in lines[own[-1]:]
    assert review_corpus.flagged(gentle) == set()
    assert review_corpus.flagged(review_corpus.Passage(frozenset(), "end", "# Closing\nMay you be well.\n",
                                                       "an ending")) == {"ending"}


@pytest.mark.parametrize("name", sorted(library.practices()))
def test_the_built_in_practices_pass_the_review(name: str) -> None:
    result = authoring.check(name, strict=True, reviewing=review.Options())
    assert result.diagnostics == ()
