"""Sound out of the speakers: one ALSA playback stream, held open for a whole session, through libasound.

simpleaudio's ``play_buffer`` opens the device, plays one buffer, drains and closes it: every chunk would
restart the device, leaving a gap (and a click, in speech, bells or ambience) at each chunk boundary.
One stream open for the whole session takes chunk after chunk without a seam, says how much is still
queued (so the screen shows what is being heard), and can be silenced at once.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
from functools import lru_cache

from stillpoint.audio import CHANNELS, SAMPLE_RATE, SAMPLE_WIDTH
from stillpoint.errors import PlaybackError

LATENCY_US = 300_000  # device buffer: keys are answered within this, and the player may stall this long
PLAYBACK, NONBLOCK = 0, 1
FORMAT_S16_LE, ACCESS_RW_INTERLEAVED = 2, 3
EXPORT_HINT = "use `stillpoint export` to make an MP3 instead"

_Handle = ctypes.c_void_p
_ErrorHandler = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p)
# libasound prints its own messages on stderr; the player reports problems itself, in one line.
_QUIET = _ErrorHandler(lambda *_args: None)


@lru_cache(maxsize=1)
def library() -> ctypes.CDLL:
    """libasound, its functions typed, with its own error printing turned off."""
    try:
        lib = ctypes.CDLL(ctypes.util.find_library("asound") or "libasound.so.2")
    except OSError:
        raise PlaybackError(
            "cannot load the ALSA sound library (libasound.so.2)",
            hint=f"install it with `sudo apt install libasound2`, or {EXPORT_HINT}",
        ) from None
    _declare(lib)
    lib.snd_lib_error_set_handler(_QUIET)
    return lib


def _declare(lib: ctypes.CDLL) -> None:
    """Argument and result types of the functions used, so ctypes passes them correctly."""
    lib.snd_pcm_open.argtypes = [ctypes.POINTER(_Handle), ctypes.c_char_p, ctypes.c_int, ctypes.c_int]
    lib.snd_pcm_set_params.argtypes = [_Handle, ctypes.c_int, ctypes.c_int, ctypes.c_uint, ctypes.c_uint,
                                       ctypes.c_int, ctypes.c_uint]
    lib.snd_pcm_writei.argtypes = [_Handle, ctypes.c_char_p, ctypes.c_ulong]
    lib.snd_pcm_writei.restype = ctypes.c_long
    lib.snd_pcm_recover.argtypes = [_Handle, ctypes.c_int, ctypes.c_int]
    lib.snd_pcm_delay.argtypes = [_Handle, ctypes.POINTER(ctypes.c_long)]
    lib.snd_pcm_nonblock.argtypes = [_Handle, ctypes.c_int]
    for name in ("snd_pcm_drain", "snd_pcm_drop", "snd_pcm_prepare", "snd_pcm_close"):
        getattr(lib, name).argtypes = [_Handle]
    lib.snd_strerror.argtypes = [ctypes.c_int]
    lib.snd_strerror.restype = ctypes.c_char_p
    lib.snd_lib_error_set_handler.argtypes = [_ErrorHandler]


def _reason(lib: ctypes.CDLL, status: int) -> str:
    return (lib.snd_strerror(status) or b"unknown error").decode("utf-8", "replace")


class AlsaSink:
    """A playback stream of internal-format PCM on an ALSA device, open until closed."""

    def __init__(self, device: str = "default"):
        self._lib = library()
        self._pcm: _Handle | None = _Handle()
        self.underruns = 0
        status = self._lib.snd_pcm_open(ctypes.byref(self._pcm), device.encode(), PLAYBACK, NONBLOCK)
        if status < 0:
            self._pcm = None
            raise _open_error(self._lib, status)
        # Opened without blocking, so a busy device fails at once instead of waiting; writes do block.
        self._lib.snd_pcm_nonblock(self._pcm, 0)
        status = self._lib.snd_pcm_set_params(self._pcm, FORMAT_S16_LE, ACCESS_RW_INTERLEAVED, CHANNELS, SAMPLE_RATE,
                                              1, LATENCY_US)
        if status < 0:
            self.close()
            raise PlaybackError(f"the audio device cannot play {SAMPLE_RATE} Hz 16-bit sound: "
                                f"{_reason(self._lib, status)}", hint=EXPORT_HINT)

    def __enter__(self) -> AlsaSink:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def write(self, pcm: bytes) -> None:
        """Queue ``pcm`` to be heard; blocks while the device's buffer is full."""
        total, done = len(pcm) // SAMPLE_WIDTH, 0
        while done < total:
            written = self._lib.snd_pcm_writei(self._pcm, pcm[done * SAMPLE_WIDTH:], total - done)
            if written < 0:
                self._recover(written)
            else:
                done += written

    def _recover(self, status: int) -> None:
        """Carry on after an underrun or an interrupted write; PlaybackError if the device is gone."""
        self.underruns += status == -errno.EPIPE
        status = self._lib.snd_pcm_recover(self._pcm, status, 1)
        if status < 0:
            raise PlaybackError(f"the audio device stopped working: {_reason(self._lib, status)}", hint=EXPORT_HINT)

    def queued(self) -> int:
        """Samples written but not heard yet."""
        frames = ctypes.c_long()
        return max(0, frames.value) if self._lib.snd_pcm_delay(self._pcm, ctypes.byref(frames)) == 0 else 0

    def finish(self) -> None:
        """Let everything queued be heard, then stand ready for more."""
        self._lib.snd_pcm_drain(self._pcm)
        self._lib.snd_pcm_prepare(self._pcm)

    def close(self) -> None:
        """Stop at once, discarding anything not heard yet, and release the device."""
        if self._pcm:
            self._lib.snd_pcm_drop(self._pcm)
            self._lib.snd_pcm_close(self._pcm)
            self._pcm = None


def _open_error(lib: ctypes.CDLL, status: int) -> PlaybackError:
    """The one-line error for a device that cannot be opened."""
    if status == -errno.EBUSY:
        return PlaybackError("the audio device is in use by another program",
                             hint=f"close that program and try again, or {EXPORT_HINT}")
    return PlaybackError(f"no audio device found (ALSA: {_reason(lib, status)})", hint=EXPORT_HINT)
