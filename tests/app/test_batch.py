"""Exporting many practices at once, with the fake engine: names, numbers, playlist, refusals, interrupts."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import miniaudio
import pytest
from conftest import FAKE_ENGINE
from mutagen.id3 import ID3
from PIL import Image
from typer.testing import CliRunner

from stillpoint.app import batch, pipeline
from stillpoint.app.pipeline import ExportSettings
from stillpoint.cli import app
from stillpoint.errors import ExportError, UsageError
from stillpoint.language import library
from stillpoint.language.timeline import Pace
from stillpoint.output.export import PART_SUFFIX
from stillpoint.voice import ClipCache, Synthesizer

runner = CliRunner()
TITLES = ["Morning Calm", "Body: a Scan?", "Evening Rest"]
STEMS = ["Morning Calm", "Body a Scan", "Evening Rest"]  # the file names the titles give

PRACTICE = """---
title: {title}
author: Test Author
rate: 200
---
# Arriving
Settle in and let the floor hold you.
[pause 1s]
{line}
# Resting
Rest here. [soak 2s]
Come back when you are ready.
"""


def run(*args: str):
    """Invoke the app and return click's result."""
    return runner.invoke(app, [str(arg) for arg in args])


def practice(folder: Path, name: str, title: str, line: str = "Breathe gently.") -> Path:
    """A short practice file named ``name``.txt with the given title."""
    path = folder / f"{name}.txt"
    path.write_text(PRACTICE.format(title=title, line=line), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synthesizer]:
    """One fake-engine synthesizer for the tests that call the batch directly."""
    with Synthesizer(FAKE_ENGINE, cache=ClipCache(tmp_path_factory.mktemp("cache")), workers=1) as synthesizer:
        yield synthesizer


@pytest.fixture
def three(tmp_path: Path) -> list[Path]:
    """Three short practices with different titles."""
    return [practice(tmp_path, f"p{n}", title, f"Line {n} of its own.") for n, title in enumerate(TITLES, start=1)]


def duration(path: Path) -> float:
    """Seconds of audio in an MP3, decoded."""
    return miniaudio.mp3_get_file_info(str(path)).duration


def complete(path: Path) -> bool:
    """Whether an MP3 decodes to the whole length its tags announce."""
    announced = int(ID3(path)["TLEN"].text[0]) / 1000
    return announced > 10 and duration(path) == pytest.approx(announced, rel=0.01)


def clock(seconds: float) -> str:
    """m:ss, as the summary lines show a length."""
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d}"


def planned(*scripts: Path) -> list[float]:
    """Total seconds of each practice as its plan gives it, with the fake engine."""
    with Synthesizer(FAKE_ENGINE, cache=ClipCache(scripts[0].parent / "plan-cache"), workers=1) as synth:
        return [pipeline.timed_plan(pipeline.load_script(str(s)), Pace(), synth).total for s in scripts]


def leftovers(folder: Path) -> list[Path]:
    """Part files an export left anywhere under ``folder``."""
    return [path for path in folder.rglob("*") if path.name.endswith(PART_SUFFIX)]


@pytest.fixture(scope="module")
def album(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Three practices exported once as an album with lyrics and captions, and their planned lengths."""
    folder = tmp_path_factory.mktemp("album")
    scripts = [practice(folder, f"p{n}", title, f"Line {n} of its own.") for n, title in enumerate(TITLES, start=1)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STILLPOINT_ENGINE", FAKE_ENGINE)
        patch.setenv("STILLPOINT_CACHE", str(folder / "cache"))
        result = run("export", *scripts, "-o", folder / "phone" / "meditations", "--album", "Evening Collection",
                     "--lrc", "--vtt")
    assert result.exit_code == 0, result.output
    return {"out": folder / "phone" / "meditations", "stdout": result.stdout, "totals": planned(*scripts)}


def test_the_folder_is_created_and_holds_a_file_per_practice_with_its_sidecars_and_a_playlist(album: dict) -> None:
    expected = [f"{stem}.{ext}" for stem in STEMS for ext in ("mp3", "lrc", "vtt")] + ["Evening Collection.m3u8"]
    assert sorted(p.name for p in album["out"].iterdir()) == sorted(expected)


def test_one_summary_line_per_file(album: dict) -> None:
    expected = [f"{album['out'] / f'{stem}.mp3'}  {clock(total)}  {title}"
                for stem, total, title in zip(STEMS, album["totals"], TITLES)]
    assert sorted(album["stdout"].splitlines()) == sorted(expected)


def test_each_file_is_tagged_and_numbered_within_the_album(album: dict) -> None:
    for number, (stem, title) in enumerate(zip(STEMS, TITLES), start=1):
        tags = ID3(album["out"] / f"{stem}.mp3")
        assert tags["TIT2"].text == [title] and tags["TRCK"].text == [f"{number}/3"]
        assert tags["TALB"].text == ["Evening Collection"] and tags["TPE1"].text == ["Test Author"]
        assert tags["TCON"].text == ["Meditation"] and str(tags["TDRC"].text[0]) == str(date.today().year)


def test_each_file_lasts_what_its_plan_says(album: dict) -> None:
    for stem, total in zip(STEMS, album["totals"]):
        assert duration(album["out"] / f"{stem}.mp3") == pytest.approx(total, rel=0.01)


def test_without_a_cover_each_file_gets_its_own_picture_made_from_its_title(album: dict) -> None:
    pictures = [ID3(album["out"] / f"{stem}.mp3").getall("APIC")[0] for stem in STEMS]
    assert all(picture.mime == "image/png" for picture in pictures)
    assert len({picture.data for picture in pictures}) == 3


def test_the_sidecars_carry_the_spoken_lines(album: dict) -> None:
    lrc = (album["out"] / "Morning Calm.lrc").read_text(encoding="utf-8")
    vtt = (album["out"] / "Morning Calm.vtt").read_text(encoding="utf-8")
    assert lrc.startswith("[ti:Morning Calm]\n[ar:Test Author]\n[al:Evening Collection]\n")
    assert "]Line 1 of its own." in lrc and "\nLine 1 of its own.\n" in vtt and vtt.startswith("WEBVTT\n")


def test_the_playlist_lists_each_file_in_order_with_its_length_artist_and_title(album: dict) -> None:
    lines = (album["out"] / "Evening Collection.m3u8").read_text(encoding="utf-8").splitlines()
    assert lines[:2] == ["#EXTM3U", "#PLAYLIST:Evening Collection"]
    expected = []
    for stem, total, title in zip(STEMS, album["totals"], TITLES):
        expected += [f"#EXTINF:{round(total)},Test Author - {title}", f"{stem}.mp3"]
    assert lines[2:] == expected


def test_all_means_every_practice_the_library_knows() -> None:
    assert batch.sources([], everything=True) == [str(path) for path in library.practices().values()]
    assert batch.sources(["a", "b"], everything=False) == ["a", "b"]


def test_export_all_writes_every_practice_into_the_folder(
    fake_engine: Path, monkeypatch: pytest.MonkeyPatch, three: list[Path], tmp_path: Path
) -> None:
    monkeypatch.setattr(library, "practices", lambda: {path.stem: path for path in three})
    out = tmp_path / "all"
    result = run("export", "--all", "-o", out, "--format", "wav", "--quiet")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted([*(f"{stem}.wav" for stem in STEMS), "Stillpoint.m3u8"])
    listed = (out / "Stillpoint.m3u8").read_text(encoding="utf-8").splitlines()
    assert [line for line in listed if not line.startswith("#")] == [f"{stem}.wav" for stem in STEMS]
    assert result.stdout == ""


def test_clashing_and_dangerous_titles_get_safe_distinct_names_inside_the_folder(
    synth: Synthesizer, tmp_path: Path
) -> None:
    scripts = [practice(tmp_path, "a", "Rest"), practice(tmp_path, "b", "rest", "Other words."),
               practice(tmp_path, "c", "../../escaped"), practice(tmp_path, "d", "CON")]
    out = tmp_path / "deep" / "out"
    batch.export_batch(pipeline.load_scripts([str(script) for script in scripts]), out, Pace(), synth)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["Rest.mp3", "rest (2).mp3", "escaped.mp3", "CON_.mp3", "Stillpoint.m3u8"])
    assert not (tmp_path / "escaped.mp3").exists() and not (tmp_path / "deep" / "escaped.mp3").exists()


def test_a_given_cover_goes_into_every_file(fake_engine: Path, three: list[Path], tmp_path: Path) -> None:
    art = tmp_path / "art.jpg"
    Image.new("RGB", (32, 32), (20, 60, 90)).save(art, format="JPEG")
    out = tmp_path / "out"
    assert run("export", *three[:2], "-o", out, "--cover", art).exit_code == 0
    for stem in STEMS[:2]:
        (picture,) = ID3(out / f"{stem}.mp3").getall("APIC")
        assert (picture.mime, picture.data) == ("image/jpeg", art.read_bytes())


def test_one_practice_into_an_existing_folder_is_named_from_its_title(
    fake_engine: Path, three: list[Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    assert run("export", three[2], "-o", out).exit_code == 0
    assert [p.name for p in out.iterdir()] == ["Evening Rest.mp3"]


def test_existing_files_are_refused_before_any_work_and_all_named(
    fake_engine: Path, three: list[Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for name in ("Morning Calm.mp3", "Evening Rest.mp3"):
        (out / name).write_bytes(b"keep me")
    result = run("export", *three, "-o", out)
    assert result.exit_code == 1
    assert "Morning Calm.mp3" in result.stderr and "Evening Rest.mp3" in result.stderr
    assert "--force" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in out.iterdir()) == ["Evening Rest.mp3", "Morning Calm.mp3"]
    assert (out / "Morning Calm.mp3").read_bytes() == b"keep me"
    assert not fake_engine.exists()  # nothing was synthesized


def test_an_existing_sidecar_or_playlist_is_refused_too(fake_engine: Path, three: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "Stillpoint.m3u8").write_text("mine")
    (out / "Evening Rest.vtt").write_text("mine")
    result = run("export", *three, "-o", out, "--vtt")
    assert result.exit_code == 1 and "Stillpoint.m3u8" in result.stderr and "Evening Rest.vtt" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["Evening Rest.vtt", "Stillpoint.m3u8"]


def test_force_replaces_existing_files(synth: Synthesizer, three: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "Morning Calm.mp3").write_bytes(b"old")
    (out / "Stillpoint.m3u8").write_text("old")
    batch.export_batch(pipeline.load_scripts([str(s) for s in three]), out, Pace(), synth, ExportSettings(force=True))
    assert ID3(out / "Morning Calm.mp3")["TIT2"].text == ["Morning Calm"]
    assert (out / "Stillpoint.m3u8").read_text().startswith("#EXTM3U")


def test_a_file_where_the_folder_should_be_is_refused(fake_engine: Path, three: list[Path], tmp_path: Path) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("a file")
    result = run("export", *three, "-o", blocker)
    assert result.exit_code == 1 and "is a file, not a folder" in result.stderr
    assert blocker.read_text() == "a file"


@pytest.mark.parametrize(
    ("args", "message"),
    [(("export",), "say which practice to export"), (("export", "benefactor", "--all"), "not both"),
     (("export", "--all", "-o", "all.mp3"), "all.mp3: error: names a file, but several practices need a folder"),
     (("export", "--all", "--cover", "missing.png"), "--cover: no such file"),
     (("export", "--all", "--bitrate", "192"), "MP3 cannot use 192 kbps")],
)
def test_batch_mistakes_are_usage_errors(fake_engine: Path, args: tuple[str, ...], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2 and message in result.stderr
    assert not fake_engine.exists()


@pytest.mark.parametrize(("second", "message"), [
    ("{path}", "'{path}' is named twice"), ("{name}", "'{path}' and '{name}' are one practice"),
])
def test_a_practice_named_twice_is_refused(three: list[Path], monkeypatch: pytest.MonkeyPatch, second: str,
                                           message: str) -> None:
    monkeypatch.chdir(three[0].parent)
    names = {"path": str(three[0]), "name": three[0].name}
    with pytest.raises(UsageError, match=re.escape(message.format(**names))) as caught:
        pipeline.load_scripts([str(three[1]), str(three[0]), second.format(**names)])
    assert caught.value.diagnostic.hint == "name each practice once"


def test_set_applies_to_the_practices_that_have_the_variable(tmp_path: Path) -> None:
    with_var = tmp_path / "v.txt"
    with_var.write_text("---\ntitle: Friend\nvars:\n  who: a friend\n---\nThink of {who}.\n")
    plain = practice(tmp_path, "plain", "Plain")
    parsed = pipeline.load_scripts([str(with_var), str(plain)], {"who": "my sister"})
    assert parsed[0].speeches()[0].text == "Think of my sister."
    with pytest.raises(UsageError, match=r"none of the practices has a variable \{nobody\}.*their variables: who"):
        pipeline.load_scripts([str(with_var), str(plain)], {"nobody": "x"})


def test_lines_shared_between_practices_are_synthesized_once(tmp_path: Path) -> None:
    scripts = pipeline.load_scripts([str(practice(tmp_path, "a", "First")), str(practice(tmp_path, "b", "Second"))])
    reports: list[batch.BatchProgress] = []
    with Synthesizer(FAKE_ENGINE, cache=ClipCache(tmp_path / "cache"), workers=1) as fresh:
        batch.export_batch(scripts, tmp_path / "out", Pace(), fresh, on_progress=reports.append)
    first = [r.speech for r in reports if r.number == 1][-1]
    second = [r.speech for r in reports if r.number == 2][-1]
    assert (first.total, first.cached) == (4, 0)
    assert (second.total, second.cached) == (4, 4)
    assert {(r.title, r.total) for r in reports} == {("First", 2), ("Second", 2)}


def test_every_track_is_written_whatever_order_the_threads_finish_in(synth: Synthesizer, tmp_path: Path) -> None:
    sources = [str(practice(tmp_path, f"p{n}", f"Track {n}", f"Words {n}.")) for n in range(5)]
    written: list[str] = []
    done = batch.export_batch(pipeline.load_scripts(sources), tmp_path / "out", Pace(), synth, writers=3,
                              on_written=lambda track: written.append(track.info.title))
    assert [track.info.track for track in done] == [(n, 5) for n in range(1, 6)]
    assert sorted(written) == [f"Track {n}" for n in range(5)]
    for track in done:
        assert duration(track.path) == pytest.approx(track.timeline.total, rel=0.01)


def interrupting_render(monkeypatch: pytest.MonkeyPatch, on_call: int) -> None:
    """Make the renderer raise KeyboardInterrupt a few chunks into its ``on_call``-th track."""
    real = pipeline.render_events
    calls = []

    def render_events(*args: object, **kwargs: object) -> Iterator[tuple[object, bytes]]:
        calls.append(1)
        for index, rendered in enumerate(real(*args, **kwargs)):
            if len(calls) == on_call and index == 5:
                raise KeyboardInterrupt
            yield rendered

    monkeypatch.setattr(pipeline, "render_events", render_events)


def test_an_interrupt_while_rendering_the_second_track_keeps_the_first_whole(
    synth: Synthesizer, monkeypatch: pytest.MonkeyPatch, three: list[Path], tmp_path: Path
) -> None:
    interrupting_render(monkeypatch, on_call=2)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        batch.export_batch(pipeline.load_scripts([str(s) for s in three]), out, Pace(), synth, writers=1)
    assert [p.name for p in out.iterdir()] == ["Morning Calm.mp3"]
    assert complete(out / "Morning Calm.mp3")
    assert not leftovers(tmp_path)


def interrupting_engine(monkeypatch: pytest.MonkeyPatch, before: threading.Event) -> None:
    """Make speech for the second practice stop with KeyboardInterrupt two lines in, once ``before`` is set."""
    real = Synthesizer.clips
    calls = []

    def clips(self: Synthesizer, *args: object, **kwargs: object) -> Iterator[object]:
        calls.append(1)
        for index, clip in enumerate(real(self, *args, **kwargs)):
            if len(calls) == 3 and index == 2:  # each practice asks twice: to time it, then to render it
                assert before.wait(10)
                raise KeyboardInterrupt
            yield clip

    monkeypatch.setattr(Synthesizer, "clips", clips)


def test_ctrl_c_while_speaking_the_second_practice_keeps_the_finished_file_and_no_partial_ones(
    fake_engine: Path, monkeypatch: pytest.MonkeyPatch, three: list[Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    first_written = threading.Event()
    interrupting_engine(monkeypatch, first_written)
    real_write = pipeline.write_track
    monkeypatch.setattr(pipeline, "write_track", lambda *a, **k: (real_write(*a, **k), first_written.set())[0])
    result = run("export", *three, "-o", out)
    assert result.exit_code == 130
    assert [p.name for p in out.iterdir()] == ["Morning Calm.mp3"]
    assert result.stdout.startswith(str(out / "Morning Calm.mp3"))
    assert ID3(out / "Morning Calm.mp3")["TRCK"].text == ["1/3"]
    assert complete(out / "Morning Calm.mp3")
    assert not leftovers(tmp_path)


def test_ctrl_c_while_a_track_is_being_written_leaves_no_partial_file(
    synth: Synthesizer, monkeypatch: pytest.MonkeyPatch, three: list[Path], tmp_path: Path
) -> None:
    writing = threading.Event()
    interrupting_engine(monkeypatch, writing)
    real = pipeline.render_events

    def slow_render(*args: object, **kwargs: object) -> Iterator[tuple[object, bytes]]:
        for rendered in real(*args, **kwargs):
            writing.set()
            time.sleep(0.1)
            yield rendered

    monkeypatch.setattr(pipeline, "render_events", slow_render)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        batch.export_batch(pipeline.load_scripts([str(s) for s in three]), out, Pace(), synth)
    assert list(out.iterdir()) == []
    assert not leftovers(tmp_path)


def test_a_track_that_fails_stops_the_batch_and_keeps_what_was_finished(
    synth: Synthesizer, monkeypatch: pytest.MonkeyPatch, three: list[Path], tmp_path: Path
) -> None:
    real = pipeline.export_track
    calls = []

    def failing(chunks: Iterator[bytes], dest: Path, *args: object, **kwargs: object) -> Path:
        calls.append(dest)
        if len(calls) == 2:
            raise ExportError("cannot be written: No space left on device", path=str(dest))
        return real(chunks, dest, *args, **kwargs)

    monkeypatch.setattr(pipeline, "export_track", failing)
    out = tmp_path / "out"
    with pytest.raises(ExportError, match="No space left on device"):
        batch.export_batch(pipeline.load_scripts([str(s) for s in three]), out, Pace(), synth, writers=1)
    assert [p.name for p in out.iterdir()] == ["Morning Calm.mp3"]
    assert complete(out / "Morning Calm.mp3")
    assert not leftovers(tmp_path)
