"""Speech: the engine contract, the clip cache and the worker pool; the engines are in espeak.py and fake.py.

The engines are not imported here: a worker loads the one it is asked for, so nothing else pays for it.
"""

from stillpoint.voice.cache import CacheInfo, ClipCache, cache_key, default_folder
from stillpoint.voice.engine import Engine, VoiceInfo, resolve_voice
from stillpoint.voice.pool import DEFAULT_ENGINE, Synthesizer, SynthProgress

__all__ = [
    "DEFAULT_ENGINE",
    "CacheInfo",
    "ClipCache",
    "Engine",
    "SynthProgress",
    "Synthesizer",
    "VoiceInfo",
    "cache_key",
    "default_folder",
    "resolve_voice",
]
