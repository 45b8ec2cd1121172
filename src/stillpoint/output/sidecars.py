"""Lyrics and captions files beside an exported track: LRC for music players, WebVTT for video and web players."""

from __future__ import annotations

from pathlib import Path

from stillpoint.language.timeline import SPEECH, Timeline
from stillpoint.output import files
from stillpoint.sound import breath

KINDS = ("lrc", "vtt")


def paths(audio: Path, kinds: tuple[str, ...]) -> list[Path]:
    """Where the sidecars of ``kinds`` go for the track ``audio``: same name, their own extension."""
    return [audio.with_suffix(f".{kind}") for kind in kinds]


def write(audio: Path, kinds: tuple[str, ...], timeline: Timeline, artist: str, album: str) -> list[Path]:
    """Write each sidecar of ``kinds`` beside ``audio`` in one step, replacing any earlier one."""
    return [
        files.write_text(path, lrc(timeline, artist, album) if kind == "lrc" else vtt(timeline), force=True)
        for kind, path in zip(kinds, paths(audio, kinds))
    ]


def lrc(timeline: Timeline, artist: str = "", album: str = "") -> str:
    """Every spoken line and breath cue at the moment it starts, in LRC: '[mm:ss.xx]text'."""
    minutes, seconds = divmod(round(timeline.total), 60)
    header = [("ti", timeline.title), ("ar", artist), ("al", album), ("length", f"{minutes:02d}:{seconds:02d}")]
    lines = [f"[{key}:{value}]" for key, value in header if value]
    lines += [f"[{_lrc_time(start)}]{text}" for start, _end, text in captions(timeline)]
    return "\n".join(lines) + "\n"


def vtt(timeline: Timeline) -> str:
    """Every spoken line as a WebVTT cue lasting as long as it is spoken, and every phase of a breath as long as
    it lasts."""
    return vtt_cues(captions(timeline))


def vtt_cues(cues: list[tuple[float, float, str]]) -> str:
    """WebVTT captions of (start, end, text) cues, numbered in order."""
    blocks = [f"{number}\n{_vtt_time(start)} --> {_vtt_time(end)}\n{_vtt_text(text)}"
              for number, (start, end, text) in enumerate(cues, start=1)]
    return "\n\n".join(["WEBVTT", *blocks]) + "\n"


def captions(timeline: Timeline) -> list[tuple[float, float, str]]:
    """(start, end, text) of every spoken line and of every phase of a breath (breathe in…, hold…), in order."""
    found = []
    for event in timeline.events:
        if event.kind == SPEECH:
            found.append((event.start, event.end, event.text))
        found += [(start, start + duration, breath.WORDS[kind]) for kind, start, duration in breath.timed(event)]
    return found


def _lrc_time(seconds: float) -> str:
    """'mm:ss.xx' (minutes may pass 59, as LRC allows)."""
    centis = round(seconds * 100)
    minutes, centis = divmod(centis, 6000)
    return f"{minutes:02d}:{centis // 100:02d}.{centis % 100:02d}"


def _vtt_time(seconds: float) -> str:
    """'hh:mm:ss.ttt'."""
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    return f"{hours:02d}:{minutes:02d}:{millis // 1000:02d}.{millis % 1000:03d}"


def _vtt_text(text: str) -> str:
    """Cue text with the characters WebVTT reads as markup escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
