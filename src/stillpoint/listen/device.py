"""Sound out of the speakers: one playback stream, held open for a whole session, through PortAudio (sounddevice).

The stream takes chunk after chunk without a seam, says how much is still queued (so the screen shows what is being
heard), and can be silenced at once. sounddevice ships wheels for Linux, macOS and Windows; on Linux it needs only
the runtime package libportaudio2 (no compiler, no headers), and reaches the sound card through ALSA.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from types import ModuleType

from stillpoint.audio import CHANNELS, SAMPLE_RATE
from stillpoint.errors import PlaybackError

LATENCY = 0.3  # seconds of sound queued in the device: keys are answered within this, and the player may stall this long
EXPORT_HINT = "use `stillpoint export` to make an MP3 instead"
# PortAudio's error codes (portaudio.h) for the failures a listener can do something about.
DEVICE_UNAVAILABLE, INVALID_SAMPLE_RATE, SAMPLE_FORMAT_NOT_SUPPORTED = -9985, -9997, -9994


def binding() -> ModuleType:
    """The sounddevice module, with PortAudio loaded; PlaybackError if the PortAudio library is missing."""
    try:
        with _quiet_stderr():
            import sounddevice
    except OSError:  # sounddevice is installed, but its PortAudio library cannot be found or loaded
        raise PlaybackError("cannot load the PortAudio sound library",
                            hint=f"install it with `sudo apt install libportaudio2`, or {EXPORT_HINT}") from None
    return sounddevice


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """File descriptor 2 pointed at the null device for a while.

    ALSA and PortAudio print their own lines there ("ALSA lib pcm.c:…") while they look for devices, and cannot
    be told not to; the player reports a problem itself, in one line.
    """
    sys.stderr.flush()
    saved, null = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


class DeviceSink:
    """A playback stream of internal-format PCM on the default sound device, open until closed."""

    def __init__(self) -> None:
        self._sd = binding()
        self._stream = _open(self._sd)
        self._size = self._stream.write_available  # nothing is queued yet: all of the buffer is free
        self.underruns = 0

    def __enter__(self) -> DeviceSink:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def write(self, pcm: bytes) -> None:
        """Queue ``pcm`` to be heard; waits while the device's buffer is full."""
        try:
            if self._stream.stopped:
                self._stream.start()
            if self._stream.write(pcm):  # it ran dry before this write: a gap was heard
                self.underruns += 1
        except self._sd.PortAudioError as err:
            raise _stopped(err) from None

    def queued(self) -> int:
        """Samples written but not heard yet (0 when the device cannot say)."""
        if self._stream.stopped:
            return 0
        with contextlib.suppress(self._sd.PortAudioError):
            return max(0, self._size - self._stream.write_available)
        return 0

    def finish(self) -> None:
        """Let everything queued be heard, then stand ready for more (the next write restarts the stream)."""
        try:
            self._stream.stop()  # which returns once what was written has been played
        except self._sd.PortAudioError as err:
            raise _stopped(err) from None

    def close(self) -> None:
        """Stop at once, discarding anything not heard yet, and release the device."""
        if self._stream is not None:
            stream, self._stream = self._stream, None
            with contextlib.suppress(self._sd.PortAudioError):
                stream.abort()
            stream.close()


def _open(sd: ModuleType):
    """The default output device opened for mono 16-bit sound at SAMPLE_RATE, with about LATENCY queued at most."""
    try:
        with _quiet_stderr():
            return sd.RawOutputStream(samplerate=SAMPLE_RATE, channels=CHANNELS, dtype="int16", latency=LATENCY)
    except sd.PortAudioError as err:
        raise _open_error(err) from None


def _code(err: Exception) -> int | None:
    """PortAudio's error code in a PortAudioError, if it carries one."""
    return next((arg for arg in err.args[1:] if isinstance(arg, int)), None)


def _reason(err: Exception) -> str:
    """PortAudio's reason in a PortAudioError, without the code sounddevice appends."""
    return str(err.args[0]).split(" [PaErrorCode", 1)[0] if err.args else str(err)


def _open_error(err: Exception) -> PlaybackError:
    """The one-line error for a device that cannot be opened."""
    code = _code(err)
    if code == DEVICE_UNAVAILABLE:
        return PlaybackError("the audio device is in use by another program",
                             hint=f"close that program and try again, or {EXPORT_HINT}")
    if code in (INVALID_SAMPLE_RATE, SAMPLE_FORMAT_NOT_SUPPORTED):
        return PlaybackError(f"the audio device cannot play {SAMPLE_RATE} Hz 16-bit sound: {_reason(err)}",
                             hint=EXPORT_HINT)
    if code is None:  # sounddevice found no default output device to ask PortAudio for
        return PlaybackError("no audio device found", hint=EXPORT_HINT)
    return PlaybackError(f"no audio device found (PortAudio: {_reason(err)})", hint=EXPORT_HINT)


def _stopped(err: Exception) -> PlaybackError:
    """The one-line error for a device that fails while playing."""
    return PlaybackError(f"the audio device stopped working: {_reason(err)}", hint=EXPORT_HINT)
