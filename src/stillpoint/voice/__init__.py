"""Speech: the engine contract, the espeak-ng and fake engines, the clip cache and the worker pool."""

from stillpoint.voice.cache import CacheInfo, ClipCache, cache_key
from stillpoint.voice.engine import Engine, VoiceInfo, resolve_voice
from stillpoint.voice.espeak import EspeakEngine
from stillpoint.voice.fake import FakeEngine
from stillpoint.voice.pool import DEFAULT_ENGINE, Synthesizer, SynthProgress

__all__ = [
    "DEFAULT_ENGINE",
    "CacheInfo",
    "ClipCache",
    "Engine",
    "EspeakEngine",
    "FakeEngine",
    "SynthProgress",
    "Synthesizer",
    "VoiceInfo",
    "cache_key",
    "resolve_voice",
]
