"""One module per command (or group of commands), each with its typer ``app``.

A command's module is imported only when that command runs or shows its help: the table below names each
module and the summary `stillpoint --help` lists, so listing the commands, suggesting one for a mistyped name
and starting another command load none of the others. The order is the order of the help.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    """Where a command lives, and the first line of its help (a test holds the two equal)."""

    module: str
    summary: str


COMMANDS = {name: Entry(f"{__name__}.{module}", summary) for name, module, summary in (
    ("export", "export", "Render practices to MP3 (or WAV) files tagged for phones; several go into a folder with a "
                         "playlist."),
    ("play", "play", "Play a practice; it starts at once. Keys: space pause, n/p section, ←/→ 15 s, +/- volume, "
                     "q stop."),
    ("check", "check", "Check scripts for errors and for what a listener would notice; findings are PATH:LINE:COL."),
    ("plan", "plan", "Show every event with its start time and the total length (a dry run of export)."),
    ("list", "catalog", "List the practices Stillpoint knows, with estimated length, title and tags."),
    ("new", "new", "Start a practice script from a commented template, or from a copy of a practice."),
    ("convert", "convert", "Convert a script to SSML, or SSML or an informally marked-up text to a script; the report "
                           "goes to stderr."),
    ("preview", "preview", "Hear one section or a few lines of a practice, or export just that part with -o."),
    ("studio", "studio", "Write, hear and hand over practices in the browser; the first line printed is the studio's "
                         "link."),
    ("serve", "serve", "Publish exported tracks as a private podcast feed for a phone on the same network, until "
                       "Ctrl-C."),
    ("voices", "voices", "List every voice: its name (for `voice:` or --voice), engine, language, whether installed, "
                         "and what it is."),
    ("cache", "cache", "Inspect or clear the cache of synthesized lines."),
)}
