"""Rewrites a review finding offers: where the new words go, and the sentence as it would read with them."""

from __future__ import annotations

from collections.abc import Sequence

from stillpoint.errors import Fix
from stillpoint.language.review.reading import Sentence, Token

Edit = tuple[Token, Token, str]  # the tokens from the first to the last (both included) become the text


def edited(lines: Sequence[str], edits: Sequence[Edit]) -> Fix | None:
    """One fix making every edit, if they all lie on one line; None if they do not."""
    spans = sorted((first.col, last.end, text) for first, last, text in edits)
    line = edits[0][0].line
    if any(first.line != line or last.line != line for first, last, _ in edits) or _overlap(spans):
        return None
    start, end = spans[0][0], max(span[1] for span in spans)
    raw, pieces, at = lines[line - 1], [], start
    for col, stop, text in spans:
        pieces += [raw[at - 1:col - 1], text]
        at = stop
    pieces.append(raw[at - 1:end - 1])
    return Fix(line, start, line, end, "".join(pieces))


def _overlap(spans: list[tuple[int, int, str]]) -> bool:
    """Whether two spans share a character (tokens of one contraction share theirs)."""
    return any(later[0] < earlier[1] for earlier, later in zip(spans, spans[1:]))


def insertion(line: int, col: int, text: str) -> Fix:
    """A fix that inserts ``text`` before (line, col)."""
    return Fix(line, col, line, col, text)


def after(sentence: Sentence, text: str) -> Fix:
    """A fix that adds ``text`` (a sentence) just after ``sentence``, on its last line."""
    last = sentence.tokens[-1]
    return insertion(last.line, last.end, " " + text)


def whole(lines: Sequence[str], sentence: Sentence, text: str) -> Fix | None:
    """A fix that puts ``text`` in place of ``sentence``, if it stands on one line."""
    return edited(lines, [(sentence.tokens[0], sentence.tokens[-1], text)])


def token_text(lines: Sequence[str], token: Token) -> str:
    """The text of one token as written."""
    return lines[token.line - 1][token.col - 1:token.end - 1]


def capitalized(text: str, like: str) -> str:
    """``text`` with its first letter in the case of ``like``'s first letter."""
    return (text[:1].upper() if like[:1].isupper() else text[:1].lower()) + text[1:]


def reads(lines: Sequence[str], sentence: Sentence, fix: Fix) -> str:
    """The sentence as it would read with ``fix``, when the fix lies within its one line; else the fix's text."""
    first, last = sentence.tokens[0], sentence.tokens[-1]
    if not (first.line == last.line == fix.line == fix.end_line and first.col <= fix.col and fix.end_col <= last.end):
        return fix.text.strip()
    raw = lines[first.line - 1]
    return raw[first.col - 1:fix.col - 1] + fix.text + raw[fix.end_col - 1:last.end - 1]
