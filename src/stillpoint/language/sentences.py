"""Text -> sentences, in any language and case, and sentences -> pieces an engine can take at once. Pure.

Sentences are found by sentencex (Wikimedia's rules: abbreviations such as "e.g." and "Dr.", quotes,
ellipses, and the stops of every script, 。！？ included), so a sentence may start with a lowercase,
accented, Cyrillic or CJK letter. A neural engine's memory grows faster than the length of what it is asked to
say (hibari: about 0.13 GB more for 50 words, 0.85 GB for 300, 7 GB for 1000), so a sentence longer than
PIECE_CHARACTERS is said in pieces: cut after clause punctuation, else between words, else (a run with no
space, such as CJK text) into equal parts.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

import sentencex

RULES = "en"  # sentencex's language: English abbreviations; the stops of every script are known whatever it is
WINDOW = 10_000  # characters handed to sentencex at once: it is quadratic in some runs of quotes and brackets
PIECE_CHARACTERS = 160  # the most an engine is asked to say at once: about 27 words, 13 s at 120 wpm
RUN_SHARE = 0.9  # a clause too long for one piece is cut into runs of words about this share of it long
_STOP_THEN_SPACE = re.compile(r"[.!?\u2026\u3002\uff01\uff1f][\"')\]\u201d\u2019\u300d\u300f\uff09]*\s")
# A clause mark (a comma, semicolon, colon, dash, ellipsis or a hyphen standing alone), any closing quotes or
# brackets after it, and the space before the next word: where a speaker pauses and a line may be cut.
_CLAUSE_BREAK = re.compile(r"(?:[,;:\u2013\u2014\u2026]|\.{3}|(?<=\s)-)+[\"'\u201d\u2019)\]]*\s+"
                           r"|[\u3001\uff0c\uff1b\uff1a]+\s*")
_SURROGATE = re.compile("[\ud800-\udfff]")  # a lone one, which a text from JSON may hold
_WORD = re.compile(r"\s*\S+\s*")  # a word with the spaces after it (and any before the first)


def spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``; together they cover it, whitespace included."""
    ends = []
    for first, last in _windows(text):
        window = _SURROGATE.sub("\ufffd", text[first:last])  # as long, and able to cross into Rust
        found = sentencex.get_sentence_boundaries(RULES, window)
        ends.extend(first + boundary["end_index"] for boundary in found)
        ends.append(last)
    cuts = sorted({0, *ends})
    return [(start, end) for start, end in zip(cuts, cuts[1:])] or [(0, len(text))]


def _windows(text: str) -> Iterator[tuple[int, int]]:
    """Stretches of ``text`` of at most WINDOW characters, each cut after a sentence's stop where one is near."""
    start = 0
    while len(text) - start > WINDOW:
        end = start + WINDOW
        stops = [match.end() for match in _STOP_THEN_SPACE.finditer(text, start + WINDOW // 2, end)]
        cut = stops[-1] if stops else (text.rfind(" ", start + 1, end) + 1) or end  # else a space, else anywhere
        yield start, cut
        start = cut
    yield start, len(text)


def pieces(sentence: str, limit: int = PIECE_CHARACTERS) -> list[str]:
    """``sentence`` as pieces of at most ``limit`` characters, cut where a speaker would pause if anywhere."""
    if len(sentence) <= limit:
        return [sentence]
    runs = [run for clause in _split_after(sentence, _CLAUSE_BREAK) for run in _runs(clause, limit)]
    return [piece.strip() for piece in _packed(runs, limit) if piece.strip()]


def phrases(text: str) -> list[str]:
    """``text`` cut after each clause mark followed by more words: the phrases a speaker says between pauses."""
    return [phrase.strip() for phrase in _split_after(text, _CLAUSE_BREAK) if phrase.strip()]


def _runs(clause: str, limit: int) -> list[str]:
    """A clause as runs of whole words, about equally long and at most ``limit`` characters each.

    Each run ends at the break between words nearest its share of the clause; the shares are a tenth short
    of the limit, so that a long word near a share's end need not cut a run short.
    """
    if len(clause) <= limit:
        return [clause]
    share = len(clause) / math.ceil(len(clause) / (RUN_SHARE * limit))
    runs, before = [""], 0  # before: the characters in the runs before the last
    for word in (part for word in _WORD.findall(clause) for part in _equal_parts(word, limit)):
        end, reached = share * len(runs), before + len(runs[-1])
        if runs[-1] and (reached + len(word) - end > end - reached or len((runs[-1] + word).strip()) > limit):
            before = reached
            runs.append(word)
        else:
            runs[-1] += word
    return runs


def _equal_parts(word: str, limit: int) -> list[str]:
    """``word`` cut into the fewest equal parts of at most ``limit`` characters (a run of CJK text has no spaces)."""
    if len(word) <= limit:
        return [word]
    count = math.ceil(len(word) / limit)
    cuts = [len(word) * part // count for part in range(count + 1)]
    return [word[start:end] for start, end in zip(cuts, cuts[1:])]


def _split_after(text: str, pattern: re.Pattern[str]) -> list[str]:
    """``text`` cut after each match of ``pattern``; the parts, joined, give ``text`` back."""
    parts, start = [], 0
    for match in pattern.finditer(text):
        if match.end() > start:
            parts.append(text[start:match.end()])
            start = match.end()
    return [*parts, text[start:]] if start < len(text) else parts


def _packed(parts: list[str], width: int) -> list[str]:
    """Consecutive ``parts`` joined while what they say stays within ``width`` characters; a longer part alone."""
    packed: list[str] = []
    for part in parts:
        if packed and len((packed[-1] + part).strip()) <= width:
            packed[-1] += part
        else:
            packed.append(part)
    return packed
