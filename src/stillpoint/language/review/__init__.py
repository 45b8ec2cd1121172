"""The review: what a trauma-informed supervisor would question in a script that parses. Pure.

English patterns over lemmas and over the script's structure (sections, silences, front matter). Each rule is
explained, with its sources, in docs/script-format.md, *Reviewing a script*. The rules run through `lint`, so
`// allow: RULE` works for them as for the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from stillpoint.language.lint import Finding, Rule, Source
from stillpoint.language.review import rules as _rules
from stillpoint.language.review.reading import LONG_SILENCE, Options, Reading, lemma, read

__all__ = ["LONG_SILENCE", "NAMES", "Options", "prepare", "rules"]

RULES: dict[str, Callable[[Reading], Iterable[Finding]]] = {
    "order": _rules.order,
    "eyes-closed": _rules.eyes_closed,
    "breath-only": _rules.breath_only,
    "content-note": _rules.content_note,
    "dissociation": _rules.dissociation,
    "silence-reminder": _rules.silence_reminder,
    "promise": _rules.promise,
    "ending": _rules.ending,
}
NAMES = tuple(RULES)


def rules(options: Options = Options()) -> dict[str, Rule]:
    """The review's rules as lint runs them, each given the script's Source; they share one reading of it."""
    held: list[object] = []

    def reading_of(source: Source) -> Reading:
        if not held or held[0] is not source:
            held[:] = [source, read(source, options)]
        return held[1]  # type: ignore[return-value]

    return {name: (lambda source, rule=rule: rule(reading_of(source))) for name, rule in RULES.items()}


def prepare() -> None:
    """Load the English dictionary now (about a quarter of a second) so that the first review need not wait."""
    lemma("prepared")
