"""Speech: the voice catalogue, the engine contract, the clip cache and the worker pool.

The engines (espeak.py, fake.py and the neural ones) are not imported here: a worker loads the one it is asked
for, so nothing else pays for it.
"""

from stillpoint.voice.cache import CacheInfo, ClipCache, cache_key, default_folder
from stillpoint.voice.catalogue import Voice
from stillpoint.voice.engine import Engine, VoiceInfo, resolve_voice
from stillpoint.voice.pool import Synthesizer, SynthProgress

__all__ = [
    "CacheInfo",
    "ClipCache",
    "Engine",
    "SynthProgress",
    "Synthesizer",
    "Voice",
    "VoiceInfo",
    "cache_key",
    "default_folder",
    "resolve_voice",
]
