"""The labelled review corpus (review_corpus.txt and the built-in practices) and the recall and precision it gives.

Shared by the test that fails if either drops and by the benchmark row that reports them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from stillpoint.app import authoring
from stillpoint.language import library, review
from stillpoint.language import script as script_language

CORPUS = Path(__file__).with_name("review_corpus.txt")
GENTLE = "gentle"
RECALL_TARGET = 0.85
PRECISION_TARGET = 0.9
OPENING = """# Arriving
Find a way of sitting or lying down that feels comfortable, and let the chair or the floor take your weight.
If you like, let your eyes close, or let your gaze rest softly on the floor.
Notice the sounds around you, and the feel of your feet on the ground.
[pause 5s]
"""
CLOSING = """
# Closing
Now feel your feet on the floor and your hands resting, and notice the room around you.
When you are ready, open your eyes.
"""
_SETTING = re.compile(r"[a-z-]+:(\s|$)")


@dataclass(frozen=True)
class Passage:
    """One labelled passage: the rules that should flag it (none if gentle), how it is framed, and its text."""

    labels: frozenset[str]
    frame: str
    text: str
    origin: str
    front: tuple[str, ...] = ()


@dataclass
class Score:
    """What the review found in the corpus: per concern, the passages flagged of those labelled; overall, the right
    rules among every rule that flagged a passage."""

    labelled: dict[str, int] = field(default_factory=dict)
    caught: dict[str, int] = field(default_factory=dict)
    right: int = 0
    wrong: int = 0
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    def recall(self, concern: str) -> float:
        """The share of the passages labelled ``concern`` that its rule flagged (1 if none is)."""
        return self.caught.get(concern, 0) / self.labelled[concern] if self.labelled[concern] else 1.0

    @property
    def precision(self) -> float:
        """The share of right rules among every rule that flagged a passage."""
        return self.right / max(self.right + self.wrong, 1)

    @property
    def met(self) -> bool:
        """Whether every concern's recall and the overall precision reach their targets."""
        return self.precision >= PRECISION_TARGET and all(self.recall(c) >= RECALL_TARGET for c in self.labelled)


def passages(path: Path = CORPUS) -> list[Passage]:
    """Every passage of the corpus file, then every section of the built-in practices (all gentle)."""
    return [*_written(path), *_builtin()]


def _written(path: Path) -> Iterator[Passage]:
    """The passages of the corpus file."""
    lines = path.read_text(encoding="utf-8").split("\n")
    starts = [index for index, line in enumerate(lines) if line.startswith("=== ")]
    for start, end in zip(starts, [*starts[1:], len(lines)]):
        labels, _, frame = lines[start][4:].partition("|")
        body = [line for line in lines[start + 1:end] if not line.startswith("//")]
        front = []
        while frame.strip() != "whole" and body and _SETTING.match(body[0]):
            front.append(body.pop(0))
        names = frozenset(name.strip() for name in labels.split(",")) - {GENTLE}
        yield Passage(names, frame.strip() or "middle", "\n".join(body).strip() + "\n", f"{path.name}:{start + 1}",
                      tuple(front))


def _builtin() -> Iterator[Passage]:
    """Each section of each built-in practice, the last one as an ending, with the practice's variables."""
    for name, path in library.practices().items():
        parsed = script_language.load(path)
        lines = path.read_text(encoding="utf-8").split("\n")
        front = ("vars:", *(f"  {key}: {value}" for key, value in parsed.meta.vars.items()))
        for index, section in enumerate(parsed.sections):
            end = parsed.sections[index + 1].line - 1 if index + 1 < len(parsed.sections) else len(lines)
            text = "\n".join(lines[section.line - 1:end]).strip() + "\n"
            frame = "end" if index + 1 == len(parsed.sections) else "middle"
            yield Passage(frozenset(), frame, text, f"{name}: {section.title}", front)


def practice(passage: Passage) -> tuple[str, range]:
    """The practice a passage is checked in, and the lines that are the passage's own."""
    if passage.frame == "whole":
        return passage.text, range(1, passage.text.count("\n") + 2)
    head = "---\ntitle: A corpus passage\n" + "".join(line + "\n" for line in passage.front) + "---\n" + OPENING
    first = head.count("\n") + 1
    body = passage.text if passage.text.lstrip().startswith("#") else "\n# Practice\n" + passage.text
    tail = "" if passage.frame == "end" else CLOSING
    text = head + body + tail
    return text, range(first, first + body.count("\n") + 1)


def flagged(passage: Passage) -> set[str]:
    """The review rules with a finding on the passage's own lines."""
    text, own = practice(passage)
    result = authoring.check_text(text, f"{passage.origin}.txt", reviewing=review.Options())
    if result.script is None:
        raise ValueError(f"{passage.origin}: the passage does not parse: {result.diagnostics[0]}")
    return {d.code for d in result.diagnostics if d.code in review.NAMES and d.line in own}


def score(every: list[Passage]) -> Score:
    """The recall per concern and the precision overall of the review over ``every`` passage."""
    found = Score(labelled={name: 0 for name in review.NAMES})
    for passage in every:
        rules = flagged(passage)
        for concern in passage.labels:
            found.labelled[concern] += 1
            found.caught[concern] = found.caught.get(concern, 0) + (concern in rules)
            if concern not in rules:
                found.misses.append(f"{passage.origin} [{concern}]")
        found.right += len(rules & passage.labels)
        found.wrong += len(rules - passage.labels)
        found.false_alarms += [f"{passage.origin} [{rule}]" for rule in sorted(rules - passage.labels)]
    return found


def summary(found: Score) -> str:
    """Recall per concern and precision overall, in one line."""
    recalls = ", ".join(f"{concern} {found.recall(concern):.2f}" for concern, count in found.labelled.items() if count)
    return f"recall {recalls}; precision {found.precision:.2f} ({found.right} of {found.right + found.wrong})"
