"""What the studio's routes work with: the practices, the voice, the exports, and a folder for the parts heard."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

from stillpoint.app.workspace import Workspace
from stillpoint.studio.jobs import Jobs, Speaker

AUDIO_KEPT = 12  # parts heard, kept on disk for the audio element to seek in; older ones are removed


@dataclass
class Studio:
    """The state of a running studio, shared by every request (as ``request.app.state.studio``)."""

    workspace: Workspace
    speaker: Speaker
    jobs: Jobs
    scratch: Path

    def __post_init__(self) -> None:
        self.audio = self.scratch / "audio"
        self.audio.mkdir(exist_ok=True)
        self._parts = itertools.count(1)

    def next_part(self) -> Path:
        """A new file for a part to be heard; the oldest ones beyond AUDIO_KEPT are removed."""
        for old in sorted(self.audio.glob("part-*.wav"), key=lambda p: int(p.stem[5:]))[:-AUDIO_KEPT]:
            old.unlink(missing_ok=True)
        return self.audio / f"part-{next(self._parts)}.wav"
