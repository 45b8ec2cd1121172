"""Script -> SSML: what a script says, its silences as <break>s, its markers and headings as <mark>s."""

from __future__ import annotations

import json
import re
from xml.sax.saxutils import escape, quoteattr

from stillpoint.errors import Diagnostic
from stillpoint.language.convert._notes import Conversion, note
from stillpoint.language.script import (NO_CUE, SCALAR_KEYS, Marker, Meta, Script, Section, Settings, Speech,
                                        format_breath, format_duration)
from stillpoint.language.timeline import (BELL, BELL_SECONDS, BREATHE, CLIP, Pronunciations, marker_seconds,
                                          section_settings)

SSML_NORMAL_RATE = 160  # words per minute taken as a cloud voice's 100% rate
MAX_BREAK_MS = 10_000  # cloud voices cap one <break> at 10 s, so longer silences are written as several
SSML_NAMESPACE = "http://www.w3.org/2001/10/synthesis"
META_PREFIX = "stillpoint"
LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(-[a-z0-9]{1,8})*", re.IGNORECASE)


def script_to_ssml(script: Script) -> Conversion:
    """An SSML document saying what ``script`` says, with its silences as <break>s and its markers as <mark>s."""
    meta = script.meta
    lang = meta.voice if LANGUAGE_TAG.fullmatch(meta.voice) else "en"
    spoken = (cue.text for section in script.sections for cue in section.cues if isinstance(cue, Speech))
    pronounce = Pronunciations.compile(meta.pronounce, spoken)
    body = [line for section in script.sections for line in _section_ssml(script, section, pronounce)]
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<speak version=\"1.1\" xmlns=\"{SSML_NAMESPACE}\" xml:lang={quoteattr(lang)}>",
        f"  <!-- {META_PREFIX} {_meta_json(meta)} -->",
        *("  " + line for line in body),
        "</speak>",
    ]
    return Conversion("\n".join(lines) + "\n", tuple(_ssml_notes(script)))


def _meta_json(meta: Meta) -> str:
    """The front matter as JSON that can sit inside an XML comment (which may not contain '--')."""
    fields = {key: _front_value(meta, key) for key in SCALAR_KEYS} | {
        "tags": list(meta.tags), "pronounce": meta.pronounce, "breath": format_breath(meta.breath),
        "breath-cue": "" if meta.breath_cue == NO_CUE else meta.breath_cue}
    kept = {key: value for key, value in fields.items() if value not in ("", [], {}, None)}
    return json.dumps(kept, ensure_ascii=False).replace("--", "-\\u002d")


def _front_value(meta: Meta, key: str) -> object:
    """The value of the front matter's ``key`` in ``meta``; a sleep ending as the script writes it."""
    if key == "ending":
        return None if meta.sleep is None else f"sleep {format_duration(meta.sleep)}"
    return getattr(meta, key.replace("-", "_"))


def _percent(rate: float) -> str:
    return f"{rate * 100 / SSML_NORMAL_RATE:g}%"


def _section_ssml(script: Script, section: Section, pronounce: Pronunciations) -> list[str]:
    """A section: its heading as a <mark>, then its cues in a <prosody> (not nested: rates are not relative)."""
    resolved = section_settings(script, section)
    opening = [f"<mark name={quoteattr(_heading(section.title, section.settings))}/>"] if section.title else []
    opening.append(f"<prosody rate=\"{_percent(resolved.rate)}\">")
    closing = ["</prosody>"]
    if section.settings.voice:
        opening.append(f"<voice name={quoteattr(section.settings.voice)}>")
        closing.insert(0, "</voice>")
    depth = "  " * len(closing)
    cues = _cue_ssml(section.cues, pronounce, resolved.breath)
    return opening + [depth + line for line in cues] + closing


def _heading(title: str, settings: Settings) -> str:
    """A section heading as written in a script, settings included."""
    parts = [f"voice: {settings.voice}" if settings.voice else "", f"rate: {settings.rate}" if settings.rate else "",
             f"breath: {format_breath(settings.breath)}" if settings.breath else "",
             f"breath-cue: {settings.breath_cue}" if settings.breath_cue else ""]
    block = ", ".join(filter(None, parts))
    return f"# {title} {{{block}}}" if block else f"# {title}"


def _cue_ssml(cues: tuple[Speech | Marker, ...], pronounce: Pronunciations, breath: tuple[float, ...]) -> list[str]:
    lines: list[str] = []
    in_paragraph = False
    for cue in cues:
        if isinstance(cue, Speech) and not in_paragraph:
            lines.append("<p>")
            in_paragraph = True
        indent = "  " if in_paragraph else ""
        if isinstance(cue, Speech):
            recorded = f"<mark name={quoteattr(marker_text(cue.recording))}/>" if cue.recording else ""
            lines.append(f"{indent}<s>{_spoken(cue.text, pronounce)}{recorded}</s>")
        else:
            lines.append(indent + _marker_ssml(cue, breath))
        if isinstance(cue, Speech) and cue.paragraph_end:
            lines.append("</p>")
            in_paragraph = False
    return lines + (["</p>"] if in_paragraph else [])


def _spoken(text: str, pronounce: Pronunciations) -> str:
    """Escaped text, with each word of the pronunciation table as <sub alias="how it sounds">."""
    pieces = pronounce.pattern.split(text) if pronounce.pattern else [text]
    return "".join(
        escape(piece) if index % 2 == 0 else f"<sub alias={quoteattr(pronounce.sound(piece))}>{escape(piece)}</sub>"
        for index, piece in enumerate(pieces)
    )


def _marker_ssml(marker: Marker, breath: tuple[float, ...]) -> str:
    """A <mark> naming the marker, then its silence as <break>s of at most 10 s each; a [clip] as <audio src>."""
    if marker.kind == CLIP:
        return f"<audio src={quoteattr(marker.file)}/>"
    millis = round(marker_seconds(marker, breath) * 1000)
    chunks = [MAX_BREAK_MS] * (millis // MAX_BREAK_MS) + ([millis % MAX_BREAK_MS] if millis % MAX_BREAK_MS else [])
    breaks = "".join(f"<break time=\"{_ssml_time(chunk)}\"/>" for chunk in chunks)
    return f"<mark name={quoteattr(marker_text(marker))}/>{breaks}"


def marker_text(marker: Marker) -> str:
    """A marker as it is written in a script: [pause], [pause 8s], [breathe 3], [soak 45s], [bell], [clip FILE]."""
    if marker.file:
        return f"[{marker.kind} {marker.file}]"
    if marker.kind == BELL:
        return "[bell]"
    if marker.kind == BREATHE:
        return "[breathe]" if (marker.count or 1) == 1 else f"[breathe {marker.count}]"
    return f"[{marker.kind} {format_duration(marker.seconds)}]" if marker.seconds else f"[{marker.kind}]"


def _ssml_time(millis: int) -> str:
    return f"{millis // 1000}s" if millis % 1000 == 0 else f"{millis}ms"


def _ssml_notes(script: Script) -> list[Diagnostic]:
    notes = []
    bells = [cue for s in script.sections for cue in s.cues if isinstance(cue, Marker) and cue.kind == BELL]
    if bells:
        notes.append(note(script.path, bells[0].line, bells[0].col,
                           f"[bell] ({len(bells)} in all) is written as <mark name=\"[bell]\"/> and "
                           f"{format_duration(BELL_SECONDS)} of silence; a cloud voice will not ring it"))
    if script.meta.length:
        notes.append(note(script.path, 0, 0, f"length: {format_duration(script.meta.length)} is kept in a comment; "
                                              "the <break>s keep the script's own lengths"))
    return notes
