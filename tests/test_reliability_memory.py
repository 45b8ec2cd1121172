"""Every kind of hostile case again, under a tight limit of memory: an answer in seconds, never a traceback.

The limit is on address space (RLIMIT_AS, what `ulimit -v` sets), per process: a small export needs
about 200 MB of it. Each case must end as it does with room to spare (tests/test_reliability_*.py), or,
where the limit leaves too little even for that, with one line saying so; never with a traceback.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from reliability import bounded, cli_env, expansion_bomb, fifo, fingerprint, long_wav, png_of_size

TIGHT = 256 * 2**20
SECONDS = 30.0


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# case: (how its files are made in the folder, arguments, extra environment, exit codes it may end with)
Case = tuple[Callable[[Path], None], tuple[str, ...], dict[str, str], tuple[int, ...]]
CASES: dict[str, Case] = {
    "endless script": (lambda t: None, ("plan", "/dev/zero"), {}, (1,)),
    "endless lexicon": (lambda t: None, ("plan", "{t}/good.txt"), {"STILLPOINT_LEXICON": "/dev/zero"}, (1,)),
    "endless cover": (lambda t: None, ("export", "{t}/good.txt", "--cover", "/dev/zero", "-o", "{t}/o.mp3"), {}, (2,)),
    "script FIFO": (lambda t: fifo(t / "pipe.txt"), ("plan", "{t}/pipe.txt"), {}, (1,)),
    "expansion": (expansion_bomb, ("plan", "{t}/bomb.txt"), {}, (1,)),
    "image bomb": (lambda t: png_of_size(t / "bomb.png", 30000, 30000),
                   ("export", "{t}/good.txt", "--cover", "{t}/bomb.png", "-o", "{t}/o.mp3"), {}, (2,)),
    "device destination": (lambda t: os.mknod(t / "null.mp3", 0o666 | 0o020000, os.makedev(1, 3)),
                           ("export", "{t}/good.txt", "-o", "{t}/null.mp3", "--force"), {}, (1,)),
    "flood": (lambda t: write(t / "lexicon.txt", "oops\n" * 300_000), ("plan", "{t}/good.txt"),
              {"STILLPOINT_LEXICON": "{t}/lexicon.txt"}, (1,)),
    "duplicate var": (lambda t: write(t / "twice.txt", "---\nvars:\n  a: x\n  a: y\n---\nHi {a}.\n"),
                      ("plan", "{t}/twice.txt"), {}, (1,)),
    "markup in --set": (lambda t: None, ("plan", "{t}/good.txt", "--set", "a=[pause 99h]"), {}, (2,)),
    "external entity": (lambda t: write(t / "x.ssml", '<!DOCTYPE speak [<!ENTITY e SYSTEM "/dev/zero">]>'
                                                       "<speak>Rest &e; here.</speak>"),
                        ("convert", "{t}/x.ssml"), {}, (0,)),
    "long ambience": (lambda t: long_wav(t / "night.wav", 3 * 3600.0),
                      ("export", "{t}/good.txt", "--ambience", "{t}/night.wav", "-o", "{t}/o.mp3"), {}, (0, 1)),
    "length": (lambda t: None, ("plan", "{t}/good.txt", "--length", "100h"), {}, (2,)),
}


@pytest.mark.parametrize("case", CASES)
def test_each_kind_of_case_answers_at_once_under_a_tight_memory_limit(tmp_path: Path, case: str) -> None:
    make, args, env, codes = CASES[case]
    write(tmp_path / "good.txt", "Rest here.\n")
    make(tmp_path)
    before = fingerprint(tmp_path) if case != "long ambience" else {}  # no need to read its 2 GB
    done = bounded(*(arg.format(t=tmp_path) for arg in args), memory=TIGHT, timeout=SECONDS, cwd=tmp_path,
                   env={**cli_env(tmp_path / "cache"), **{key: value.format(t=tmp_path) for key, value in env.items()}})
    assert done.returncode in codes and done.returncode != -signal.SIGKILL, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "Error:" not in done.stderr, done.stderr[-2000:]
    lines = done.stderr.splitlines()
    if done.returncode:
        assert len(lines) == (101 if case == "flood" else 1) and "error: " in lines[0], lines
        assert fingerprint(tmp_path) == before or case == "long ambience"
