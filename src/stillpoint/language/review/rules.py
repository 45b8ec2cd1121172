"""The review's rules: each reads the script and says where, what, and the rewrite that would answer it."""

from __future__ import annotations

import re
from collections.abc import Iterator

from stillpoint.errors import Fix
from stillpoint.language.lint import Finding
from stillpoint.language.review import rewrite
from stillpoint.language.review import words as w
from stillpoint.language.review.reading import Reading, Sentence, Token
from stillpoint.language.script import Script, Speech, format_duration

INVITE = "if it feels right, "
GAZE_CHOICE = "Or, if you prefer, keep your eyes open and let your gaze rest softly on the floor."
OTHER_ANCHOR = ("If the breath is not a comfortable place to rest, feel your feet on the floor, or listen to the "
                "sounds around you.")
GROUNDED = "Picture a place where you feel at ease, while you stay aware of your body resting here."
WAY_OUT = "In the quiet that follows, you can open your eyes, move or stop at any time."
COMING_BACK = "Now feel your feet on the floor, notice the room around you, and when you are ready, open your eyes."
FREE_TO_MOVE = "You can move, open your eyes or pause whenever you need to."
MIND_WANDERS = "If your mind wanders, that is all right; come back whenever you notice."
RELAXING = "Let yourself relax, as much as feels comfortable."
STEADIER = "Rest your attention on the breath, or anywhere else that feels steadier."


# ---------------------------------------------------------------- 1. orders


def order(reading: Reading) -> Iterator[Finding]:
    """An order where an invitation fits: a prohibition, an obligation, attention narrowed, a bare command about the
    eyes, the breath, stillness or staying."""
    for sentence in reading.sentences:
        found = (_prohibition(reading, sentence) or _obligation(reading, sentence) or _narrowed(reading, sentence)
                 or _command(reading, sentence))
        if found:
            yield found


def _prohibition(reading: Reading, sentence: Sentence) -> Finding | None:
    """'Don't move', 'you must not open your eyes', 'sit without moving'."""
    verb = _forbidden(sentence)
    if verb < 0:
        return None
    lines = reading.source.lines
    instead = MIND_WANDERS if sentence.has(verb, w.MIND_VERBS) else FREE_TO_MOVE
    return _finding(lines, sentence, sentence.tokens[0], rewrite.whole(lines, sentence, instead),
                    f"{_quoted(lines, sentence, 0, verb)} forbids; a listener may need to move, look or stop",
                    instead)


def _forbidden(sentence: Sentence) -> int:
    """The index of the verb a prohibition forbids, or -1."""
    bag = sentence.bag
    verb = _told_not_to(sentence) if bag & w.NEGATORS else -1
    if verb < 0 and "without" in bag:
        without = sentence.find(frozenset({"without"}))
        verb = without + 1 if sentence.has(without + 1, w.WITHOUT_VERBS) else -1
    return verb


def _told_not_to(sentence: Sentence) -> int:
    """The verb of 'don't ...', 'never ...' at the start of a clause, or of 'you must not ...', or -1."""
    for start in [_head(sentence), *(i + 1 for i, t in enumerate(sentence.tokens) if t.word in w.CLAUSE_BREAKS)]:
        if sentence.has(start, frozenset({"never"})) and sentence.has(start + 1, w.NEGATIVE_VERBS):
            return start + 1
        if sentence.has(start, frozenset({"do", "try"})) and sentence.has(start + 1, w.NEGATORS):
            verb = sentence.find(w.NEGATIVE_VERBS, start + 2, start + 4)
            if verb >= 0:
                return verb
    if not sentence.bag & w.MODALS:
        return -1
    first, verb = sentence.seek(w.MODALS, w.NEGATORS, w.NEGATIVE_VERBS, gap=2)
    return verb if first >= 0 and sentence.has(first - 1, frozenset({"you"})) else -1


def _obligation(reading: Reading, sentence: Sentence) -> Finding | None:
    """'You must', 'you have to', 'you need to', 'you should', 'I want you to', 'it is important to'."""
    if not sentence.bag & w.OBLIGING:
        return None
    for index, token in enumerate(sentence.tokens):
        first, last, instead = _obliging(sentence, index)
        if last < 0:
            continue
        lines = reading.source.lines
        instead = rewrite.capitalized(instead, rewrite.token_text(lines, sentence.tokens[first]))
        fix = rewrite.edited(lines, [(sentence.tokens[first], sentence.tokens[last], instead)])
        return _finding(lines, sentence, token, fix,
                        f"{_quoted(lines, sentence, first, last)} makes the practice a duty; an invitation leaves "
                        "the listener in charge", "you might ...")
    important = sentence.find(w.IMPORTANT)
    if important >= 0 and sentence.has(important + 1, frozenset({"to", "that"})):
        lines = reading.source.lines
        return _finding(lines, sentence, sentence.tokens[important], None,
                        f"{_quoted(lines, sentence, important, important)} makes the practice a duty",
                        "You might ...")
    return None


def _obliging(sentence: Sentence, index: int) -> tuple[int, int, str]:
    """Where an obligation addressed to the listener at ``index`` begins and ends (-1, -1 if there is none), and
    the words of an invitation to put in its place."""
    word = sentence.tokens[index].word
    if word in ("want", "need", "like") and sentence.has(index - 1, w.SPEAKERS) and \
            sentence.has(index + 1, frozenset({"you"})) and sentence.has(index + 2, frozenset({"to"})):
        return index - 1 - sentence.has(index - 2, frozenset({"i", "we"})), index + 2, "you might"
    if word in ("must", "should"):
        last = index
    elif word in ("have", "has", "need", "needs", "got") and sentence.has(index + 1, frozenset({"to"})):
        last = index + 1
    else:
        return -1, -1, ""
    window = range(max(index - 3, 0), index)
    if any(sentence.has(other, w.OBLIGATION_SKIP) for other in window) or sentence.has(index + 1, w.NEGATORS) \
            or not any(sentence.has(other, w.ADDRESSED) for other in window):
        return -1, -1, ""
    only = sentence.has(index - 1, frozenset({"only"}))
    return index - only, last, "might simply" if only else "might"


def _narrowed(reading: Reading, sentence: Sentence) -> Finding | None:
    """'Focus only on the breath', 'the breath and nothing else'."""
    if not sentence.bag & w.NARROWING:
        return None
    lines = reading.source.lines
    only = sentence.find(frozenset({"only"}))
    if only >= 0 and sentence.near(only, w.ATTENTION, 3, 3) >= 0 and not sentence.has(only + 1, w.PRONOUNS):
        fix = rewrite.edited(lines, [(sentence.tokens[only], sentence.tokens[only + 1],
                                      rewrite.token_text(lines, sentence.tokens[only + 1]))]) \
            if only + 1 < len(sentence.tokens) else None
        return _finding(lines, sentence, sentence.tokens[only], fix,
                        "'only' narrows attention to one place; offer it as one choice among others",
                        STEADIER)
    nothing = sentence.phrase(("nothing", "else"))
    nothing = nothing if nothing >= 0 else sentence.phrase(("nothing", "but"))
    if nothing >= 0 and sentence.near(nothing, w.ATTENTION, 8, 3) >= 0:
        return _finding(lines, sentence, sentence.tokens[nothing], None,
                        f"{_quoted(lines, sentence, nothing, nothing + 1)} narrows attention to one place; offer it "
                        "as one choice among others", STEADIER)
    return None


def _command(reading: Reading, sentence: Sentence) -> Finding | None:
    """A bare command about the eyes, the breath, stillness or staying, with nothing that makes it a choice."""
    if sentence.bag & w.SOFTENERS or not sentence.bag & (w.ORDER_VERBS | w.BREATHS):
        return None
    lines = reading.source.lines
    head = _head(sentence)
    if _alone(sentence, head):
        return _finding(lines, sentence, sentence.tokens[head], rewrite.whole(lines, sentence, RELAXING),
                        f"{_quoted(lines, sentence, head, head)} is an order; being told to relax can make it harder",
                        RELAXING)
    verb = head if _commanding(sentence, head) else _clause_command(sentence, head)
    if verb < 0:
        return None
    return _finding(lines, sentence, sentence.tokens[verb], _invitation(lines, sentence, verb),
                    f"{_quoted(lines, sentence, verb, min(verb + 2, len(sentence.tokens) - 1))} is an order about "
                    f"{_about(sentence, verb)}; say it as an invitation", "If it feels right, ...")


def _head(sentence: Sentence) -> int:
    """The index of the first word that is not a filler like 'now', 'just', 'gently'."""
    index = 0
    while sentence.has(index, w.LEADING):
        index += 1
    return index


def _alone(sentence: Sentence, head: int) -> bool:
    """Whether the sentence is 'Relax.' with at most a 'just' or 'completely' around it."""
    words = [t.word for t in sentence.tokens if t.word[0].isalpha()]
    return sentence.has(head, frozenset({"relax"})) and all(word in w.RELAX_ALONE for word in words)


def _commanding(sentence: Sentence, verb: int) -> bool:
    """Whether the word at ``verb`` starts a command about the eyes, the breath, stillness or staying."""
    if verb >= len(sentence.tokens):
        return False
    token = sentence.tokens[verb]
    if token.word in ("close", "shut"):
        return sentence.near(verb, w.EYES, 0, 3) >= 0
    if token.word in w.BREATH_VERBS:
        return True
    if token.word == "take":
        return sentence.near(verb, w.BREATHS, 0, 4) >= 0
    return _stilling(sentence, verb)


def _stilling(sentence: Sentence, verb: int) -> bool:
    """Whether the word at ``verb`` starts 'keep still', 'hold your breath', 'stay with the pain', 'sit still'."""
    word = sentence.tokens[verb].word
    if word == "keep":
        return sentence.near(verb, w.KEEP_OBJECTS, 0, 4) >= 0
    if word == "hold":
        return sentence.near(verb, w.HOLD_OBJECTS, 0, 3) >= 0
    if word in ("stay", "remain"):
        return (sentence.near(verb, w.STAY_OBJECTS, 0, 3) >= 0 or sentence.follows(verb, frozenset({"with"}),
                w.HARD_THINGS, gap=3) >= 0 or sentence.phrase(("no", "matter")) >= 0)
    if word in ("sit", "lie", "freeze"):
        return word == "freeze" or sentence.near(verb, w.SIT_OBJECTS, 0, 3) >= 0
    return False


def _clause_command(sentence: Sentence, head: int) -> int:
    """A later clause's 'keep', 'hold', 'stay' or 'remain' command ('..., and keep them closed'), or -1."""
    for index in range(head + 1, len(sentence.tokens)):
        if sentence.tokens[index].word in ("keep", "hold", "stay", "remain") and \
                sentence.has(index - 1, frozenset({"and", "then", ",", ";"})) and _stilling(sentence, index):
            return index
    return -1


def _about(sentence: Sentence, verb: int) -> str:
    """What a command is about, in a few words."""
    word = sentence.tokens[verb].word
    if sentence.near(verb, w.EYES, 0, 4) >= 0:
        return "the eyes"
    if word in w.BREATH_VERBS or sentence.near(verb, w.BREATHS, 0, 4) >= 0:
        return "the breath"
    return "staying" if word in ("stay", "remain") and sentence.near(verb, w.STAY_OBJECTS, 0, 3) < 0 else "stillness"


def _invitation(lines: tuple[str, ...], sentence: Sentence, verb: int) -> Fix | None:
    """'Close your eyes' -> 'If it feels right, close your eyes'; 'Now breathe' -> 'Now, if it feels right, breathe'."""
    token = sentence.tokens[verb]
    if verb == 0:
        written = rewrite.token_text(lines, token)
        return rewrite.edited(lines, [(token, token, rewrite.capitalized(INVITE, written) + written[:1].lower()
                                       + written[1:])])
    before = sentence.tokens[verb - 1]
    if before.word in (",", ";"):
        return rewrite.insertion(token.line, token.col, INVITE)
    return rewrite.insertion(before.line, before.end, ", " + INVITE.rstrip())


# ---------------------------------------------------------------- 2. the eyes


def eyes_closed(reading: Reading) -> Iterator[Finding]:
    """The eyes asked to close with no eyes-open choice in the sentence, the one before or the two after."""
    sentences = reading.sentences
    for index, sentence in enumerate(sentences):
        closing = _closing(sentence)
        if closing < 0:
            continue
        nearby = [s for s in sentences[max(index - 1, 0):index + 3] if s.section == sentence.section]
        if not any(_open_choice(other) for other in nearby):
            lines = reading.source.lines
            yield _finding(lines, sentence, sentence.tokens[closing], rewrite.after(sentence, GAZE_CHOICE),
                           "the eyes are asked to close with no choice of keeping them open; for some listeners "
                           "closed eyes feel unsafe", GAZE_CHOICE)


def _closing(sentence: Sentence) -> int:
    """The index where the eyes are asked to close ('close your eyes', 'eyes closed', 'eyelids ... close'), or -1."""
    if not (sentence.bag & w.EYES and sentence.bag & w.CLOSE):
        return -1
    for index, token in enumerate(sentence.tokens):
        if token.word in w.EYES and sentence.near(index, w.CLOSE, 3, 5) >= 0:
            return min(index, sentence.near(index, w.CLOSE, 3, 5))
    return -1


def _open_choice(sentence: Sentence) -> bool:
    """Whether a sentence offers open eyes: a gaze, eyes left open by choice, looking down."""
    bag = sentence.bag
    if bag & w.GAZE:
        return True
    if "open" in bag and bag & w.OPEN_CHOICE:
        return True
    looking = sentence.seek(frozenset({"look", "rest"}), w.LOOK_DOWN, gap=4)[0]
    lowered = sentence.seek(frozenset({"lower"}), w.EYES | frozenset({"gaze"}), gap=2)[0]
    return looking >= 0 or lowered >= 0


# ---------------------------------------------------------------- 3. anchors


def breath_only(reading: Reading) -> Iterator[Finding]:
    """The breath offered as the only place to rest attention: no sounds, feet, hands, seat or room anywhere."""
    breathing = [s for s in reading.sentences if s.bag & w.BREATH]
    if not breathing or any(_anchored(s) for s in reading.sentences):
        return
    first = breathing[0]
    index = first.find(w.BREATH)
    lines = reading.source.lines
    yield _finding(lines, first, first.tokens[index], rewrite.after(first, OTHER_ANCHOR),
                   "the breath is the only anchor this practice offers; for some listeners the breath is where "
                   "panic starts", OTHER_ANCHOR)


def _anchored(sentence: Sentence) -> bool:
    """Whether a sentence offers an anchor besides the breath: not the way back at the end, nor where the eyes
    rest."""
    return bool(sentence.bag & w.ANCHORS) and not sentence.bag & (w.RETURNING | w.EYES | w.GAZE)


# ---------------------------------------------------------------- 4. content notes


def content_note(reading: Reading) -> Iterator[Finding]:
    """A harrowing subject (abuse, violence, death, self-harm ...) with no `content-note:` in the front matter."""
    if reading.script.meta.content_note.strip():
        return
    found = [(sentence, index, subject) for sentence in reading.sentences for index, subject in _harrowing(sentence)]
    if not found:
        return
    sentence, index, _ = found[0]
    subjects = list(dict.fromkeys(subject for _, _, subject in found))
    named = " and ".join(filter(None, [", ".join(subjects[:-1]), subjects[-1]]))
    note = f"content-note: this practice speaks of {named}"
    where = sentence.tokens[index]
    yield Finding(where.line, where.col, f"this practice speaks of {named} but has no content note; a listener may "
                  "need to know before choosing it", f"add `{note}` to the front matter",
                  _front_matter_line(reading, note))


def _harrowing(sentence: Sentence) -> Iterator[tuple[int, str]]:
    """Each harrowing subject a sentence speaks of, with where."""
    if not sentence.bag & (w.HARROWING | w.HARROWING_PHRASES):
        return
    for index, token in enumerate(sentence.tokens):
        subject = _subject(sentence, index)
        if subject:
            yield index, subject


def _subject(sentence: Sentence, index: int) -> str | None:
    """The harrowing subject the word at ``index`` speaks of, if any."""
    token = sentence.tokens[index]
    if token.lemma in w.SELF_HARM_VERBS and sentence.has(index + 1, w.REFLEXIVE):
        return "self-harm"
    for verb, objects in w.SUICIDE_PHRASES:
        if (token.word in verb or token.lemma in verb) and sentence.near(index, objects, 0, 2) > index:
            return "suicide"
    if token.word in ("passed", "pass") and sentence.has(index + 1, frozenset({"away"})):
        return "death"
    for subject, lemmas in w.SUBJECTS_OF.items():
        if token.word in lemmas or token.lemma in lemmas:
            return _unless_harmless(sentence, index, subject)
    return None


def _unless_harmless(sentence: Sentence, index: int, subject: str) -> str | None:
    """``subject``, unless the word means something harmless here: the sound dies away, a heart beating."""
    token = sentence.tokens[index]
    if token.lemma == "die" and sentence.has(index + 1, w.NOT_DYING):
        return None
    if subject == "violence" and sentence.near(index, w.NOT_VIOLENT, 3, 0) >= 0:
        return None
    if subject == "assault" and sentence.has(index - 1, frozenset({"sexual", "sexually"})):
        return "sexual assault"
    return subject


def _front_matter_line(reading: Reading, line: str) -> Fix:
    """A fix adding ``line`` to the front matter, or a front matter holding it."""
    lines = reading.source.lines
    if reading.source.body_start and lines[0].strip() == "---":
        return rewrite.insertion(reading.source.body_start, 1, line + "\n")
    return rewrite.insertion(1, 1, f"---\n{line}\n---\n")


# ---------------------------------------------------------------- 5. leaving the body


def dissociation(reading: Reading) -> Iterator[Finding]:
    """A prompt to leave or float out of the body, or to go far away and stay there."""
    for sentence in reading.sentences:
        where = _leaving(sentence)
        if where >= 0:
            lines = reading.source.lines
            yield _finding(lines, sentence, sentence.tokens[where], rewrite.whole(lines, sentence, GROUNDED),
                           "this invites leaving the body; for a listener who dissociates, it can be the way out of "
                           "the present, not into rest", GROUNDED)


_LEAVING = ((w.DRIFT, w.OUT, w.SELF), (w.LEAVE_BODY, w.BODY), (frozenset({"go"}), frozenset({"of"}), w.BODY),
            (w.WATCH, w.SELF, w.FAR), (frozenset({"look"}), frozenset({"down"}), w.SELF), (w.WITHOUT_BODY, w.BODY),
            (w.SELF, w.VANISH), (frozenset({"nothing"}), frozenset({"left"})),
            (frozenset({"longer"}), frozenset({"in"}), w.BODY), (frozenset({"outside"}), w.BODY))


def _leaving(sentence: Sentence) -> int:
    """Where a sentence invites leaving the body or going far away for good, or -1."""
    bag = sentence.bag
    if not bag & (w.SELF | w.FAR_AWAY | frozenset({"nothing"})):
        return -1
    for steps in _LEAVING:
        if not all(bag & step for step in steps):
            continue
        first, _ = sentence.seek(*steps, gap=3 if len(steps) > 2 else 2)
        if first >= 0:
            return first
    far = sentence.seek(w.GO_FAR, w.FAR_AWAY, gap=6)[0]
    staying = bag & w.STAY_AWAY or sentence.phrase(("not", "come", "back")) >= 0
    return far if far >= 0 and staying else -1


# ---------------------------------------------------------------- 6. silences


def silence_reminder(reading: Reading) -> Iterator[Finding]:
    """A silence of two minutes or more (as the options say) with no word in the three sentences before it about
    the way out."""
    for silence in reading.silences:
        if silence.seconds < reading.options.silence:
            continue
        marker = silence.marker
        before = reading.sentences[max(reading.before(marker.line, marker.col) - 3, 0):
                                   reading.before(marker.line, marker.col)]
        if any(_way_out(sentence) for sentence in before):
            continue
        yield Finding(marker.line, marker.col,
                      f"{format_duration(silence.seconds)} of silence with no word before it that the listener "
                      "may open their eyes, move or stop", f"try: \"{WAY_OUT}\"",
                      _before_marker(reading, marker.line, marker.col))


def _way_out(sentence: Sentence) -> bool:
    """Whether a sentence tells the listener they may come back, open their eyes, move or stop."""
    return bool(sentence.bag & w.EXITS and sentence.bag & w.PERMITS)


def _before_marker(reading: Reading, line: int, col: int) -> Fix:
    """A fix putting the reminder before the marker: a line of its own if the marker starts its line."""
    raw = reading.source.lines[line - 1]
    if raw[:col - 1].strip():
        return rewrite.insertion(line, col, WAY_OUT + " ")
    indent = raw[:col - 1]
    return rewrite.insertion(line, 1, f"{indent}{WAY_OUT}\n")


# ---------------------------------------------------------------- 7. promises


def promise(reading: Reading) -> Iterator[Finding]:
    """An outcome promised: 'you will feel ...', 'completely relaxed', 'every time', 'guaranteed'."""
    for sentence in reading.sentences:
        edits, where = _promised(reading.source.lines, sentence)
        if where < 0:
            continue
        lines = reading.source.lines
        fix = rewrite.edited(lines, edits) if edits else None
        yield _finding(lines, sentence, sentence.tokens[where], fix,
                       "this promises an outcome the listener may not have; when it does not come, they may feel "
                       "they failed", "This practice may help you feel a little calmer.")


def _promised(lines: tuple[str, ...], sentence: Sentence) -> tuple[list[rewrite.Edit], int]:
    """The edits that turn a promise into a possibility, and where the promise starts (-1 if none)."""
    edits: list[rewrite.Edit] = []
    starts = [_will(lines, sentence, edits), _absolute(sentence, edits), _always(sentence, edits),
              _guarantee(sentence, edits), _cure(sentence)]
    found = [start for start in starts if start >= 0]
    return edits, min(found) if found else -1


def _will(lines: tuple[str, ...], sentence: Sentence, edits: list[rewrite.Edit]) -> int:
    """'you will feel', 'you are going to', 'this will heal', 'your worries will disappear', 'will never'."""
    if "will" not in sentence.bag and "going" not in sentence.bag:
        return -1
    for index, token in enumerate(sentence.tokens):
        if token.word == "will":
            verb = index + 1 + (1 if sentence.has(index + 1, frozenset({"now", "soon", "then", "just"})) else 0)
            if _promising(sentence, index, verb):
                if not sentence.has(verb, frozenset({"never"})):
                    edits.append((token, token, _may(lines, token)))
                return index - 1 if sentence.has(index - 1, frozenset({"you"})) else index
        if token.word == "going" and sentence.has(index + 1, frozenset({"to"})) and \
                sentence.has(index - 1, frozenset({"are"})) and sentence.has(index + 2, w.PROMISE_VERBS):
            are = sentence.tokens[index - 1]
            edits.append((are, sentence.tokens[index + 1], _may(lines, are)))
            return index - 1
    return -1


def _promising(sentence: Sentence, will: int, verb: int) -> bool:
    """Whether 'will' at ``will`` (its verb at ``verb``) promises an outcome."""
    subject = sentence.tokens[will - 1].word if will > 0 else ""
    if sentence.has(verb, frozenset({"never"})):
        return True
    if subject == "you":
        return sentence.has(verb, w.PROMISE_VERBS) and not sentence.has(verb + 1, w.NOT_PROMISED) and \
            not sentence.has(verb, w.NOT_PROMISED)
    if sentence.near(will, w.THINGS_PROMISED, 3, 0) >= 0:
        return sentence.has(verb, w.CURES | w.OUTCOMES | frozenset({"make", "bring", "give", "take", "free"}))
    gone = sentence.has(verb, frozenset({"be"})) and sentence.has(verb + 1, w.GONE)
    return sentence.near(will, w.TROUBLES, 3, 0) >= 0 and (sentence.has(verb, w.FADING) or gone)


def _may(lines: tuple[str, ...], token: Token) -> str:
    """'may' in place of ``token`` ('will', or 'are' of 'are going to'); 'You may' in place of 'You'll'."""
    written = rewrite.token_text(lines, token)
    return "may" if written.lower() == token.word else re.split("['\u2019]", written)[0] + " may"


def _absolute(sentence: Sentence, edits: list[rewrite.Edit]) -> int:
    """'completely calm', 'totally relaxed', 'perfectly peaceful'."""
    if not sentence.bag & w.ABSOLUTES:
        return -1
    for index, token in enumerate(sentence.tokens):
        if token.word in w.ABSOLUTES and sentence.near(index, w.STATES, 2, 2) >= 0:
            edits.append((token, token, "a little more"))
            return index
    return -1


def _always(sentence: Sentence, edits: list[rewrite.Edit]) -> int:
    """'every time' or 'always' with an outcome and no hedge: 'this always works'."""
    if sentence.bag & w.HEDGES or not sentence.bag & w.OUTCOMES:
        return -1
    every = sentence.phrase(("every", "time"))
    if every >= 0:
        return every
    always = sentence.find(frozenset({"always"}))
    if always >= 0:
        edits.append((sentence.tokens[always], sentence.tokens[always], "often"))
    return always


def _guarantee(sentence: Sentence, edits: list[rewrite.Edit]) -> int:
    """'guaranteed', 'I promise you'; a trailing ', guaranteed' is dropped."""
    if not sentence.bag & w.GUARANTEES and "promise" not in sentence.bag:
        return -1
    index = sentence.find(w.GUARANTEES)
    if index >= 0:
        if sentence.has(index - 1, frozenset({","})):
            edits.append((sentence.tokens[index - 1], sentence.tokens[index], ""))
        return index
    index = sentence.find(frozenset({"promise"}))
    return index if index >= 0 and sentence.has(index + 1, frozenset({"you", "that"})) else -1


def _cure(sentence: Sentence) -> int:
    """'this heals anxiety', 'cures insomnia', unless hedged."""
    if sentence.bag & w.HEDGES or not sentence.bag & w.CURES:
        return -1
    first, _ = sentence.seek(w.CURES, w.TROUBLES, gap=4)
    return first


# ---------------------------------------------------------------- 8. endings


def ending(reading: Reading) -> Iterator[Finding]:
    """A practice whose last section (or last three sentences) never comes back to the room, the body or the eyes."""
    script = reading.script
    spoken = [index for index, section in enumerate(script.sections)
              if any(isinstance(cue, Speech) for cue in section.cues)]
    if not reading.sentences or _for_sleep(script) or reading.sentences[-1].section != spoken[-1]:
        return
    last = reading.sentences[-1].section
    closing = [s for s in reading.sentences if s.section == last] if script.sections[last].title else []
    closing = closing or list(reading.sentences[-3:])
    if any(s.bag & w.RETURN_CUES for s in closing):
        return
    final = reading.sentences[-1]
    lines = reading.source.lines
    yield _finding(lines, final, final.tokens[0], rewrite.after(final, COMING_BACK),
                   "the practice ends without coming back to the room, the body or the eyes", COMING_BACK)


def _for_sleep(script: Script) -> bool:
    """Whether a practice is meant to end in sleep (by its tags or title), so it need not come back."""
    named = " ".join((script.meta.title, *script.meta.tags)).casefold()
    return any(word in named for word in w.SLEEPY)


# ---------------------------------------------------------------- findings


def _finding(lines: tuple[str, ...], sentence: Sentence, where: Token, fix: Fix | None, message: str,
             example: str) -> Finding:
    """A finding at ``where``; its hint is the sentence as the fix would make it, or else ``example``."""
    hint = f"try: \"{rewrite.reads(lines, sentence, fix)}\"" if fix else f"try: \"{example}\""
    return Finding(where.line, where.col, message, hint, fix)


def _quoted(lines: tuple[str, ...], sentence: Sentence, first: int, last: int) -> str:
    """The words from ``first`` to ``last`` as written, in quotes."""
    start, end = sentence.tokens[first], sentence.tokens[last]
    if start.line == end.line:
        return f"'{lines[start.line - 1][start.col - 1:end.end - 1]}'"
    return "'" + " ".join(t.word for t in sentence.tokens[first:last + 1]) + "'"
