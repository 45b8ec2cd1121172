"""The pipeline a user would build instead of Stillpoint, with the same neural voice: `python -m benchmarks.peer
SEGMENTS.json OUT.mp3`.

SEGMENTS.json is a list of `{"text": ..., "speed": ...}` (a line to speak) and `{"silence": seconds}` items, in
order (the benchmark writes it from `stillpoint plan --json`, so both speak the same lines at the same speed).
hibari speaks each line in turn, pydub appends every clip and silence to the track, and pydub has ffmpeg write
the MP3 at the bit rate Stillpoint exports with. Nothing is heard or written until everything is synthesized.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

BITRATE = "64k"


def speak(segments: list[dict], out: Path) -> None:
    """Synthesize ``segments`` one after another into one MP3 at ``out``."""
    import numpy as np
    from hibari import Hibari
    from pydub import AudioSegment

    tts = Hibari()
    track = AudioSegment.empty()
    for segment in segments:
        if "silence" in segment:
            track += AudioSegment.silent(duration=segment["silence"] * 1000, frame_rate=tts.sample_rate)
            continue
        audio = tts(segment["text"], speed=segment["speed"], seed=0)
        pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2").tobytes()
        track += AudioSegment(data=pcm, sample_width=2, frame_rate=tts.sample_rate, channels=1)
    track.export(str(out), format="mp3", bitrate=BITRATE)


def main(argv: list[str]) -> int:
    """Read the segments, write the MP3."""
    segments_file, out = argv
    speak(json.loads(Path(segments_file).read_text(encoding="utf-8")), Path(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
