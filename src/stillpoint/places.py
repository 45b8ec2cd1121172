"""Where Stillpoint keeps things: every folder it uses and every environment variable it reads. Prints nothing.

Each place is read from the environment when asked, never at import, so a change to the environment (a test's, or
a setting given on the command line) is followed. The XDG base directories are honoured as their specification
asks: a variable that is unset, empty or not an absolute path is ignored, and the default under the home folder
is used instead (a relative one would put Stillpoint's files in whatever folder a command is run from).
"""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "STILLPOINT_CACHE"  # the clip cache's folder, instead of the XDG one
STATE_ENV = "STILLPOINT_STATE"  # the folder of resume points and the feed's secret, instead of the XDG one
LEXICON_ENV = "STILLPOINT_LEXICON"  # the pronunciation lexicon's file, which must then exist
PATH_ENV = "STILLPOINT_PATH"  # more folders of practices, searched first, separated like PATH
ENGINE_ENV = "STILLPOINT_ENGINE"  # 'module:Class' of one engine every line is sent to, for tests and experiments
NAME = "stillpoint"  # the folder of Stillpoint's own in each XDG base directory
LEXICON_NAME = "lexicon.txt"
FEED_SECRET_NAME = "serve-secret"  # in the state folder: makes each folder's private feed path the same at every start


def cache_folder() -> Path:
    """The clip cache: $STILLPOINT_CACHE, else $XDG_CACHE_HOME/stillpoint, else ~/.cache/stillpoint."""
    return named(CACHE_ENV) or _base("XDG_CACHE_HOME", ".cache") / NAME


def state_folder() -> Path:
    """Resume points and the feed's secret: $STILLPOINT_STATE, else $XDG_STATE_HOME/stillpoint, else
    ~/.local/state/stillpoint."""
    return named(STATE_ENV) or _base("XDG_STATE_HOME", ".local/state") / NAME


def practices_folder() -> Path:
    """The user's own practices (and the studio's folder unless given another): $XDG_DATA_HOME/stillpoint/practices,
    else ~/.local/share/stillpoint/practices."""
    return _base("XDG_DATA_HOME", ".local/share") / NAME / "practices"


def practice_path() -> list[Path]:
    """The folders $STILLPOINT_PATH names, in order, searched for practices before the user's own."""
    return [Path(entry).expanduser() for entry in os.environ.get(PATH_ENV, "").split(os.pathsep) if entry]


def lexicon_file() -> Path:
    """The pronunciation lexicon: $STILLPOINT_LEXICON, else $XDG_CONFIG_HOME/stillpoint/lexicon.txt, else
    ~/.config/stillpoint/lexicon.txt."""
    return named(LEXICON_ENV) or _base("XDG_CONFIG_HOME", ".config") / NAME / LEXICON_NAME


def feed_secret_file() -> Path:
    """The secret under which each published folder's private feed path is made, in the state folder."""
    return state_folder() / FEED_SECRET_NAME


def engine_spec() -> str | None:
    """The one engine every line is sent to, $STILLPOINT_ENGINE; None (when unset): each voice's own engine."""
    return os.environ.get(ENGINE_ENV) or None


def named(variable: str) -> Path | None:
    """The path a STILLPOINT_* ``variable`` names (``~`` expanded); None when it is unset or empty."""
    value = os.environ.get(variable)
    return Path(value).expanduser() if value else None


def keep_onnxruntime_private() -> None:
    """Keep onnxruntime from writing a device id and a telemetry database under $XDG_CACHE_HOME/Microsoft/.

    onnxruntime does so when it is imported unless ORT_DISABLE_TELEMETRY is set before its first import in the
    process (disable_telemetry_events() does not stop it): the neural engines call this before importing it, and
    the processes started after inherit it.
    """
    os.environ["ORT_DISABLE_TELEMETRY"] = "1"


def _base(variable: str, default: str) -> Path:
    """The XDG base directory in ``variable`` if it is an absolute path, else ``default`` under the home folder."""
    value = Path(os.environ.get(variable) or "")
    return value if value.is_absolute() else Path.home() / default
