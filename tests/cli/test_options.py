"""The shared options: the sound and speaking groups, defined once, reach a command whole.

Annotations here are not postponed, as in the command modules: typer reads the probe's as written.
"""

import typer
from typer.testing import CliRunner

from stillpoint.cli.base import command_app, handled
from stillpoint.cli.options import DebugOpt, FittedSpeaking, Sound, Speaking


def probe(received: list[object], speaking_group: type[Speaking] = FittedSpeaking) -> typer.Typer:
    """A command taking both groups that keeps what it was given in ``received``."""
    app = command_app()

    @app.command()
    @handled
    def taken(sound: Sound = Sound(), speaking: speaking_group = speaking_group(), debug: DebugOpt = False) -> None:  # type: ignore[valid-type]
        """Keep what was given."""
        received.extend([sound, speaking])

    return app


def test_a_command_gets_each_group_packed_from_its_options() -> None:
    received: list[object] = []
    args = ["--loudness", "-20", "--ambience", "rain", "--voice", "en-us", "--set", "who=you", "--no-bells",
            "--length", "10m"]
    result = CliRunner().invoke(probe(received), args)
    assert result.exit_code == 0, result.output
    assert received == [Sound(loudness=-20.0, ambience="rain"),
                        FittedSpeaking(voice="en-us", set_=["who=you"], bells=False, length="10m")]
    assert received[1].values() == {"who": "you"} and received[1].target() == 600


def test_the_defaults_are_the_group_s_and_a_group_without_length_offers_none() -> None:
    received: list[object] = []
    assert CliRunner().invoke(probe(received, Speaking), []).exit_code == 0
    assert received == [Sound(), Speaking()] and received[1].target() is None
    refused = CliRunner().invoke(probe([], Speaking), ["--length", "10m"])
    assert refused.exit_code == 2 and "No such option: --length" in refused.output


def test_the_help_lists_each_group_s_options_in_their_order_the_bells_last() -> None:
    shown = CliRunner().invoke(probe([]), ["--help"]).output
    flags = ["--loudness", "--bell-volume", "--ambience", "--ambience-volume", "--rate", "--voice", "--set",
             "--length", "--bells", "--debug"]
    assert [shown.index(f"{flag} ") for flag in flags] == sorted(shown.index(f"{flag} ") for flag in flags)
