"""The clip cache: round trips, damaged entries, unwritable folders, and many writers at once."""

from __future__ import annotations

import errno
import io
import multiprocessing
import os
import time
import wave

import pytest

from stillpoint.audio import SAMPLE_RATE, Clip
from stillpoint.errors import CacheError
from stillpoint.language.timeline import Utterance
from stillpoint.voice import ClipCache, Synthesizer, cache_key
from stillpoint.voice import cache as cache_module
from stillpoint.voice.cache import TEMP_SUFFIX, decode_entry

from .faulty_engines import spoken

FAKE = "stillpoint.voice.fake:FakeEngine"
CLIP = Clip(bytes(range(256)) * 40)
KEY = cache_key("fake", "1", "fake-a", 150, "Let the breath be easy.")


def temp_files(folder) -> list:
    """Temporary files anywhere under folder."""
    return [path for path in folder.rglob("*") if path.name.endswith(TEMP_SUFFIX)]


def test_key_depends_on_everything_that_shapes_the_sound():
    fields = ("fake", "1", "fake-a", 150, "Let the breath be easy.")
    variants = [
        fields[:i] + (changed,) + fields[i + 1 :] for i, changed in enumerate(("espeak-ng", "2", "b", 151, "x"))
    ]
    assert cache_key(*fields) == KEY and len(KEY) == 64
    assert len({KEY, *(cache_key(*variant) for variant in variants)}) == 6


def test_key_changes_with_the_entry_schema_and_the_shaping_of_clips(monkeypatch):
    fields = ("fake", "1", "fake-a", 150, "Let the breath be easy.")
    monkeypatch.setattr(cache_module, "SHAPE_VERSION", cache_module.SHAPE_VERSION + 1)
    reshaped = cache_key(*fields)
    monkeypatch.setattr(cache_module, "SCHEMA", cache_module.SCHEMA + 1)
    assert len({KEY, reshaped, cache_key(*fields)}) == 3


def test_round_trip_writes_a_valid_wav_in_a_shard_folder(tmp_path):
    cache = ClipCache(tmp_path)
    assert cache.get(KEY) is None
    cache.put(KEY, CLIP)
    assert cache.get(KEY) == CLIP
    path = tmp_path / KEY[:2] / f"{KEY}.wav"
    with wave.open(str(path)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, SAMPLE_RATE)
        assert wav.readframes(wav.getnframes()) == CLIP.pcm
    assert cache.warnings == [] and temp_files(tmp_path) == []


def _flip_last_pcm_byte(data: bytes) -> bytes:
    """An entry whose audio no longer matches its stored hash."""
    position = len(data) - 41  # just before the trailing hash chunk (8-byte header + 32-byte digest)
    return data[:position] + bytes([data[position] ^ 0xFF]) + data[position + 1 :]


DAMAGE = {
    "truncated": lambda data: data[: len(data) // 2],
    "cut-short-by-one": lambda data: data[:-1],
    "empty": lambda data: b"",
    "garbage": lambda data: os.urandom(len(data)),
    "header-only": lambda data: data[:44],
    "wrong-hash": _flip_last_pcm_byte,
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_entry_is_a_miss_and_is_removed(tmp_path, damage):
    cache = ClipCache(tmp_path)
    cache.put(KEY, CLIP)
    path = cache.path(KEY)
    path.write_bytes(DAMAGE[damage](path.read_bytes()))
    assert cache.get(KEY) is None
    assert not path.exists()


def test_damaged_entries_are_synthesized_again(tmp_path):
    wanted = [Utterance(f"line number {n}", "fake-a", 150) for n in range(len(DAMAGE))]
    truth = [spoken(u) for u in wanted]
    cache = ClipCache(tmp_path)
    with Synthesizer(FAKE, cache=cache, workers=1) as synth:
        list(synth.clips(wanted))
        paths = sorted(tmp_path.glob("??/*.wav"))
        for path, damage in zip(paths, DAMAGE.values(), strict=True):
            path.write_bytes(damage(path.read_bytes()))
        assert [clip.pcm for clip in synth.clips(wanted)] == [clip.pcm for clip in truth]
    assert sorted(cache.get(path.stem).pcm for path in paths) == sorted(clip.pcm for clip in truth)


def test_an_unwritable_cache_warns_once_and_the_work_goes_on(tmp_path):
    (tmp_path / cache_module.TAG_NAME).write_bytes(cache_module.TAG)  # a cache, where files then block every shard
    for shard in range(256):
        (tmp_path / f"{shard:02x}").write_bytes(b"in the way")
    seen = []
    cache = ClipCache(tmp_path, on_warning=seen.append)
    wanted = [Utterance(f"line {n}", "fake-a", 150) for n in range(5)]
    with Synthesizer(FAKE, cache=cache, workers=1) as synth:
        clips = list(synth.clips(wanted))
        assert synth.warnings() == seen
    assert clips == [spoken(u) for u in wanted]
    assert len(seen) == 1 and "is in the way of the audio cache's entries" in seen[0] and str(tmp_path) in seen[0]


class _FullDisk(io.BytesIO):
    """A file on a full disk: writing fails with ENOSPC."""

    def write(self, _data: bytes) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_leaves_no_temporary_file(tmp_path, monkeypatch):
    def full_disk(handle: int, _mode: str) -> _FullDisk:
        os.close(handle)
        return _FullDisk()

    monkeypatch.setattr(os, "fdopen", full_disk)
    cache = ClipCache(tmp_path)
    cache.put(KEY, CLIP)
    cache.put(cache_key("fake", "1", "fake-a", 150, "other"), CLIP)
    assert temp_files(tmp_path) == []
    assert cache.get(KEY) is None
    assert len(cache.warnings) == 1 and os.strerror(errno.ENOSPC) in cache.warnings[0]


def _write_and_read(folder: str, seed: int) -> int:
    """Write and read back 30 overlapping entries; return how many reads found a damaged file."""
    cache = ClipCache(folder)
    wrong = 0
    for step in range(60):
        number = (step * 7 + seed) % 30
        key = cache_key("fake", "1", "fake-a", 150, str(number))
        clip = Clip(str(number).encode().ljust(2000, b"."))
        cache.put(key, clip)
        wrong += decode_entry(cache.path(key).read_bytes()) != clip
    return wrong


def test_four_processes_writing_the_same_entries_leave_only_valid_ones(tmp_path):
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        wrong = pool.starmap(_write_and_read, [(str(tmp_path), seed) for seed in range(4)])
    assert wrong == [0, 0, 0, 0]
    cache = ClipCache(tmp_path)
    keys = [path.stem for path in tmp_path.glob("??/*.wav")]
    assert len(keys) == 30 and all(cache.get(key) for key in keys)
    assert temp_files(tmp_path) == []


@pytest.mark.parametrize("blocked", ["the folder", "its parent"])
def test_a_file_where_the_folder_should_be_is_a_cache_error(tmp_path, blocked):
    (tmp_path / "cache").write_text("not a folder")
    folder = tmp_path / "cache" if blocked == "the folder" else tmp_path / "cache" / "inner"
    with pytest.raises(CacheError, match="is a file, not a folder") as caught:
        ClipCache(folder)
    assert str(tmp_path / "cache") in str(caught.value) and caught.value.diagnostic.hint


def test_info_and_clear(tmp_path):
    cache = ClipCache(tmp_path / "cache")
    assert cache.info() == (0, 0, tmp_path / "cache")
    keys = [cache_key("fake", "1", "fake-a", 150, text) for text in ("a", "b", "c")]
    for key in keys:
        cache.put(key, CLIP)
    entries, size, folder = cache.info()
    assert (entries, folder) == (3, tmp_path / "cache")
    assert size == sum(cache.path(key).stat().st_size for key in keys)
    assert cache.clear() == 3
    assert cache.info().entries == 0 and list((tmp_path / "cache").iterdir()) == [tmp_path / "cache" / "CACHEDIR.TAG"]


def test_stale_temporary_files_are_swept_and_fresh_ones_kept(tmp_path):
    (tmp_path / "ab").mkdir()
    stale, fresh = (tmp_path / "ab" / f".ab{'c' * 14}.{n * 8}{TEMP_SUFFIX}" for n in "12")
    stale.write_bytes(b"half a clip")
    fresh.write_bytes(b"being written")
    an_hour_ago = time.time() - 3700
    os.utime(stale, (an_hour_ago, an_hour_ago))
    cache = ClipCache(tmp_path)
    assert (stale.exists(), fresh.exists()) == (True, True)  # opening a cache only reads
    cache.put(KEY, CLIP)
    assert (stale.exists(), fresh.exists()) == (False, True)


def test_a_shard_that_is_a_link_is_never_gone_through(tmp_path):
    cache, outside = ClipCache(tmp_path / "cache"), tmp_path / "outside"
    cache.put(KEY, CLIP)
    shard = cache.path(KEY).parent
    shard.rename(outside)  # a valid entry, now in a folder the shard's name links to
    shard.symlink_to(outside)
    other = cache_key("fake", "1", "fake-a", 150, "another line")
    other_link = cache.path(other).parent
    other_link.symlink_to(outside)
    before = sorted(path.name for path in outside.iterdir())
    assert cache.get(KEY) is None  # not read through the link
    cache.put(other, CLIP)
    assert "is in the way of the audio cache's entries" in cache.warnings[0] and str(other_link) in cache.warnings[0]
    assert cache.info().entries == 0 and cache.clear() == 0
    assert sorted(path.name for path in outside.iterdir()) == before and shard.is_symlink()


@pytest.mark.parametrize("kind", ["link to a valid entry", "pipe", "folder"])
def test_an_entry_that_is_no_regular_file_is_a_miss_left_alone_by_info_and_clear(tmp_path, kind):
    cache, elsewhere = ClipCache(tmp_path / "cache"), tmp_path / "valid.wav"
    cache.put(KEY, CLIP)
    path = cache.path(KEY)
    path.rename(elsewhere)
    {"link to a valid entry": lambda: path.symlink_to(elsewhere), "pipe": lambda: os.mkfifo(path),
     "folder": path.mkdir}[kind]()
    assert cache.get(KEY) is None and cache.info().entries == 0 and cache.clear() == 0
    assert os.path.lexists(path) and decode_entry(elsewhere.read_bytes()) == CLIP
