"""The worker's side of the pool: a worker process holds its engine and what answers requests, nothing else of ours."""

from __future__ import annotations

from stillpoint.voice import Synthesizer

from . import modules_engine

MODULES = f"{modules_engine.__name__}:ModulesEngine"
# What a worker needs: the engine contract, the message format, loudness (and the package folders holding them).
WORKER_SIDE = {"stillpoint", "stillpoint.audio", "stillpoint.errors", "stillpoint.sound", "stillpoint.sound.loudness",
               "stillpoint.voice", "stillpoint.voice.engine", "stillpoint.voice.protocol", "stillpoint.voice.worker",
               "stillpoint.voice.fake"}  # the engine the probe is built on


def test_a_worker_imports_only_the_worker_side_and_its_engine(start):
    with Synthesizer(MODULES, workers=1) as synth:
        loaded = {voice.id for voice in synth.voices()}
    assert loaded == WORKER_SIDE  # never the script language, the timeline, the cache, the catalogue or the pool
