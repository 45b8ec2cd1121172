"""The clip cache when it is shared, unwritable or in the way, through the command line and the pipeline.

Covered in tests/voice/test_cache.py and not repeated: truncated, empty, garbage, header-only and
wrong-hash entries (test_a_damaged_entry_is_a_miss_and_is_removed, test_damaged_entries_are_synthesized_again),
a file where the cache folder should be (test_a_file_where_the_folder_should_be_is_a_cache_error), a full
disk while writing an entry (test_a_full_disk_leaves_no_temporary_file), entries blocked by files
(test_an_unwritable_cache_warns_once_and_the_work_goes_on) and four processes writing the same entries
through the cache itself (test_four_processes_writing_the_same_entries_leave_only_valid_ones).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from reliability import FAULTY, bounded, cli_env, fifo, read_only, stillpoint

from stillpoint.app import pipeline
from stillpoint.language import timeline as timing
from stillpoint.language.timeline import Pace
from stillpoint.output.export import PART_SUFFIX
from stillpoint.sound.render import RenderOptions
from stillpoint.voice import ClipCache, Synthesizer, SynthProgress
from stillpoint.voice.cache import TEMP_SUFFIX, decode_entry

SHARED = ["Settle in and let the floor hold you.", "Breathe in slowly.", "Breathe out slowly.", "Rest here."]


def overlapping(folder: Path, number: int) -> Path:
    """Practice ``number``: the shared lines, and two of its own between them."""
    own = [f"This is practice {number}.", f"Practice {number} ends here."]
    lines = [own[0], *SHARED[:2], "[pause 1s]", *SHARED[2:], own[1]]
    path = folder / f"practice-{number}.txt"
    path.write_text("# Part\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def leftovers(folder: Path) -> list[Path]:
    """Temporary files of the cache or of an export anywhere under ``folder``."""
    return [p for p in folder.rglob("*") if p.name.endswith((TEMP_SUFFIX, PART_SUFFIX))]


def test_four_processes_exporting_overlapping_practices_at_once_leave_only_valid_entries(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = cli_env(cache, delay=0.05)  # slow enough that the four really overlap
    runs = [subprocess.Popen(stillpoint("export", overlapping(tmp_path, n), "-o", tmp_path / f"{n}.mp3"), env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for n in range(4)]
    errors = [run.communicate(timeout=120)[1].decode() for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0, 0], errors
    entries = sorted(cache.glob("??/*.wav"))
    assert len(entries) == len(SHARED) + 2 * 4
    assert all(decode_entry(entry.read_bytes()) for entry in entries)
    assert leftovers(tmp_path) == [] and all((tmp_path / f"{n}.mp3").stat().st_size > 1000 for n in range(4))


def export_cli(tmp_path: Path, cache: Path, dest: str = "out.mp3") -> subprocess.CompletedProcess:
    """`stillpoint export` of practice 0 into ``tmp_path/dest`` with ``cache``."""
    args = stillpoint("export", overlapping(tmp_path, 0), "-o", tmp_path / dest, "--force")
    return subprocess.run(args, env=cli_env(cache), capture_output=True, text=True, timeout=120)


def test_a_read_only_cache_folder_warns_once_and_the_export_still_works(tmp_path: Path) -> None:
    (tmp_path / "cache").mkdir()
    with read_only(tmp_path / "cache") as cache:
        done = export_cli(tmp_path, cache)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("warning:") == 1 and f"the audio cache {cache} cannot be written" in done.stderr
    assert "Traceback" not in done.stderr and (tmp_path / "out.mp3").stat().st_size > 1000
    assert list(cache.iterdir()) == []


def damage(entry: Path, how: str) -> None:
    """Put something that is not an entry where ``entry`` is: a folder, a FIFO, a link to a device or a loop."""
    entry.unlink()
    if how == "folder":
        (entry / "in the way").mkdir(parents=True)
    elif how == "fifo":
        fifo(entry)
    elif how == "device link":
        entry.symlink_to("/dev/zero")
    else:
        entry.symlink_to(entry.name)


@pytest.mark.parametrize("how", ["folder", "fifo", "device link", "link loop"])
def test_a_damaged_entry_is_passed_over_and_every_other_line_is_still_cached(tmp_path: Path, how: str) -> None:
    cache = tmp_path / "cache"
    first = export_cli(tmp_path, cache)
    assert first.returncode == 0, first.stderr
    entries = sorted(cache.glob("??/*.wav"))
    damage(entries[0], how)
    for entry in entries[1:]:
        entry.unlink()
    again = bounded("export", overlapping(tmp_path, 0), "-o", tmp_path / "again.mp3", env=cli_env(cache))
    assert again.returncode == 0 and "Traceback" not in again.stderr
    assert again.stderr == ("" if how != "folder" else  # only a folder cannot be cleared away by itself
                            f"warning: {entries[0]} is in the way of the audio cache's entries; the lines that "
                            "belong there are not cached (remove it to cache them again)\n")
    assert all(decode_entry(entry.read_bytes()) for entry in entries[1:])  # the lines after it were cached
    assert (tmp_path / "again.mp3").read_bytes()[-4000:] == (tmp_path / "out.mp3").read_bytes()[-4000:]
    assert leftovers(tmp_path) == []


# ---------------------------------------------------------------- levelled speech kept in the cache


def export_counting(source: Path, synth: Synthesizer, dest: Path) -> SynthProgress:
    """Export ``source`` to ``dest``; the last synthesis progress report."""
    reports: list[SynthProgress] = []
    pipeline.export(pipeline.load_script(str(source)), Pace(), synth, pipeline.ExportSettings(dest=dest, force=True),
                    on_progress=reports.append)
    return reports[-1]


def test_speech_levelled_for_another_format_is_levelled_again_without_synthesis(tmp_path: Path) -> None:
    source, cache = overlapping(tmp_path, 0), ClipCache(tmp_path / "cache")
    with Synthesizer(FAULTY, cache=cache, workers=1) as synth:
        export_counting(source, synth, tmp_path / "a.mp3")
        wav = export_counting(source, synth, tmp_path / "a.wav")
        utterance = timing.utterances(pipeline.load_script(str(source)), Pace())[0]
        clip = cache.get(synth.key(utterance))
    assert wav.cached == wav.total
    level = pipeline.sound_for(RenderOptions(), "wav", 64).level
    assert clip.levelled_to(level) is not None


def test_a_damaged_levelled_copy_makes_the_entry_a_miss(tmp_path: Path) -> None:
    source, cache = overlapping(tmp_path, 0), ClipCache(tmp_path / "cache")
    with Synthesizer(FAULTY, cache=cache, workers=1) as synth:
        export_counting(source, synth, tmp_path / "a.mp3")
        entry = sorted((tmp_path / "cache").glob("??/*.wav"))[0]
        data = bytearray(entry.read_bytes())
        data[data.index(b"splv") + 30] ^= 0xFF
        entry.write_bytes(bytes(data))
        again = export_counting(source, synth, tmp_path / "b.mp3")
    assert again.total - again.cached == 1
    assert (tmp_path / "a.mp3").read_bytes()[-4000:] == (tmp_path / "b.mp3").read_bytes()[-4000:]


CHILD = """
import sys
from pathlib import Path
from stillpoint.app import pipeline
from stillpoint.language.timeline import Pace
from stillpoint.voice import ClipCache, Synthesizer

with Synthesizer(sys.argv[1], cache=ClipCache(sys.argv[2]), workers=1) as synth:
    pipeline.export(pipeline.load_script(sys.argv[3]), Pace(), synth,
                    pipeline.ExportSettings(dest=Path(sys.argv[4]), force=True))
    print(sorted(name for name in ("scipy", "pyloudnorm") if name in sys.modules), len(synth._pool))
"""


def test_exports_level_speech_in_the_workers_and_a_warm_one_starts_none(tmp_path: Path) -> None:
    source, cache = overlapping(tmp_path, 0), tmp_path / "cache"
    args = [sys.executable, "-c", CHILD, FAULTY, str(cache), str(source), str(tmp_path / "a.mp3")]
    runs = [subprocess.run(args, env=cli_env(cache), capture_output=True, text=True, check=True) for _ in range(2)]
    assert [run.stdout.strip() for run in runs] == ["[] 1", "[] 0"]  # scipy's import alone costs about a second
