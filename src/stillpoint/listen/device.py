"""Sound out of the speakers: one ALSA playback stream, held open for a whole session, through pyalsaaudio.

simpleaudio opens the device, plays, drains and closes it for every buffer, so a stream of chunks would
gap (and click) at each boundary, and through ALSA's file plugin each open would truncate the capture.
pyalsaaudio keeps one stream open: it takes chunk after chunk without a seam, says how much is still
queued (so the screen shows what is being heard), and can be silenced at once.
"""

from __future__ import annotations

import contextlib
import errno
import os
import select
import sys
from collections.abc import Iterator
from types import ModuleType

from stillpoint.audio import CHANNELS, SAMPLE_RATE, SAMPLE_WIDTH
from stillpoint.errors import PlaybackError

LATENCY_US = 300_000  # device buffer: keys are answered within this, and the player may stall this long
PERIODS = 4  # the device wakes a waiting writer this many times per buffer
WAIT_MS = LATENCY_US // 1000 // PERIODS  # longest wait (a period) before asking the device again
EXPORT_HINT = "use `stillpoint export` to make an MP3 instead"


def binding() -> ModuleType:
    """The alsaaudio module of pyalsaaudio; PlaybackError if it or libasound is missing."""
    try:
        import alsaaudio
    except ModuleNotFoundError:
        raise PlaybackError("cannot play sound: the pyalsaaudio package is not installed",
                            hint="install it with `make run` (or pip install 'stillpoint[play]'), "
                                 f"or {EXPORT_HINT}") from None
    except ImportError:  # installed, but its libasound.so.2 cannot be loaded
        raise PlaybackError("cannot load the ALSA sound library (libasound.so.2)",
                            hint=f"install it with `sudo apt install libasound2`, or {EXPORT_HINT}") from None
    return alsaaudio


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """File descriptor 2 pointed at /dev/null for a while.

    libasound prints its own lines there ("ALSA lib pcm.c:…") when a device cannot be opened, and
    pyalsaaudio cannot turn that off; the player reports the problem itself, in one line.
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


def _reason(err: Exception) -> str:
    """ALSA's reason in an ALSAAudioError, whose text is "reason [device]"."""
    return str(err).rsplit(" [", 1)[0]


class AlsaSink:
    """A playback stream of internal-format PCM on an ALSA device, open until closed."""

    def __init__(self, device: str = "default"):
        self._alsa = binding()
        self._pcm = _open(self._alsa, device)
        self._size = self._pcm.info()["buffer_size"]
        self.underruns = 0

    def __enter__(self) -> AlsaSink:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def write(self, pcm: bytes) -> None:
        """Queue ``pcm`` to be heard; waits while the device's buffer is full."""
        rest = memoryview(pcm)
        while rest:
            try:
                written = self._pcm.write(rest)
            except self._alsa.ALSAAudioError as err:
                self._recover(err)
                continue
            if written == -errno.EPIPE:  # it ran dry: pyalsaaudio has restarted the stream, nothing was written
                self.underruns += 1
            elif written == 0:
                self._wait()
            else:
                rest = rest[written * SAMPLE_WIDTH:]

    def queued(self) -> int:
        """Samples written but not heard yet (0 when the device cannot say)."""
        free = self._pcm.avail()
        return max(0, self._size - free) if free >= 0 else 0

    def finish(self) -> None:
        """Let everything queued be heard, then stand ready for more (the next write restarts the stream)."""
        while not self._drained():
            self._wait()

    def close(self) -> None:
        """Stop at once, discarding anything not heard yet, and release the device."""
        if self._pcm is not None:
            pcm, self._pcm = self._pcm, None
            with contextlib.suppress(self._alsa.ALSAAudioError):
                pcm.drop()  # pyalsaaudio's close() would let the queue play out first
            pcm.close()

    def _drained(self) -> bool:
        """Ask the device to play out its buffer: True once it has, False while it still is."""
        try:
            self._pcm.drain()
        except self._alsa.ALSAAudioError as err:
            # Non-blocking, drain only starts the draining, and answers "try again" until it is over.
            state = self._pcm.state()
            if state == self._alsa.PCM_STATE_DISCONNECTED:
                raise _stopped(err) from None
            return state != self._alsa.PCM_STATE_DRAINING
        return True

    def _wait(self) -> None:
        """Sleep until the device says it has room (or has finished draining), WAIT_MS at most."""
        descriptors = self._pcm.polldescriptors()
        poller = select.poll()
        for fd, mask in descriptors:
            poller.register(fd, mask)
        ready = dict(poller.poll(WAIT_MS))
        # Some plugins (dmix, for one) must be shown what poll saw, or their descriptors stay ready.
        self._pcm.polldescriptors_revents([(fd, ready.get(fd, 0)) for fd, _mask in descriptors])

    def _recover(self, err: Exception) -> None:
        """Carry on after the machine was suspended (what was queued is lost); PlaybackError otherwise."""
        if self._pcm.state() != self._alsa.PCM_STATE_SUSPENDED:
            raise _stopped(err) from None
        self._pcm.drop()


def _open(alsaaudio: ModuleType, device: str):
    """``device`` opened for mono 16-bit sound at SAMPLE_RATE, with a buffer of about LATENCY_US."""
    period = SAMPLE_RATE * LATENCY_US // 1_000_000 // PERIODS
    try:
        with _quiet_stderr():
            # Non-blocking, so a busy or missing device fails at once instead of waiting.
            pcm = alsaaudio.PCM(alsaaudio.PCM_PLAYBACK, alsaaudio.PCM_NONBLOCK, device=device, rate=SAMPLE_RATE,
                                channels=CHANNELS, format=alsaaudio.PCM_FORMAT_S16_LE, periodsize=period,
                                periods=PERIODS)
    except alsaaudio.ALSAAudioError as err:
        raise _open_error(err) from None
    info = pcm.info()
    # pyalsaaudio settles for whatever the device offers instead of the format asked for.
    if (info["format"], info["rate"], info["channels"]) != (alsaaudio.PCM_FORMAT_S16_LE, SAMPLE_RATE, CHANNELS):
        pcm.close()
        raise _format_error(f"it offers {info['rate']} Hz {info['format_name']}")
    return pcm


def _format_error(reason: str) -> PlaybackError:
    return PlaybackError(f"the audio device cannot play {SAMPLE_RATE} Hz 16-bit sound: {reason}", hint=EXPORT_HINT)


def _open_error(err: Exception) -> PlaybackError:
    """The one-line error for a device that cannot be opened."""
    reason = _reason(err)
    if reason == os.strerror(errno.EBUSY):
        return PlaybackError("the audio device is in use by another program",
                             hint=f"close that program and try again, or {EXPORT_HINT}")
    if reason == os.strerror(errno.EINVAL):
        return _format_error(reason)
    return PlaybackError(f"no audio device found (ALSA: {reason})", hint=EXPORT_HINT)


def _stopped(err: Exception) -> PlaybackError:
    """The one-line error for a device that fails while playing."""
    return PlaybackError(f"the audio device stopped working: {_reason(err)}", hint=EXPORT_HINT)
