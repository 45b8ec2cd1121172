"""Recording a line in a real browser: chromium's fake microphone plays a speech-like WAV file; the take is kept
beside the practice, its marker added to the line, the line shown recorded, then stale once its words change.

The Record view is checked by axe-core against WCAG 2 A and AA and worked with the keyboard alone.
"""

from __future__ import annotations

import io
import shutil
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from studio.test_browser import _serious_violations, _tab_to

from conftest import SMALL_PRACTICE
from studio.conftest import RunningStudio, chromium, start_studio

from stillpoint.errors import ScriptError
from stillpoint.language import script as script_language

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

RATE = 48000
PEAK = 0.5
LINE = "Settle in and let the floor hold you."  # line 10 of the small practice
TAKE = "010-settle-in-and-let-the-floor.wav"
FOLDER = "small.recordings"


def speech_like(seconds: float = 4.0) -> np.ndarray:
    """A voice-like sound: a gliding pitch (about 110 Hz) with vowel-like resonances, in syllables and pauses."""
    t = np.arange(int(seconds * RATE)) / RATE
    pitch = 110 + 25 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(pitch) / RATE
    first = 600 + 150 * np.sin(2 * np.pi * 3.1 * t)  # the first two formants, moving as vowels change
    second = 1500 + 300 * np.sin(2 * np.pi * 2.3 * t)
    voice = sum(np.sin(k * phase) * (np.exp(-((k * pitch - first) / 200) ** 2)
                                     + 0.5 * np.exp(-((k * pitch - second) / 300) ** 2)) for k in range(1, 36))
    syllables = np.clip(np.sin(2 * np.pi * 4 * t), 0, None) ** 0.5 * (t % 1.5 < 1.1)
    sound = voice * syllables
    return PEAK * sound / np.abs(sound).max()


def write_wav(path: Path, samples: np.ndarray) -> Path:
    """``samples`` (floats in -1..1) as a 16-bit mono WAV file."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes((samples * 32767).astype("<i2").tobytes())
    return path


def read_wav(data: bytes) -> tuple[int, int, np.ndarray]:
    """The rate, channels and samples (floats) of a 16-bit WAV file."""
    with wave.open(io.BytesIO(data)) as wav:
        assert wav.getsampwidth() == 2
        frames = wav.readframes(wav.getnframes())
        return wav.getframerate(), wav.getnchannels(), np.frombuffer(frames, "<i2") / 32768


def knows_recorded() -> bool:
    """Whether the script language reads ``[recorded FILE]``: hearing a take needs it."""
    try:
        script_language.parse("Rest here. [recorded rest.wav]\n", "known.txt")
    except ScriptError as err:
        return "unknown marker" not in str(err)
    return True


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStudio]:
    """A studio with the fake engine on a folder holding small.txt."""
    studio = start_studio(tmp_path_factory.mktemp("record"))
    yield studio
    studio.stop()


@pytest.fixture(scope="module")
def browser(running: RunningStudio, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """Headless chromium whose microphone plays a speech-like WAV file; the cookie its link gave."""
    voice = write_wav(tmp_path_factory.mktemp("microphone") / "voice.wav", speech_like())
    with chromium(running, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                  f"--use-file-for-fake-audio-capture={voice}") as launched:
        yield launched


@pytest.fixture
def page(browser, running: RunningStudio) -> Iterator[object]:
    """The studio with small.txt open, no take yet, and the Record panel shown; fails on any script error."""
    (running.folder / "small.txt").write_text(SMALL_PRACTICE)
    shutil.rmtree(running.folder / FOLDER, ignore_errors=True)
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.add_cookies(running.cookies)
    opened = context.new_page()
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(str(error)))
    opened.on("request", lambda request: request.url.startswith((running.base, "blob:"))
              or problems.append(request.url))
    opened.goto(running.base + "/")
    expect(opened.locator("#file")).to_have_text("small.txt")
    opened.get_by_role("tab", name="Record").click()
    yield opened
    context.close()
    assert not problems


def _loudest(page, seconds: float) -> float:
    """The highest level in dB the meter tells (in words, for a screen reader) over ``seconds``."""
    heard, deadline = -60.0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        told = page.locator("#level").get_attribute("aria-valuetext").split()[0]
        heard = max(heard, float(told)) if told != "silent" else heard
        time.sleep(0.05)
    return heard


def _record(page, seconds: float = 1.5) -> None:
    """Record the cursor's line for about ``seconds`` after the count-in, with the Record and Stop buttons."""
    page.get_by_role("button", name="Record line 10").click()
    expect(page.locator("#count-in")).to_have_text("Recording", timeout=10000)
    time.sleep(seconds)
    page.get_by_role("button", name="Stop").click()
    expect(page.get_by_role("button", name="Keep")).to_be_enabled()


def test_a_line_recorded_and_kept_is_a_wav_beside_the_practice_and_the_line_plays_it(page,
                                                                                    running: RunningStudio) -> None:
    page.evaluate("editor.jumpTo(10, 1)")
    expect(page.locator("#record-line")).to_have_text(f"Line 10: {LINE}")
    page.get_by_role("button", name="Record line 10").click()
    expect(page.locator("#count-in")).to_have_text("3…")
    assert page.locator("#count-in").get_attribute("aria-live") == "assertive"
    expect(page.locator("#count-in")).to_have_text("Recording", timeout=10000)
    assert _loudest(page, 1.5) > -20  # the meter hears the voice
    expect(page.locator("#level-text")).to_contain_text("dB")
    page.get_by_role("button", name="Stop").click()
    expect(page.locator("#record-status")).to_contain_text("listen back, then keep it or retake")
    assert page.evaluate("document.getElementById('take').src").startswith("blob:")
    assert _serious_violations(page) == [], "the Record view with a take to listen to"
    page.get_by_role("button", name="Keep").click()
    expect(page.locator("#record-status")).to_contain_text(f"Kept: line 10 now plays your take ({TAKE})")
    marked = f"{LINE} [recorded {FOLDER}/{TAKE}]"
    expect(page.locator(".cm-line").nth(9)).to_have_text(marked)
    expect(page.locator("#takes button")).to_have_text(f"Line 10: {TAKE}your voice")
    expect(page.locator(".sp-take-recorded")).to_have_attribute("title", "recorded in your voice")
    page.keyboard.press("Control+s")
    expect(page.locator("#saved")).to_have_text("saved")
    assert marked in (running.folder / "small.txt").read_text().splitlines()
    rate, channels, samples = read_wav((running.folder / FOLDER / TAKE).read_bytes())
    assert channels == 1 and rate >= 44100 and 1.2 < len(samples) / rate < 3.0  # the sound card's own rate
    # the take is the microphone as it came: the fake device's level, not lowered by the browser's processing
    assert 0.8 * PEAK < np.abs(samples).max() <= PEAK + 0.01 and np.sqrt(np.mean(samples ** 2)) > 0.05


def test_a_recorded_line_whose_words_change_is_flagged_stale_until_retaken(page, running: RunningStudio) -> None:
    page.evaluate("editor.jumpTo(10, 1)")
    _record(page)
    page.get_by_role("button", name="Keep").click()
    expect(page.locator("#takes button.recorded")).to_have_count(1)
    first = (running.folder / FOLDER / TAKE).read_bytes()
    page.evaluate("editor.jumpTo(10, 1)")
    page.keyboard.type("Now ")
    stale = page.locator("#takes button.stale")
    expect(stale).to_have_text(f"Line 10: {TAKE}recorded, but the line changed since: retake it")
    expect(page.locator(".sp-take-stale")).to_have_text("◐")
    assert _serious_violations(page) == [], "a stale take"
    page.get_by_role("button", name="Retake", exact=True).click()
    expect(page.locator("#count-in")).to_have_text("Recording", timeout=10000)
    time.sleep(0.8)
    page.get_by_role("button", name="Stop").click()
    page.get_by_role("button", name="Keep").click()
    expect(page.locator("#takes button.recorded")).to_have_count(1)
    expect(page.locator(".cm-line").nth(9)).to_have_text(f"Now {LINE} [recorded {FOLDER}/{TAKE}]")
    assert (running.folder / FOLDER / TAKE).read_bytes() != first
    assert sorted(p.name for p in (running.folder / FOLDER).iterdir()) == [TAKE, "takes.json"]


def test_the_record_view_passes_axe_and_works_with_the_keyboard_alone(page, running: RunningStudio) -> None:
    page.evaluate("editor.jumpTo(15, 1)")
    assert _serious_violations(page) == [], "the Record view"
    _tab_to(page, "#record-start")
    expect(page.locator("#record-start")).to_have_text("Record line 15")
    page.keyboard.press("Enter")
    expect(page.locator("#count-in")).to_have_text("Recording", timeout=10000)
    expect(page.locator("#record-stop")).to_be_focused()  # Stop takes the keyboard while recording
    assert _serious_violations(page) == [], "recording"
    time.sleep(0.8)
    page.keyboard.press("Enter")
    expect(page.locator("#record-keep")).to_be_focused()  # then Keep, once there is a take
    page.keyboard.press("Enter")
    expect(page.locator("#record-status")).to_contain_text("Kept: line 15")
    _tab_to(page, "#takes button")
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_have_text("Line 15")
    assert (running.folder / FOLDER / "015-come-back-when-you-are-ready.wav").is_file()


def test_a_heading_or_a_built_in_practice_cannot_be_recorded(page, running: RunningStudio) -> None:
    page.evaluate("editor.jumpTo(9, 1)")
    page.get_by_role("button", name="Record line 9").click()
    expect(page.locator("#record-status")).to_have_text(
        "line 9: line 9 is a heading, not a spoken line (put the cursor on a line of words to record)")
    expect(page.locator("#record-stop")).to_be_disabled()
    page.evaluate("editor.jumpTo(10, 1)")
    _record(page, 0.5)
    page.locator("#practices button", has_text="The Circle of Safety").click()
    expect(page.locator("#file")).to_contain_text("(built-in)")
    expect(page.get_by_role("button", name="Keep")).to_be_disabled()  # the take was for the other practice
    assert page.locator("#take").get_attribute("src") is None and not (running.folder / FOLDER).exists()
    page.evaluate("editor.jumpTo(10, 1)")
    page.get_by_role("button", name="Record line 10").click()
    expect(page.locator("#record-status")).to_contain_text("make a copy to record your own voice")


@pytest.mark.skipif(not knows_recorded(), reason="the script language does not read [recorded FILE] yet")
def test_hear_plays_the_take_among_the_synthesized_lines(page, running: RunningStudio) -> None:
    page.evaluate("editor.jumpTo(10, 1)")
    _record(page)
    page.get_by_role("button", name="Keep").click()
    expect(page.locator("#takes button.recorded")).to_have_count(1)
    page.get_by_role("tab", name="Hear").click()
    page.locator("#bells").uncheck()
    page.get_by_role("button", name="Play from the cursor").click()
    expect(page.locator("#hear-status")).to_contain_text("Playing from line 10")
    expect(page.locator("#strip .speech.recorded")).to_have_count(1)
