"""The workers' processes: forked from a zygote that loaded their engine's shared start once, or spawned; a zygote
that dies or never finishes loading; and nothing left running when the process that started them is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from stillpoint.errors import SynthesisError
from stillpoint.voice import Synthesizer, pool, processes

from . import faulty_engines
from .faulty_engines import line, lines, spoken
from .family import descendants, zygotes

FAULTY = f"{faulty_engines.__name__}:FaultyEngine"
PRELOADING = f"{faulty_engines.__name__}:PreloadingEngine"
STUCK = f"{faulty_engines.__name__}:StuckPreloadEngine"
forked_only = pytest.mark.skipif(not processes.forking(), reason="this system spawns every worker")


def test_linux_forks_its_workers():
    assert processes.forking() == sys.platform.startswith("linux")


def test_only_a_zygote_preloads_and_every_worker_it_forks_finds_that_done(start, log):
    with Synthesizer(PRELOADING, workers=2) as synth:
        wanted = lines("slow one", "two", "three")
        assert list(synth.clips(wanted)) == [spoken(u) for u in wanted]
    preloads = [pid for pid, text in log() if text == "preload"]
    starts = [(pid, text) for pid, text in log() if text.startswith("start")]
    speakers = {pid for pid, text in log() if not text.startswith(("preload", "start"))}
    assert len(starts) == 2 and {pid for pid, _ in starts} == speakers
    if start == "forked":
        assert len(preloads) == 1 and preloads[0] not in speakers
        assert {text for _, text in starts} == {"start preloaded=True"}
    else:
        assert preloads == [] and {text for _, text in starts} == {"start preloaded=False"}


@forked_only
def test_the_workers_of_a_zygote_that_dies_carry_on_and_a_new_one_forks_the_next(log):
    with Synthesizer(FAULTY, workers=2) as synth:
        list(synth.clips(lines("slow one", "two")))
        [zygote] = zygotes()
        zygote.kill()
        while zygote.status() != psutil.STATUS_ZOMBIE:  # ended, and left for its parent to collect
            time.sleep(0.01)
        again = lines("three", "four", "five")
        assert list(synth.clips(again)) == [spoken(u) for u in again]
        assert len({pid for pid, _ in log()}) == 2  # the same two workers
        with pytest.raises(SynthesisError, match=r"stopped unexpectedly \(exit code unknown\)"):
            list(synth.clips([line("crash now", 4)]))  # its zygote, which would have said how it ended, is gone
        assert list(synth.clips(lines("six", "seven"))) == [spoken(u) for u in lines("six", "seven")]
        assert len(zygotes()) == 1 and zygotes()[0].pid != zygote.pid


@forked_only
def test_a_zygote_stuck_loading_fails_the_start_in_time_and_leaves_nothing_running(monkeypatch):
    monkeypatch.setattr(pool, "STARTUP_GRACE", 0.5)
    before = descendants()
    with Synthesizer(STUCK, workers=1, timeout=0.5) as synth:
        with pytest.raises(SynthesisError, match="did not start within 1 s"):
            list(synth.clips([line("hello")]))
        assert descendants() == before


PARENT = f"""
import sys, time
from stillpoint.voice import Synthesizer
from stillpoint.language.timeline import Utterance
synth = Synthesizer("{FAULTY}", workers=2)
list(synth.clips([Utterance(text, "fake-a", 150, "p.txt", 1) for text in ("slow one", "two")]))
print("ready", flush=True)
time.sleep(60)
"""


def test_killing_the_process_that_started_the_workers_ends_them_all_quietly(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                              cwd=tmp_path)
    assert parent.stdout.readline() == b"ready\n"
    family = psutil.Process(parent.pid).children(recursive=True)
    assert len(family) >= 3  # two workers, and a zygote or the resource tracker
    parent.send_signal(signal.SIGKILL)
    _, stderr = parent.communicate(timeout=30)  # ends once every process holding its stderr has ended
    gone, alive = psutil.wait_procs(family, timeout=10)
    assert alive == [] and stderr == b""
