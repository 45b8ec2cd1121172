"""Converting between Stillpoint scripts, SSML and informally marked-up scripts. Pure: text in, text out.

One converter per module, with what they share kept apart and the choice between them on top; everything a caller
needs is here: ``_notes`` the Conversion returned and its notes, ``_to_ssml`` script -> SSML, ``_from_ssml``
SSML -> script (reading back what ``_to_ssml`` writes), ``_informal`` hand-written cues -> script, ``_formats``
the formats and ``convert`` from one to another.
"""

from __future__ import annotations

from stillpoint.language.convert._formats import FORMATS, convert, guess_format, output_problems
from stillpoint.language.convert._from_ssml import ssml_to_script
from stillpoint.language.convert._informal import informal_marker, informal_to_script
from stillpoint.language.convert._notes import Conversion
from stillpoint.language.convert._to_ssml import marker_text, script_to_ssml

__all__ = ["FORMATS", "Conversion", "convert", "guess_format", "informal_marker", "informal_to_script", "marker_text",
           "output_problems", "script_to_ssml", "ssml_to_script"]
