"""The one error family: exit statuses, and findings about a setting that each door names its own way."""

from __future__ import annotations

from stillpoint.errors import Diagnostic, ExitStatus, Setting, StillpointError, UsageError


def test_the_exit_statuses_are_the_documented_codes() -> None:
    assert [int(status) for status in ExitStatus] == [0, 1, 2, 130]
    assert StillpointError("x").exit_code is ExitStatus.ERROR and UsageError("x").exit_code is ExitStatus.USAGE


def test_a_finding_about_a_setting_is_named_once_as_the_door_names_it() -> None:
    found = UsageError("small.txt has no variable {x}", hint="its variables: who", setting=Setting("set", "x"))
    assert found.diagnostic.message == "small.txt has no variable {x}"
    named = found.diagnostic.naming(lambda setting: f"--{setting.name} {setting.value}")
    assert str(named) == "error: --set x: small.txt has no variable {x} (its variables: who)"
    assert named.naming(lambda _setting: "again") == named  # named once: the setting is spent
    plain = Diagnostic("a.txt", 1, 1, "no setting here")
    assert plain.naming(lambda _setting: "unused") is plain
