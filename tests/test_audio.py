"""The ground's clock: how every door and screen shows a length or a moment."""

from __future__ import annotations

import pytest

from stillpoint.audio import clock


@pytest.mark.parametrize(("seconds", "shown"), [
    (0, "0:00"), (9.4, "0:09"), (59.5, "1:00"), (761, "12:41"), (3599.4, "59:59"),
    (3599.6, "1:00:00"), (90 * 60, "1:30:00"), (10 * 3600 + 61, "10:01:01"), (-3, "0:00"),
])
def test_a_length_is_minutes_under_an_hour_and_hours_from_one_on(seconds: float, shown: str) -> None:
    assert clock(seconds) == shown
