"""An engine that answers which of Stillpoint's modules its worker process has loaded; it imports nothing more."""

from __future__ import annotations

import sys

from stillpoint.voice.engine import VoiceInfo
from stillpoint.voice.fake import FakeEngine


class ModulesEngine(FakeEngine):
    """An engine whose voices are the names of Stillpoint's modules loaded in its process."""

    def voices(self) -> list[VoiceInfo]:
        """One voice per module of ours that this process has imported."""
        return [VoiceInfo(name, name) for name in sorted(sys.modules) if name.split(".")[0] == "stillpoint"]
