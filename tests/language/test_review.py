"""The review: for every rule a passage it flags (the exact finding and its rewrite), near misses it leaves alone,
`// allow:`, and its rewrites, which answer what they were made for."""

from __future__ import annotations

import pytest

from stillpoint.errors import Diagnostic, Fix
from stillpoint.language import lint, review, script
from stillpoint.language.lint import Source
from stillpoint.language.review import reading

BACK = "Feel your feet on the floor.\nWhen you are ready, open your eyes.\n"  # an anchor, and an ending that comes back


def findings(text: str, options: review.Options = review.Options()) -> list[Diagnostic]:
    """The review's findings (and lint's) for a script text."""
    return lint.lint(script.parse(text, "t.txt"), text, (), review.rules(options), review.NAMES)


def shown(text: str, options: review.Options = review.Options()) -> list[str]:
    """The review's findings as printed."""
    return [str(d) for d in findings(text, options) if d.code in review.NAMES]


def fixed(text: str, fix: Fix) -> str:
    """``text`` with ``fix`` made."""
    lines = text.split("\n")
    start = sum(len(line) + 1 for line in lines[:fix.line - 1]) + fix.col - 1
    end = sum(len(line) + 1 for line in lines[:fix.end_line - 1]) + fix.end_col - 1
    return text[:start] + fix.text + text[end:]


GOLDEN = [
    pytest.param(
        "Sit quietly. Don't move.\n" + BACK,
        "t.txt:1:14: warning: 'Don't move' forbids; a listener may need to move, look or stop "
        "(try: \"You can move, open your eyes or pause whenever you need to.\") [order]",
        id="order-prohibition"),
    pytest.param(
        "You must breathe slowly, and feel your feet on the floor.\n" + BACK,
        "t.txt:1:5: warning: 'must' makes the practice a duty; an invitation leaves the listener in charge "
        "(try: \"You might breathe slowly, and feel your feet on the floor.\") [order]",
        id="order-obligation"),
    pytest.param(
        "Now breathe in through the nose.\n" + BACK,
        "t.txt:1:5: warning: 'breathe in through' is an order about the breath; say it as an invitation "
        "(try: \"Now, if it feels right, breathe in through the nose.\") [order]",
        id="order-breath"),
    pytest.param(
        "Focus only on the breath at the nostrils.\n" + BACK,
        "t.txt:1:7: warning: 'only' narrows attention to one place; offer it as one choice among others "
        "(try: \"Focus on the breath at the nostrils.\") [order]",
        id="order-only"),
    pytest.param(
        "Relax.\n" + BACK,
        "t.txt:1:1: warning: 'Relax' is an order; being told to relax can make it harder "
        "(try: \"Let yourself relax, as much as feels comfortable.\") [order]",
        id="order-relax"),
    pytest.param(
        "With your eyes closed, picture the sea.\n" + BACK,
        "t.txt:1:11: warning: the eyes are asked to close with no choice of keeping them open; for some listeners "
        "closed eyes feel unsafe (try: \"With your eyes closed, picture the sea. Or, if you prefer, keep your eyes "
        "open and let your gaze rest softly on the floor.\") [eyes-closed]",
        id="eyes-closed"),
    pytest.param(
        "Notice the breath coming and going.\nWhen you are ready, open your eyes.\n",
        "t.txt:1:12: warning: the breath is the only anchor this practice offers; for some listeners the breath is "
        "where panic starts (try: \"Notice the breath coming and going. If the breath is not a comfortable place "
        "to rest, feel your feet on the floor, or listen to the sounds around you.\") [breath-only]",
        id="breath-only"),
    pytest.param(
        "---\ntitle: T\n---\nThink of the day your father died.\n" + BACK,
        "t.txt:4:30: warning: this practice speaks of death but has no content note; a listener may need to know "
        "before choosing it (add `content-note: this practice speaks of death` to the front matter) [content-note]",
        id="content-note"),
    pytest.param(
        "Imagine yourself floating up and out of your body.\n" + BACK,
        "t.txt:1:18: warning: this invites leaving the body; for a listener who dissociates, it can be the way out "
        "of the present, not into rest (try: \"Picture a place where you feel at ease, while you stay aware of "
        "your body resting here.\") [dissociation]",
        id="dissociation"),
    pytest.param(
        "Rest in the quiet.\n[soak 3m]\n" + BACK,
        "t.txt:2:1: warning: 3m of silence with no word before it that the listener may open their eyes, move or "
        "stop (try: \"In the quiet that follows, you can open your eyes, move or stop at any time.\") "
        "[silence-reminder]",
        id="silence-reminder"),
    pytest.param(
        "You'll feel completely calm.\n" + BACK,
        "t.txt:1:1: warning: this promises an outcome the listener may not have; when it does not come, they may "
        "feel they failed (try: \"You may feel a little more calm.\") [promise]",
        id="promise"),
    pytest.param(
        "Feel your feet on the floor.\n# Closing\nMay you be well.\n",
        "t.txt:3:1: warning: the practice ends without coming back to the room, the body or the eyes (try: \"May "
        "you be well. Now feel your feet on the floor, notice the room around you, and when you are ready, open "
        "your eyes.\") [ending]",
        id="ending"),
]


@pytest.mark.parametrize(("text", "expected"), GOLDEN)
def test_each_rule_finds_its_concern_with_a_rewrite(text: str, expected: str) -> None:
    assert shown(text) == [expected]


@pytest.mark.parametrize(("text", "_expected"), GOLDEN)
def test_each_rewrite_answers_its_finding(text: str, _expected: str) -> None:
    finding = next(d for d in findings(text) if d.code in review.NAMES)
    assert finding.fix is not None
    rule = finding.code
    assert rule not in {d.code for d in findings(fixed(text, finding.fix))}


@pytest.mark.parametrize(("text", "_expected"), GOLDEN)
def test_an_allow_comment_above_the_line_silences_each_rule(text: str, _expected: str) -> None:
    finding = next(d for d in findings(text) if d.code in review.NAMES)
    lines = text.split("\n")
    lines.insert(finding.line - 1, f"// allow: {finding.code}")
    assert finding.code not in {d.code for d in findings("\n".join(lines))}


NEAR_MISSES = [
    pytest.param("If it feels right, let your eyes close, or rest your gaze on the floor.\n", id="eyes-with-a-choice"),
    pytest.param("Some people close their eyes; others keep them open.\n", id="eyes-open-offered"),
    pytest.param("Your eyes may be open or closed, whichever feels safer.\n", id="eyes-either"),
    pytest.param("Notice the light behind your eyelids.\n", id="eyelids-not-closing"),
    pytest.param("There is nothing you need to do.\n", id="nothing-you-need"),
    pytest.param("You don't have to sit still; move whenever you like.\n", id="not-an-obligation"),
    pytest.param("Come back as often as you need to.\n", id="need-as-permission"),
    pytest.param("Don't worry if the mind wanders.\n", id="dont-worry"),
    pytest.param("Let the breath find its own rhythm.\n", id="let-the-breath"),
    pytest.param("When you're ready, you could take a deeper breath.\n", id="breath-invited"),
    pytest.param("Keep your hands wherever they are comfortable.\n", id="keep-hands"),
    pytest.param("Stay with this warmth for as long as you like.\n", id="stay-with-warmth"),
    pytest.param("Perhaps only you have noticed it.\n", id="only-you"),
    pytest.param("Let the sound of the bell die away.\n", id="bell-dies-away"),
    pytest.param("Notice your heart beating.\n", id="heart-beating"),
    pytest.param("---\ncontent-note: grief\n---\nIf someone you love has died, be gentle with yourself.\n",
                 id="content-noted"),
    pytest.param("Let your thoughts drift away like clouds.\n", id="thoughts-drift"),
    pytest.param("Imagine floating on a lake, the water holding your body.\n", id="floating-held"),
    pytest.param("Picture a calm place, knowing you can come back here at any time.\n", id="far-but-returning"),
    pytest.param("In a moment you will hear a bell.\n", id="will-hear"),
    pytest.param("It is completely fine if nothing happens.\n", id="completely-fine"),
    pytest.param("Every time your mind wanders, gently come back.\n", id="every-time-mind-wanders"),
    pytest.param("This practice may help you feel a little calmer.\n", id="hedged"),
    pytest.param("You can open your eyes, move or stop at any time.\n[soak 3m]\n", id="silence-with-a-way-out"),
    pytest.param("Rest for a while.\n[soak 1m59s]\n", id="silence-under-two-minutes"),
]


@pytest.mark.parametrize("passage", NEAR_MISSES)
def test_near_misses_pass(passage: str) -> None:
    text = passage + "Notice the sounds around you.\n" + BACK
    assert shown(text) == []


def test_a_sleep_practice_may_end_in_sleep() -> None:
    assert shown("---\ntags: sleep\n---\nFeel the bed under you.\nLet sleep come.\n") == []
    assert [d.code for d in findings("Feel the bed under you.\nLet sleep come.\n")] == ["ending"]


def test_the_silence_that_wants_a_reminder_can_be_changed() -> None:
    text = "Rest in the quiet.\n[soak 90s]\n" + BACK
    assert shown(text) == []
    assert [d.code for d in findings(text, review.Options(silence=60.0))] == ["silence-reminder"]


def test_a_silence_is_as_long_as_fitting_makes_it() -> None:
    text = "Rest in the quiet.\n[soak 1m]\n" + BACK
    assert findings(text) == []
    fitted = findings("---\nlength: 4m\n---\n" + text)
    assert [d.code for d in fitted] == ["silence-reminder"]
    assert fitted[0].message.startswith("3m")


def test_markers_in_a_row_are_one_silence() -> None:
    text = "Rest.\n[soak 1m]\n[bell]\n[pause 1m]\n" + BACK
    codes = [d.code for d in findings(text)]
    assert "silence-reminder" in codes and codes.count("silence-reminder") == 1


def test_the_content_note_rewrite_starts_a_front_matter_where_there_is_none() -> None:
    text = "Think of the war.\n" + BACK
    finding = next(d for d in findings(text) if d.code == "content-note")
    rewritten = fixed(text, finding.fix)
    assert rewritten.startswith("---\ncontent-note: this practice speaks of war\n---\n")
    assert script.parse(rewritten).meta.content_note == "this practice speaks of war"


def test_a_content_note_names_every_subject_once() -> None:
    text = "Think of the war, and of violence.\nPerhaps someone died. Perhaps there was abuse.\n" + BACK
    finding = next(d for d in findings(text) if d.code == "content-note")
    assert "speaks of war, violence, death and abuse" in finding.message


def test_an_unknown_rule_in_an_allow_comment_lists_the_review_rules_too() -> None:
    found = findings("// allow: ordr\nRest.\n" + BACK)
    assert [d.code for d in found] == ["allow"]
    assert "order, eyes-closed" in found[0].hint


def test_without_the_review_its_allow_comments_are_still_known() -> None:
    text = "// allow: order\nClose your eyes.\n"
    parsed = script.parse(text, "t.txt")
    assert lint.lint(parsed, text, (), None, review.NAMES) == []


def test_a_section_in_another_language_is_left_unread() -> None:
    text = "# Un\nFermez les yeux. Close your eyes.\n# Two\nFeel your feet, and open your eyes.\n"
    assert [d.code for d in findings(text, review.Options(foreign=frozenset({"heart"})))] == []
    french = "# Un {voice: fr}\nClose your eyes.\n# Two\nFeel your feet, and open your eyes.\n"
    assert [d.code for d in findings(french, review.Options(foreign=frozenset({"fr"})))] == []
    assert "eyes-closed" in [d.code for d in findings(french)]


def test_words_are_read_with_their_lemmas_and_contractions_opened() -> None:
    text = "You'll float. Don't move, it's fine.\n"
    lines = tuple(text.split("\n"))
    source = Source(script.parse(text), lines, 0, frozenset())
    first, second = reading.read(source).sentences
    assert [(t.word, t.lemma) for t in first.tokens] == [("you", "you"), ("will", "will"), ("float", "float"),
                                                         (".", ".")]
    assert [t.word for t in second.tokens] == ["do", "not", "move", ",", "it", "is", "fine", "."]
    assert (second.tokens[0].col, second.tokens[0].end) == (15, 20)


def test_a_sentence_wraps_over_lines_and_ends_at_a_blank_line_or_heading() -> None:
    text = "Let your eyes\nclose. Rest\n\nhere\n# Two\nand now.\n"
    lines = tuple(text.split("\n"))
    source = Source(script.parse(text), lines, 0, frozenset())
    sentences = reading.read(source).sentences
    assert [[t.word for t in s.tokens if t.word.isalpha()] for s in sentences] == [
        ["let", "your", "eyes", "close"], ["rest"], ["here"], ["and", "now"]]
    assert [s.section for s in sentences] == [0, 0, 0, 1]


def test_a_script_read_again_after_an_edit_has_its_findings_where_they_are_now() -> None:
    text = "Rest.\nClose your eyes.\n" + BACK
    assert [(d.line, d.code) for d in findings(text)] == [(2, "eyes-closed"), (2, "order")]
    moved = "Arrive.\n" + text
    assert [(d.line, d.code) for d in findings(moved)] == [(3, "eyes-closed"), (3, "order")]
    edited = text.replace("Close your eyes.", "Close your eyes, or keep them open.")
    assert findings(edited) == []


def test_a_prohibition_after_something_else_is_still_one() -> None:
    assert [d.code for d in findings("Don't worry, and sit without moving.\n" + BACK)] == ["order"]
    assert [d.code for d in findings("Whatever happens, do not get up.\n" + BACK)] == ["order"]
