"""The formats a text converts between, the one a file is in, and the conversion from one to another."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from stillpoint.errors import Diagnostic, ScriptError, UsageError
from stillpoint.language import script as script_language
from stillpoint.language.convert._from_ssml import ssml_to_script
from stillpoint.language.convert._informal import informal_to_script
from stillpoint.language.convert._notes import Conversion
from stillpoint.language.convert._to_ssml import script_to_ssml

FORMATS = ("script", "ssml", "informal")
READERS: dict[str, Callable[[str, str], Conversion]] = {"ssml": ssml_to_script, "informal": informal_to_script}


def guess_format(path: str, text: str) -> str:
    """'ssml' for .ssml/.xml files or text that starts like XML, else 'script'."""
    if Path(path).suffix.lower() in (".ssml", ".xml") or text.lstrip().startswith(("<?xml", "<speak")):
        return "ssml"
    return "script"


def convert(text: str, path: str, source: str | None = None, target: str | None = None,
            values: dict[str, str] | None = None, dest: str = "<output>") -> Conversion:
    """Convert ``text`` (read from ``path``) from one format to another, guessing what is not given.

    A script made from SSML or informal text is read back as if from ``dest``, and its errors join the notes.
    """
    source = source or guess_format(path, text)
    target = target or ("ssml" if source == "script" else "script")
    if source == target or target == "informal":
        raise UsageError(f"cannot convert {path} from {source} to {target}",
                         hint="convert a script --to ssml, or ssml or informal text --to script")
    as_script = Conversion(text) if source == "script" else READERS[source](text, path)
    if target == "script":
        return Conversion(as_script.text, as_script.notes + tuple(output_problems(as_script.text, dest)))
    ssml = script_to_ssml(script_language.parse(as_script.text, path, values))
    return Conversion(ssml.text, as_script.notes + ssml.notes)


def output_problems(text: str, path: str) -> list[Diagnostic]:
    """The errors a converted script would raise when read back from ``path``; empty if it is clean."""
    try:
        script_language.parse(text, path)
    except ScriptError as err:
        return err.diagnostics
    return []
