"""The audio cache touches only what it wrote: a user's folder named as the cache, links, pipes and devices in it.

Every command runs in a subprocess under a memory limit and a timeout. The cache folders here are named `store`,
so that `fingerprint` (which leaves out folders named `cache`) covers them too.
Covered in tests/voice/test_cache.py and not repeated: a shard that is a link is neither read, written nor
cleared through (test_a_shard_that_is_a_link_is_never_gone_through), and a cache folder whose parent is a file.
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest
from reliability import bounded, cli_env, fifo, fingerprint, refused

from stillpoint.output.export import PART_SUFFIX
from stillpoint.voice.cache import TAG_NAME, TAG_SIGNATURE, TEMP_SUFFIX

PRACTICE = "# Part\nSettle in and let the floor hold you.\n[pause 1s]\nBreathe in slowly.\nRest here.\n"
ENTRY = "ab" + "0" * 62 + ".wav"  # a name the cache could have written, in the shard it would be in


def practice(tmp_path: Path) -> Path:
    """A practice of three lines."""
    path = tmp_path / "practice.txt"
    path.write_text(PRACTICE, encoding="utf-8")
    return path


def users_folder(tmp_path: Path) -> Path:
    """A folder of someone's own files, some named the way cache entries and shard folders are."""
    folder = tmp_path / "Documents"
    (folder / "01").mkdir(parents=True)
    (folder / "ab").mkdir()
    (folder / "notes.txt").write_text("my notes", encoding="utf-8")
    (folder / "01" / "holiday.jpg").write_bytes(os.urandom(2000))
    (folder / "ab" / ENTRY).write_bytes(b"RIFF a recording of my own")
    return folder


def leftovers(folder: Path) -> list[Path]:
    """Temporary and part files anywhere under ``folder``."""
    return [path for path in folder.rglob("*") if path.name.endswith((TEMP_SUFFIX, PART_SUFFIX))]


def run(tmp_path: Path, *args: str | Path, cache: Path) -> object:
    """stillpoint with the test engine and ``cache`` given by STILLPOINT_CACHE, bounded."""
    return bounded(*args, env=cli_env(cache), cwd=tmp_path)


def exported(tmp_path: Path, store: Path) -> list[Path]:
    """Export the practice with ``store`` as the cache; the entries written."""
    done = run(tmp_path, "export", practice(tmp_path), "-o", tmp_path / "out.mp3", "--force", cache=store)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return sorted(store.glob("??/*.wav"))


COMMANDS = {
    "cache clear": lambda tmp: ("cache", "clear"),
    "cache info": lambda tmp: ("cache", "info"),
    "export": lambda tmp: ("export", practice(tmp), "-o", tmp / "out.mp3"),
    "plan": lambda tmp: ("plan", practice(tmp)),
}


@pytest.mark.parametrize("given", ["--cache-dir", "STILLPOINT_CACHE"])
@pytest.mark.parametrize("command", COMMANDS)
def test_a_folder_of_other_files_is_refused_as_the_cache(tmp_path: Path, command: str, given: str) -> None:
    folder = users_folder(tmp_path)
    args = COMMANDS[command](tmp_path)
    before = fingerprint(tmp_path)
    if given == "--cache-dir":
        done = run(tmp_path, *args, "--cache-dir", folder, cache=tmp_path / "unused")
    else:
        done = run(tmp_path, *args, cache=folder)
    refused(done, 1, f"cannot use {folder} as the audio cache", f"no {TAG_NAME}", "--cache-dir")
    assert fingerprint(tmp_path) == before and leftovers(tmp_path) == []


@pytest.mark.parametrize("tag", ["a link to a real tag", "a pipe (FIFO)", "a folder", "a file of other words"])
def test_a_tag_that_is_no_regular_file_with_the_signature_makes_no_cache(tmp_path: Path, tag: str) -> None:
    folder, real = users_folder(tmp_path), tmp_path / "elsewhere" / TAG_NAME
    real.parent.mkdir()
    real.write_bytes(TAG_SIGNATURE + b"\n")
    if tag == "a link to a real tag":
        (folder / TAG_NAME).symlink_to(real)
    elif tag == "a pipe (FIFO)":
        fifo(folder / TAG_NAME)
    elif tag == "a folder":
        (folder / TAG_NAME).mkdir()
    else:
        (folder / TAG_NAME).write_text("Signature: not the one\n", encoding="utf-8")
    before = fingerprint(tmp_path)
    done = run(tmp_path, "cache", "clear", cache=folder)
    refused(done, 1, f"cannot use {folder} as the audio cache")
    assert fingerprint(tmp_path) == before and leftovers(tmp_path) == []


def plant_strangers(store: Path, outside: Path) -> list[Path]:
    """Put into a cache everything it did not write: links, a pipe, a device, a user's file; returns them."""
    shard = next(path for path in sorted(store.iterdir()) if path.is_dir())
    planted = [store / "cd", shard / f"{shard.name}{'1' * 62}.wav", shard / f"{shard.name}{'2' * 62}.wav",
               store / "notes.txt", store / "ef", shard / "kept.txt"]
    planted[0].symlink_to(outside)  # a shard that is a link to the user's folder
    planted[1].symlink_to(outside / "ab" / ENTRY)  # an entry that is a link
    fifo(planted[2])  # an entry that is a pipe
    planted[3].write_text("mine", encoding="utf-8")
    planted[4].write_text("a file named like a shard", encoding="utf-8")
    planted[5].write_text("beside the entries", encoding="utf-8")
    device = shard / f"{shard.name}{'3' * 62}.wav"
    try:
        os.mknod(device, stat.S_IFCHR | 0o600, os.makedev(1, 3))  # /dev/null's numbers: root only
        planted.append(device)
    except PermissionError:
        pass
    return planted


def test_cache_info_reads_and_cache_clear_removes_only_entries_the_cache_wrote(tmp_path: Path) -> None:
    store, outside = tmp_path / "store", users_folder(tmp_path)
    entries = exported(tmp_path, store)
    stale = entries[0].parent / f".{entries[0].name[:16]}.abcd1234{TEMP_SUFFIX}"
    stale.write_bytes(b"half an entry")
    os.utime(stale, (time.time() - 7200,) * 2)
    planted = plant_strangers(store, outside)
    before = fingerprint(tmp_path)
    info = run(tmp_path, "cache", "info", cache=store)
    assert info.returncode == 0 and info.stderr == "" and f": {len(entries)} lines" in info.stdout
    assert fingerprint(tmp_path) == before  # info deletes nothing, not even an old temporary file
    cleared = run(tmp_path, "cache", "clear", cache=store)
    assert cleared.returncode == 0 and cleared.stderr == "" and f"removed {len(entries)} lines" in cleared.stdout
    kept = {name: print_ for name, print_ in before.items() if (tmp_path / name) in planted
            or (tmp_path / name).is_relative_to(outside) or not (tmp_path / name).is_relative_to(store)}
    after = fingerprint(tmp_path)
    assert {name: after.get(name) for name in kept} == kept
    assert not any(path.exists() for path in entries) and not stale.exists()
    assert (store / TAG_NAME).read_bytes().startswith(TAG_SIGNATURE)


def test_with_every_shard_a_link_an_export_works_and_writes_nothing_through_them(tmp_path: Path) -> None:
    store, outside = tmp_path / "store", users_folder(tmp_path)
    store.mkdir()
    (store / TAG_NAME).write_bytes(TAG_SIGNATURE + b"\n")
    for shard in range(256):
        (store / f"{shard:02x}").symlink_to(outside)
    script = practice(tmp_path)
    before = fingerprint(tmp_path)
    done = run(tmp_path, "export", script, "-o", tmp_path / "out.mp3", cache=store)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"warning: {store}/") and "is in the way of the audio cache's entries" in line
    after = fingerprint(tmp_path)
    assert set(after) - set(before) == {"out.mp3"} and {name: after[name] for name in before} == before
    cleared = run(tmp_path, "cache", "clear", cache=store)
    assert cleared.returncode == 0 and "removed 0 lines" in cleared.stdout
    assert fingerprint(tmp_path) == after and leftovers(tmp_path) == []


def test_an_empty_folder_becomes_a_cache_and_one_from_before_the_tag_is_kept(tmp_path: Path) -> None:
    store = tmp_path / "store"
    store.mkdir()
    entries = exported(tmp_path, store)
    assert entries and (store / TAG_NAME).read_bytes().startswith(TAG_SIGNATURE)
    (store / TAG_NAME).unlink()  # as a cache written before the tag was
    again = run(tmp_path, "export", practice(tmp_path), "-o", tmp_path / "again.mp3", cache=store)
    assert again.returncode == 0 and again.stderr == "", again.stderr
    assert sorted(store.glob("??/*.wav")) == entries and (store / TAG_NAME).is_file()
    assert (tmp_path / "again.mp3").read_bytes()[-4000:] == (tmp_path / "out.mp3").read_bytes()[-4000:]
