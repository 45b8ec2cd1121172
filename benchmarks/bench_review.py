"""The review against its labelled corpus (tests/language/review_corpus.txt and the built-in practices' sections).

Recall per concern: of the passages labelled with a concern, the share its rule flags (on the passage's own
lines, checked inside a gentle practice or as the practice's ending or whole). Precision overall: of every rule that
flags a passage, the share among that passage's labels (a gentle passage has none). The held-out passages
(review_heldout.txt) were written after the rules and never used to tune them: their figures are given for
information.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.common import row
from tests.language import review_corpus

HELD_OUT = Path(review_corpus.__file__).with_name("review_heldout.txt")


def corpus_rows() -> list[dict]:
    """Recall per concern and precision overall on the corpus, against their targets."""
    passages = review_corpus.passages()
    found = review_corpus.score(passages)
    flagged = sum(1 for p in passages if p.labels)
    target = f"recall >= {review_corpus.RECALL_TARGET} each, precision >= {review_corpus.PRECISION_TARGET}"
    return [row(f"review: labelled corpus ({flagged} passages to flag, {len(passages) - flagged} gentle)",
                review_corpus.summary(found), target, found.met)]


def held_out_rows() -> list[dict]:
    """The same figures on passages the rules were not tuned on."""
    passages = list(review_corpus.passages(HELD_OUT))
    passages = [p for p in passages if p.origin.startswith(HELD_OUT.name)]
    found = review_corpus.score(passages)
    flagged = sum(1 for p in passages if p.labels)
    return [row(f"review: held-out passages ({flagged} to flag, {len(passages) - flagged} gentle)",
                review_corpus.summary(found) + (f"; missed: {', '.join(found.misses)}" if found.misses else "")
                + (f"; flagged wrongly: {', '.join(found.false_alarms)}" if found.false_alarms else ""),
                "information", None)]


def run() -> list[dict]:
    """Rows for the corpus and the held-out passages."""
    return corpus_rows() + held_out_rows()
