"""Speech: the voice catalogue, the engine contract, the clip cache, and the synthesizer with its worker pool.

The names below are loaded when first used: a voice worker imports only its own side (worker.py and its engine),
never the synthesizer, the cache or the script language it would bring. The engines (espeak.py, fake.py and the
neural ones) are not imported here either: a worker loads the one it is asked for, so nothing else pays for it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stillpoint.voice.cache import CacheInfo, ClipCache, cache_key, default_folder
    from stillpoint.voice.catalogue import Voice
    from stillpoint.voice.engine import Engine, VoiceInfo, resolve_voice
    from stillpoint.voice.protocol import Level
    from stillpoint.voice.synthesizer import Synthesizer, SynthProgress

_HOMES = {
    "CacheInfo": "cache",
    "ClipCache": "cache",
    "cache_key": "cache",
    "default_folder": "cache",
    "Voice": "catalogue",
    "Engine": "engine",
    "VoiceInfo": "engine",
    "resolve_voice": "engine",
    "Level": "protocol",
    "Synthesizer": "synthesizer",
    "SynthProgress": "synthesizer",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    """One of the names above, from the module that defines it."""
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
