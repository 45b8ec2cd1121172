"""`stillpoint export`: practices rendered to MP3 (or WAV) files tagged for phones; several into a folder with a
playlist (and a podcast feed, given its address), or one practice once per client of a table."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from stillpoint.app import pipeline, session
from stillpoint.audio import clock
from stillpoint.cli import display, environment
from stillpoint.cli.base import command_app, handled
from stillpoint.cli.options import CacheOpt, DebugOpt, FittedSpeaking, QuietOpt, Sound
from stillpoint.errors import UsageError, printable
from stillpoint.language.script import Script
from stillpoint.language.timeline import Pace
from stillpoint.output import sidecars
from stillpoint.sound.render import RenderOptions
from stillpoint.voice import Synthesizer

if TYPE_CHECKING:
    from stillpoint.app import batch

app = command_app()


@app.command()
@handled
def export(
    scripts: Annotated[
        Optional[list[str]], typer.Argument(help="Practice names or script files.", show_default=False)] = None,
    all_: Annotated[bool, typer.Option("--all", help="Export every practice in the library.")] = False,
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", help="File to write (.mp3 or .wav); for several practices, the folder for them.")] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", help="mp3 or wav (default: from -o, else mp3).")] = None,
    bitrate: Annotated[int, typer.Option("--bitrate", help="MP3 bit rate in kbps.", min=32, max=320)] = 64,
    sound: Sound = Sound(),
    force: Annotated[bool, typer.Option("--force", help="Replace existing files.")] = False,
    album: Annotated[str, typer.Option("--album", help="Album name in the tags, e.g. a collection's.")] = (
        pipeline.DEFAULT_ALBUM),
    cover: Annotated[Optional[Path], typer.Option(
        "--cover", help="Cover picture, PNG or JPEG (default: one made from the title).")] = None,
    lrc: Annotated[bool, typer.Option("--lrc", help="Also write time-synced lyrics (.lrc) beside each file.")] = False,
    vtt: Annotated[bool, typer.Option("--vtt", help="Also write WebVTT captions (.vtt) beside each file.")] = False,
    for_: Annotated[Optional[Path], typer.Option(
        "--for", help="A CSV file of clients (a header of variable names, a row each): one track per client.",
        show_default=False)] = None,
    feed_url: Annotated[Optional[str], typer.Option(
        "--feed-url", help="With a folder: also write a podcast feed (feed.xml) for this address of it on a web host.",
        show_default=False)] = None,
    speaking: FittedSpeaking = FittedSpeaking(),
    cache_dir: CacheOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Render practices to MP3 (or WAV) files tagged for phones; several go into a folder with a playlist.

    \b
    Examples:
      stillpoint export benefactor
      stillpoint export my-practice.txt -o ~/phone/evening.mp3 --rate 110 --voice en-us
      stillpoint export --all -o ~/Music/Stillpoint/
      stillpoint export --all -o site/calm/ --feed-url https://example.org/calm/feed.xml
    """
    from stillpoint.app import batch

    output = audio_file(output)
    names = batch.sources(scripts or [], all_)
    parsed = _for_clients(names, for_, speaking.values()) if for_ else pipeline.load_scripts(names, speaking.values())
    several = bool(for_) or all_ or len(parsed) > 1 or (output is not None and output.is_dir())
    kinds = tuple(kind for kind, wanted in zip(sidecars.KINDS, (lrc, vtt)) if wanted)
    read = pipeline.files_read((each.path for each in parsed), cover, sound.ambience, for_)
    settings = pipeline.ExportSettings(dest=output, fmt=fmt, bitrate=bitrate, force=force, album=album,
                                       cover=_cover(cover), sidecars=kinds, feed_url=_feed_url(feed_url, several),
                                       read=read)
    options, pace = sound.render_options(), speaking.pace()
    with session.synthesizer(cache_dir, speaking.voice) as synth:
        if several:
            _export_several(parsed, output or Path.cwd(), pace, synth, settings, options, quiet)
        else:
            _export_one(parsed[0], pace, synth, settings, options, quiet)
        display.warnings(synth.warnings(), quiet)


def _export_one(parsed: Script, pace: Pace, synth: Synthesizer, settings: pipeline.ExportSettings,
                options: RenderOptions, quiet: bool) -> None:
    """One practice to one file, and a line saying where it went."""
    with display.progress(quiet, "Speaking") as on_progress:
        written, timeline = pipeline.export(parsed, pace, synth, settings, options, on_progress)
    if not quiet:
        display.say(summary(written, timeline.total, parsed.meta.title))


def _export_several(parsed: list[Script], folder: Path, pace: Pace, synth: Synthesizer,
                    settings: pipeline.ExportSettings, options: RenderOptions, quiet: bool) -> None:
    """Several practices into ``folder``, a line for each file written (and the feed, if one was asked for)."""
    from stillpoint.app import batch

    with _batch_display(quiet, len(parsed)) as (on_progress, on_written):
        batch.export_batch(parsed, folder, pace, synth, settings, options, on_progress, on_written)
    if settings.feed_url and not quiet:
        display.say(f"podcast feed written for {settings.feed_url}")


def _for_clients(names: list[str], clients: Path, values: dict[str, str]) -> list[Script]:
    """The one practice named, once per client of the CSV file given with --for."""
    from stillpoint.app import personalize

    if len(names) != 1:
        raise UsageError("--for personalizes one practice", hint="name a single practice, e.g. export benefactor --for "
                         "clients.csv -o DIR")
    return personalize.scripts_for_file(names[0], clients, values)


def _feed_url(url: str | None, several: bool) -> str | None:
    """--feed-url as the address of feed.xml; only a folder of tracks gets a feed."""
    if url is None:
        return None
    if not several:
        raise UsageError("--feed-url: a feed is written beside a folder of tracks",
                         hint="add --all, or give several practices with -o FOLDER")
    from stillpoint.app import publish

    return publish.feed_url_of(url)


def audio_file(output: Path | None) -> Path | None:
    """-o as given; `-o -` is refused, since tags and chapters go into the file after the audio is written."""
    if output is not None and str(output) == "-":
        raise UsageError("-o -: audio cannot be written to standard output", hint="give a file name, such as calm.mp3")
    return output


def _cover(path: Path | None) -> bytes | None:
    """The picture given with --cover, checked; Pillow loads only for export."""
    from stillpoint.output import cover as cover_art

    return cover_art.load(path) if path else None


def summary(path: Path, seconds: float, title: str) -> str:
    """The line that says a file was written: where, how long, and what."""
    return f"{path}  {clock(seconds)}  {title}"


@contextmanager
def _batch_display(
    quiet: bool, total: int
) -> "Iterator[tuple[Callable[[batch.BatchProgress], None], Callable[[batch.Exported], None]]]":
    """A bar over the whole batch on stderr (on a terminal only) and a line on stdout per file written."""

    def say(done: "batch.Exported") -> None:
        if not quiet:
            display.say(summary(done.path, done.timeline.total, done.info.title))

    env = environment.current()
    if quiet or not env.stderr_isatty:
        yield (lambda _state: None), say
        return
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn

    columns = (TextColumn("Exporting"), BarColumn(bar_width=24), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("{task.fields[now]}", markup=False))
    with display.progress_bar(columns) as bar:
        task = bar.add_task("Exporting", total=total, now="")

        def speaking(state: "batch.BatchProgress") -> None:
            bar.update(task, now=printable(f"{state.speech.done}/{state.speech.total} lines of {state.title}"))

        def written(done: "batch.Exported") -> None:
            bar.advance(task)
            if env.stdout_isatty:  # the same screen: print above the bar rather than through it
                bar.console.print(printable(summary(done.path, done.timeline.total, done.info.title)), markup=False,
                                  highlight=False, soft_wrap=True)
            else:
                say(done)

        yield speaking, written
