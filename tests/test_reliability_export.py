"""A real `stillpoint export` stopped by signals or by the file system, and what it leaves behind.

Covered at the level of export_track in tests/output/test_export.py and not repeated: a missing destination
folder, a folder as destination, an encoder failure, a full disk while writing and while syncing,
EACCES and EROFS, Ctrl-C mid-stream, and sweeping part files of dead processes
(test_a_missing_folder_is_named_and_not_created, test_a_folder_as_destination_is_refused,
test_an_encoder_failure_mid_stream_leaves_the_destination_as_it_was,
test_a_full_disk_while_writing_leaves_the_destination_as_it_was,
test_a_full_disk_reported_at_sync_leaves_the_destination_as_it_was,
test_a_folder_that_cannot_be_written_gives_a_one_line_error,
test_an_interrupt_mid_stream_leaves_the_destination_as_it_was,
test_part_files_of_dead_processes_are_swept_and_live_ones_kept).
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import time
from pathlib import Path

import pytest
from reliability import cli_env, read_only, stillpoint

from stillpoint.output.export import PART_SUFFIX

# About an hour, mostly silence: quick to synthesize, a few seconds to encode, so there is time to interrupt.
LONG = "# Resting\nLet the breath be easy.\n[soak 1h]\nRest here.\n[soak 20m]\nCome back slowly.\n"
OLD = b"last week's export, which must survive\n"
WAIT = 60.0


def part_files(folder: Path) -> list[Path]:
    """Export part files in ``folder``."""
    return sorted(folder.glob(f"*{PART_SUFFIX}"))


def children(pid: int) -> list[int]:
    """Process ids of the children of ``pid``."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def alive(pid: int) -> bool:
    """Whether a process with this id still runs (a zombie does not count)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def exporting(tmp_path: Path, **options: object) -> tuple[subprocess.Popen, Path]:
    """Start exporting the long practice over an existing file; return once its part file exists."""
    source, dest = tmp_path / "long.txt", tmp_path / "long.mp3"
    source.write_text(LONG, encoding="utf-8")
    dest.write_bytes(OLD)
    process = subprocess.Popen(stillpoint("export", source, "-o", dest, "--force"), env=cli_env(tmp_path / "cache"),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, **options)
    give_up = time.monotonic() + WAIT
    while not part_files(tmp_path):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < give_up, "the export never started writing"
        time.sleep(0.005)
    return process, dest


@pytest.mark.parametrize(("name", "to_group"), [("SIGINT", True), ("SIGTERM", False)])
def test_ctrl_c_or_sigterm_mid_export_exits_130_and_leaves_the_old_file(tmp_path: Path, name: str,
                                                                          to_group: bool) -> None:
    process, dest = exporting(tmp_path)
    number = getattr(signal, name)
    os.killpg(process.pid, number) if to_group else process.send_signal(number)  # Ctrl-C reaches the whole group
    _, stderr = process.communicate(timeout=WAIT)
    assert process.returncode == 130
    assert stderr.decode() == ""
    assert dest.read_bytes() == OLD and part_files(tmp_path) == []


def test_sigkill_mid_export_leaves_the_old_file_and_a_part_file_the_next_run_sweeps(tmp_path: Path) -> None:
    process, dest = exporting(tmp_path)
    workers = children(process.pid)
    process.kill()
    process.wait(WAIT)
    assert dest.read_bytes() == OLD
    assert len(part_files(tmp_path)) == 1
    give_up = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < give_up:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in workers), "voice workers outlived the killed export"
    (tmp_path / "short.txt").write_text("Rest.\n", encoding="utf-8")
    again = subprocess.run(stillpoint("export", tmp_path / "short.txt", "-o", tmp_path / "short.mp3"),
                           env=cli_env(tmp_path / "cache"), capture_output=True, timeout=WAIT)
    assert again.returncode == 0, again.stderr
    assert part_files(tmp_path) == [] and dest.read_bytes() == OLD


def _small_files() -> None:
    """In the child: refuse to let any file grow past 4 MB, as a full disk would (the MP3 is about 30 MB)."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (4_000_000, 4_000_000))


def test_the_file_system_refusing_more_data_mid_export_is_one_line_and_leaves_the_old_file(tmp_path: Path) -> None:
    process, dest = exporting(tmp_path, preexec_fn=_small_files)
    _, stderr = process.communicate(timeout=WAIT)
    assert process.returncode == 1
    assert stderr.decode().splitlines() == [f"{dest}: error: cannot be written: File too large"]
    assert dest.read_bytes() == OLD and part_files(tmp_path) == []


def test_a_read_only_destination_folder_is_one_line_and_leaves_the_old_file(tmp_path: Path) -> None:
    folder = tmp_path / "phone"
    folder.mkdir()
    (folder / "evening.mp3").write_bytes(OLD)
    (tmp_path / "evening.txt").write_text("Rest here.\n", encoding="utf-8")
    with read_only(folder):
        done = subprocess.run(stillpoint("export", tmp_path / "evening.txt", "-o", folder / "evening.mp3", "--force"),
                              env=cli_env(tmp_path / "cache"), capture_output=True, text=True, timeout=WAIT)
    assert done.returncode == 1
    assert len(done.stderr.splitlines()) == 1 and "choose a folder you can write to" in done.stderr
    assert (folder / "evening.mp3").read_bytes() == OLD and part_files(folder) == []
