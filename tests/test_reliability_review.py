"""The review under hostile input: its time per kilobyte does not grow with the script, in a child process."""

from __future__ import annotations

import pytest

from reliability import grows_linearly

SCALING = """
import json, sys, time
from stillpoint.app import authoring
from stillpoint.language import review

def best(text):
    times = []
    for _ in range(3):
        started = time.perf_counter()
        authoring.check_text(text, "big.txt", reviewing=review.Options())
        times.append(time.perf_counter() - started)
    return min(times)

review.prepare()
build = eval(sys.argv[1])
small, large = best(build(int(sys.argv[2]))), best(build(int(sys.argv[2]) * int(sys.argv[3])))
print(json.dumps([small, large]))
"""
PATHOLOGICAL = {
    "many-long-silences": 'lambda n: "Rest here.\\n[soak 3m]\\n" * (n // 19)',
    "one-endless-sentence-of-orders": 'lambda n: "stay with it no matter what and shut your eyes and do not move " '
                                      '* (n // 63)',
    "one-endless-sentence-of-one-word": 'lambda n: "Stay " + "stay " * (n // 5)',
    "harrowing-words-everywhere": 'lambda n: "War and death and abuse, passed away. " * (n // 38)',
    "eyes-closing-everywhere": 'lambda n: "Close your eyes.\\n" * (n // 17)',
    "promises-everywhere": 'lambda n: "You will feel completely calm every time, guaranteed. " * (n // 53)',
}


@pytest.mark.parametrize("build", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_the_review_s_time_per_kilobyte_does_not_grow_with_the_input(build: str) -> None:
    assert grows_linearly(SCALING, build, timeout=120)
