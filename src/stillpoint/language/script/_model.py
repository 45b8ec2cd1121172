"""The data a script is read into: a Script of Sections holding Speech and Marker cues, its Meta and Settings."""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_VOICE = "heart"  # the neural voice bundled with Stillpoint; see voice/catalogue.py
DEFAULT_RATE = 120
DEFAULT_BREATH = (8.0,)  # one length: in and out evenly; or the seconds of each phase (see sound/breath.py)
NO_CUE = "none"


@dataclass(frozen=True)
class Speech:
    """A sentence (or a piece of one between markers) to be spoken."""

    text: str
    line: int
    col: int
    paragraph_end: bool = False
    recording: Marker | None = None  # the [recorded FILE] ending its line: the line is played from FILE
    personal: bool = False  # a variable's value is part of its text


@dataclass(frozen=True)
class Marker:
    """A pause, breathing, soaking, bell, clip or recorded marker; ``seconds``/``count`` are None when left bare."""

    kind: str
    line: int
    col: int
    seconds: float | None = None
    count: int | None = None
    file: str = ""  # the sound file of a [clip] or [recorded] marker, as written (relative to the script's folder)


@dataclass(frozen=True)
class Settings:
    """Voice, rate, breath pattern and breath cue; None means 'inherit'."""

    voice: str | None = None
    rate: int | None = None
    breath: tuple[float, ...] | None = None
    breath_cue: str | None = None


@dataclass(frozen=True)
class Section:
    """A titled part of the practice (a chapter in the MP3) with its cues."""

    title: str
    line: int
    cues: tuple[Speech | Marker, ...]
    settings: Settings = Settings()


@dataclass(frozen=True)
class Meta:
    """The front matter of a practice."""

    title: str
    author: str = ""
    source: str = ""
    description: str = ""
    content_note: str = ""  # what a listener may want to know before choosing it: subjects that can be hard to hear
    tags: tuple[str, ...] = ()
    voice: str = DEFAULT_VOICE
    rate: int = DEFAULT_RATE
    breath: tuple[float, ...] = DEFAULT_BREATH
    breath_cue: str = NO_CUE
    length: float | None = None
    sleep: float | None = None  # `ending: sleep 10m`: seconds of ambience fading to silence after the last words
    year: int | None = None
    vars: dict[str, str] = field(default_factory=dict)
    pronounce: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Script:
    """A parsed practice: metadata, sections, and where each variable is first used."""

    path: str
    meta: Meta
    sections: tuple[Section, ...]
    variables: dict[str, tuple[int, int]] = field(default_factory=dict)
    settings_at: dict[str, int] = field(default_factory=dict)  # the line of each front-matter setting

    def speeches(self) -> list[Speech]:
        """Every spoken piece, in order."""
        return [cue for section in self.sections for cue in section.cues if isinstance(cue, Speech)]
