"""Exporting PCM chunks to MP3 and WAV: real decoding, atomic replacement, failures, memory."""

import errno
import os
import subprocess
import sys
import tracemalloc
import wave

import lameenc
import miniaudio
import mutagen.mp3
import numpy as np
import pytest
from scipy.signal import butter, resample_poly, sosfilt

from stillpoint.audio import SAMPLE_RATE
from stillpoint.errors import DestinationError, ExportError, UsageError
from stillpoint.language.timeline import Chapter
from stillpoint.output import export
from stillpoint.output.export import PART_SUFFIX, export_track, format_for, sweep_stale_parts
from stillpoint.output.track import TrackInfo
from stillpoint.sound.loudness import level, measure

TONE, SILENCE = "tone", "silence"
# (kind, seconds): 20 s, long enough that encoder delay and padding stay well under 1 %.
PATTERN = [(TONE, 3.0), (SILENCE, 2.0), (TONE, 4.0), (SILENCE, 3.0), (TONE, 5.0), (SILENCE, 3.0)]
TOTAL = sum(seconds for _, seconds in PATTERN)
AMPLITUDE = 8000
OLD = b"an earlier export that must survive\n"
INFO = TrackInfo(
    title="Body Scan",
    artist="Stillpoint",
    chapters=[Chapter("Arriving", 0.0, 9.0), Chapter("Resting", 9.0, TOTAL)],
    lyrics=[(0.5, "Find a comfortable position."), (5.0, "Let the breath be easy.")],
    length_seconds=TOTAL,
)


def tone(seconds: float, frequency: float = 440.0) -> bytes:
    """A sine tone as internal PCM."""
    n = np.arange(int(round(seconds * SAMPLE_RATE)))
    return (AMPLITUDE * np.sin(2 * np.pi * frequency * n / SAMPLE_RATE)).astype("<i2").tobytes()


def pattern_pcm() -> bytes:
    """Tone bursts separated by silences, as laid out in PATTERN."""
    return b"".join(tone(s) if kind == TONE else bytes(2 * int(s * SAMPLE_RATE)) for kind, s in PATTERN)


def chunked(pcm: bytes, size: int = 8820):
    """Yield ``pcm`` in pieces of ``size`` bytes, as the renderer does."""
    for start in range(0, len(pcm), size):
        yield pcm[start : start + size]


def interrupted(pcm: bytes, after: int = 5):
    """Yield a few chunks, then fail the way Ctrl-C does."""
    for index, chunk in enumerate(chunked(pcm)):
        if index == after:
            raise KeyboardInterrupt
        yield chunk


def part_files(folder):
    """Temporary files an export left in ``folder``."""
    return [path for path in folder.iterdir() if path.name.endswith(PART_SUFFIX)]


def decode_mp3(path) -> np.ndarray:
    """Decode an MP3 with a real decoder to mono 22050 Hz samples."""
    decoded = miniaudio.decode(
        path.read_bytes(), output_format=miniaudio.SampleFormat.SIGNED16, nchannels=1, sample_rate=SAMPLE_RATE
    )
    return np.asarray(decoded.samples, dtype=np.float64)


def rms(samples: np.ndarray) -> float:
    """Root mean square level."""
    return float(np.sqrt(np.mean(samples**2)))


@pytest.fixture
def existing(tmp_path):
    """A destination that already holds an earlier export."""
    dest = tmp_path / "practice.mp3"
    dest.write_bytes(OLD)
    return dest


def test_mp3_decodes_to_the_same_length_with_silence_where_silence_was(tmp_path):
    dest = export_track(chunked(pattern_pcm()), tmp_path / "scan.mp3", "mp3", INFO)
    samples = decode_mp3(dest)
    assert len(samples) / SAMPLE_RATE == pytest.approx(TOTAL, rel=0.01)
    start, margin = 0.0, 0.15  # keeps encoder delay and frame edges out of the windows
    for kind, seconds in PATTERN:
        window = samples[int((start + margin) * SAMPLE_RATE) : int((start + seconds - margin) * SAMPLE_RATE)]
        if kind == SILENCE:
            assert rms(window) < 30
        else:
            assert rms(window) == pytest.approx(AMPLITUDE / np.sqrt(2), rel=0.1)
        start += seconds


@pytest.mark.parametrize("bitrate", [32, 96])
def test_mp3_is_mono_22050_hz_at_the_requested_constant_bitrate(tmp_path, bitrate):
    dest = export_track(chunked(pattern_pcm()), tmp_path / "scan.mp3", "mp3", INFO, bitrate=bitrate)
    info = mutagen.mp3.MP3(dest).info
    assert (info.sample_rate, info.channels, info.bitrate) == (SAMPLE_RATE, 1, bitrate * 1000)
    audio_bytes = dest.stat().st_size - mutagen.mp3.MP3(dest).tags.size
    assert audio_bytes * 8 / TOTAL == pytest.approx(bitrate * 1000, rel=0.03)


def test_wav_holds_exactly_the_samples_with_a_patched_header(tmp_path):
    pcm = pattern_pcm()
    dest = export_track(chunked(pcm), tmp_path / "scan.wav", "wav", INFO)
    with wave.open(str(dest), "rb") as wav:
        params = (wav.getnchannels(), wav.getsampwidth(), wav.getframerate(), wav.getnframes())
        assert params == (1, 2, SAMPLE_RATE, len(pcm) // 2)
        assert wav.readframes(wav.getnframes()) == pcm


@pytest.mark.parametrize("fmt", ["mp3", "wav"])
def test_writing_goes_to_a_part_file_next_to_the_destination(tmp_path, fmt):
    dest = tmp_path / f"scan.{fmt}"
    seen = []

    def watching():
        for index, chunk in enumerate(chunked(pattern_pcm())):
            if index == 3:
                seen.extend(path.name for path in tmp_path.iterdir())
            yield chunk

    export_track(watching(), dest, fmt, INFO)
    assert seen == [f".{dest.name}.{os.getpid()}{PART_SUFFIX}"]
    assert dest.exists() and not part_files(tmp_path)


def test_an_existing_destination_is_refused_without_force_and_left_untouched(existing):
    with pytest.raises(DestinationError, match="already exists .use --force to replace it"):
        export_track(chunked(pattern_pcm()), existing, "mp3", INFO)
    assert existing.read_bytes() == OLD
    assert not part_files(existing.parent)


def test_force_replaces_an_existing_destination(existing):
    export_track(chunked(pattern_pcm()), existing, "mp3", INFO, force=True)
    assert existing.read_bytes() != OLD
    assert mutagen.mp3.MP3(existing).tags["TIT2"].text == ["Body Scan"]


def test_a_missing_folder_is_named_and_not_created(tmp_path):
    folder = tmp_path / "no such folder"
    with pytest.raises(ExportError, match="no such folder.*create it first") as caught:
        export_track(chunked(pattern_pcm()), folder / "scan.mp3", "mp3", INFO)
    assert caught.value.diagnostic.path == str(folder)
    assert not folder.exists()


def test_a_folder_as_destination_is_refused(tmp_path):
    (tmp_path / "out.mp3").mkdir()
    with pytest.raises(DestinationError, match="is a folder"):
        export_track(chunked(pattern_pcm()), tmp_path / "out.mp3", "mp3", INFO, force=True)
    assert (tmp_path / "out.mp3").is_dir()


class FailingEncoder:
    """A real encoder that breaks on its third chunk."""

    real = lameenc.Encoder

    def __init__(self):
        self.inner = self.real()
        self.calls = 0

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def encode(self, pcm):
        self.calls += 1
        if self.calls == 3:
            raise RuntimeError("encoder failed")
        return self.inner.encode(pcm)


def test_an_encoder_failure_mid_stream_leaves_the_destination_as_it_was(existing, monkeypatch):
    monkeypatch.setattr(lameenc, "Encoder", FailingEncoder)
    with pytest.raises(RuntimeError, match="encoder failed"):
        export_track(chunked(pattern_pcm()), existing, "mp3", INFO, force=True)
    assert existing.read_bytes() == OLD
    assert not part_files(existing.parent)


@pytest.mark.parametrize("fmt", ["mp3", "wav"])
def test_an_interrupt_mid_stream_leaves_the_destination_as_it_was(existing, fmt):
    with pytest.raises(KeyboardInterrupt):
        export_track(interrupted(pattern_pcm()), existing, fmt, INFO, force=True)
    assert existing.read_bytes() == OLD
    assert not part_files(existing.parent)


@pytest.mark.parametrize("fmt", ["mp3", "wav"])
def test_a_track_longer_than_its_format_holds_is_refused_as_it_passes_and_leaves_nothing(existing, fmt, monkeypatch):
    monkeypatch.setattr(export, "capacity", lambda fmt, bitrate: SAMPLE_RATE // 2)
    with pytest.raises(ExportError, match="is longer than an? (WAV|MP3) file") as caught:
        export_track(chunked(pattern_pcm()), existing, fmt, INFO, force=True)
    assert "\n" not in str(caught.value) and str(existing) in str(caught.value)
    assert existing.read_bytes() == OLD
    assert not part_files(existing.parent)


@pytest.mark.parametrize("bitrate", export.MP3_BITRATES)
def test_what_a_format_holds_fits_its_32_bit_sizes_and_counts_and_a_day_and_more(bitrate):
    hours = export.capacity("wav", bitrate) / SAMPLE_RATE / 3600
    assert 26 < hours and export.capacity("wav", bitrate) * 2 + 44 < 2**32  # RIFF and data chunk sizes
    samples = export.capacity("mp3", bitrate)
    assert samples / SAMPLE_RATE * bitrate * 125 < 2**32 - 2**16  # the Info frame's byte count
    assert samples / SAMPLE_RATE * 1000 < 2**32 and samples / SAMPLE_RATE > 26 * 3600  # ID3 times in ms


class FullDisk:
    """A file that accepts ``room`` bytes, then reports that the disk is full."""

    def __init__(self, file, room):
        self.file, self.room = file, room

    def __getattr__(self, name):
        return getattr(self.file, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.file.close()

    def write(self, data):
        self.room -= len(data)
        if self.room < 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return self.file.write(data)


def assert_one_line_disk_full(error):
    """The message says what happened and what to do, on one line."""
    text = str(error)
    assert "No space left on device" in text and "free some space" in text
    assert "\n" not in text


@pytest.mark.parametrize("fmt", ["mp3", "wav"])
def test_a_full_disk_while_writing_leaves_the_destination_as_it_was(existing, fmt, monkeypatch):
    monkeypatch.setattr(export, "open", lambda *args: FullDisk(open(*args), room=100_000), raising=False)
    with pytest.raises(ExportError) as caught:
        export_track(chunked(pattern_pcm()), existing, fmt, INFO, force=True)
    assert_one_line_disk_full(caught.value)
    assert existing.read_bytes() == OLD
    assert not part_files(existing.parent)


def test_a_full_disk_reported_at_sync_leaves_the_destination_as_it_was(existing, monkeypatch):
    def fsync(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(ExportError) as caught:
        export_track(chunked(pattern_pcm()), existing, "mp3", INFO, force=True)
    assert_one_line_disk_full(caught.value)
    assert existing.read_bytes() == OLD
    assert not part_files(existing.parent)


@pytest.mark.parametrize("code", [errno.EACCES, errno.EROFS])
def test_a_folder_that_cannot_be_written_gives_a_one_line_error(existing, code, monkeypatch):
    def refuse(path, *args):
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(export, "open", refuse, raising=False)
    with pytest.raises(ExportError, match="choose a folder you can write to") as caught:
        export_track(chunked(pattern_pcm()), existing, "mp3", INFO, force=True)
    assert os.strerror(code) in str(caught.value) and "\n" not in str(caught.value)
    assert existing.read_bytes() == OLD


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into read-only folders")
def test_a_read_only_folder_gives_a_one_line_error(existing):
    existing.parent.chmod(0o555)
    try:
        with pytest.raises(ExportError, match="Permission denied"):
            export_track(chunked(pattern_pcm()), existing, "mp3", INFO, force=True)
    finally:
        existing.parent.chmod(0o755)
    assert existing.read_bytes() == OLD


def dead_pid() -> int:
    """The id of a process that has already exited."""
    child = subprocess.Popen([sys.executable, "-c", ""])
    child.wait()
    return child.pid


def test_part_files_of_dead_processes_are_swept_and_live_ones_kept(tmp_path):
    stale = tmp_path / f".scan.mp3.{dead_pid()}{PART_SUFFIX}"
    live = tmp_path / f".scan.mp3.{os.getppid()}{PART_SUFFIX}"
    unrelated = tmp_path / ".scan.mp3.notapid.other"
    for path in (stale, live, unrelated):
        path.write_bytes(b"partial")
    assert sweep_stale_parts(tmp_path) == [stale]
    assert not stale.exists() and live.exists() and unrelated.exists()


def test_export_sweeps_what_a_killed_export_left_behind(tmp_path):
    stale = tmp_path / f".other.mp3.{dead_pid()}{PART_SUFFIX}"
    stale.write_bytes(b"partial")
    export_track(chunked(pattern_pcm()), tmp_path / "scan.mp3", "mp3", INFO)
    assert not stale.exists()


@pytest.mark.parametrize(
    ("name", "fmt", "expected"),
    [("a.mp3", None, "mp3"), ("a.WAV", None, "wav"), ("a.mp3", "wav", "wav"), ("a", "MP3", "mp3")],
)
def test_format_comes_from_the_option_or_else_the_extension(name, fmt, expected, tmp_path):
    assert format_for(tmp_path / name, fmt) == expected


@pytest.mark.parametrize(("name", "fmt", "message"), [("a.ogg", None, "--format"), ("a.mp3", "flac", "'flac'")])
def test_unknown_formats_are_usage_errors(name, fmt, message, tmp_path):
    with pytest.raises(ExportError, match=message) as caught:
        format_for(tmp_path / name, fmt)
    assert isinstance(caught.value, UsageError) and caught.value.exit_code == 2


def test_a_bitrate_mp3_cannot_carry_is_refused(tmp_path):
    with pytest.raises(UsageError, match="65 kbps"):
        export_track(chunked(pattern_pcm()), tmp_path / "scan.mp3", "mp3", INFO, bitrate=65)
    assert not (tmp_path / "scan.mp3").exists()


def peak_traced_bytes(dest, minutes: int) -> int:
    """Highest Python memory in use while exporting ``minutes`` of audio given second by second."""
    second = tone(1.0)
    tracemalloc.start()
    try:
        export_track((second for _ in range(minutes * 60)), dest, "mp3", TrackInfo("Long", "Stillpoint"))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_track_length(tmp_path):
    short = peak_traced_bytes(tmp_path / "short.mp3", 6)
    long = peak_traced_bytes(tmp_path / "long.mp3", 60)
    # Holding the encoded hour would take about 28 MB at 64 kbps.
    assert long < 2 * short + 1_000_000
    assert (tmp_path / "long.mp3").stat().st_size > 25_000_000


def test_the_decoded_mp3_is_exactly_as_loud_as_the_pcm_it_was_given(tmp_path):
    dest = export_track(chunked(tone(6.0)), tmp_path / "tone.mp3", "mp3", INFO)
    middle = decode_mp3(dest)[SAMPLE_RATE : 5 * SAMPLE_RATE]
    assert rms(middle) == pytest.approx(AMPLITUDE / np.sqrt(2), rel=0.005)


@pytest.mark.parametrize(("fmt", "bitrate"), [("mp3", 32), ("mp3", 64), ("mp3", 128), ("wav", 64)])
def test_speech_levelled_with_the_headroom_decodes_under_minus_1_dbtp(tmp_path, fmt, bitrate):
    rng = np.random.default_rng(bitrate)
    band = butter(4, [300, 3400], btype="band", fs=SAMPLE_RATE, output="sos")
    bursts = sosfilt(band, rng.standard_normal(10 * SAMPLE_RATE)) * (np.sin(np.arange(10 * SAMPLE_RATE) / 700) > 0)
    pcm = (bursts / np.max(np.abs(bursts)) * 16000).astype("<i2").tobytes()
    levelled = level(pcm, measure(pcm), -16.0, -1.0 - export.peak_headroom(fmt, bitrate))
    dest = export_track([levelled], tmp_path / f"speech.{fmt}", fmt, INFO, bitrate=bitrate)
    samples = decode_mp3(dest) / 32768 if fmt == "mp3" else np.frombuffer(levelled, dtype="<i2") / 32768
    assert 20 * np.log10(np.max(np.abs(resample_poly(samples, 4, 1)))) <= -1.0
    assert export.peak_headroom(fmt, bitrate) == (0.0 if fmt == "wav" else pytest.approx((64 / bitrate) ** 1.5))
