"""Remake docs/studio.png: the studio on a practice with a warning, its hint open, a section playing.

Run from the repository root in the project's environment: `python tools/screenshot_studio.py [OUT.png]`.
It starts `stillpoint studio` on a folder of its own (a copy of a built-in practice with one soak
too short), drives Debian's chromium through Playwright, and writes the picture.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/lib/chromium/chromium"
OUT = ROOT / "docs" / "studio.png"
PRACTICE = "benefactor"


def practice_folder(folder: Path) -> None:
    """A folder holding an evening practice: the built-in one, with its first soak too short to soak in."""
    text = (ROOT / "scripts" / f"{PRACTICE}.txt").read_text(encoding="utf-8")
    (folder / "evening-benefactor.txt").write_text(text.replace("[soak 30s]", "[soak 5s]", 1), encoding="utf-8")


def start_studio(folder: Path, cache: Path) -> tuple[subprocess.Popen, str]:
    """`stillpoint studio` on ``folder``, and the link it prints first."""
    env = {**os.environ, "STILLPOINT_CACHE": str(cache)}
    studio = subprocess.Popen([sys.executable, "-m", "stillpoint", "studio", str(folder), "--no-browser"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                              text=True)
    return studio, studio.stdout.readline().strip()


def photograph(link: str, out: Path) -> None:
    """Open the studio, play a section, hover the mistake, and take the picture."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--autoplay-policy=no-user-gesture-required"])
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(link)
        expect(page.locator("#problems li.warning")).to_have_count(1, timeout=15000)
        page.get_by_role("tab", name="Hear").click()
        page.get_by_role("button", name="Hear Bringing the benefactor to mind", exact=True).click()
        expect(page.locator(".cm-spokenLine")).to_have_count(1, timeout=15000)
        # Pause near the end of the section, where its last lines sit just above the soak that is too short; wait
        # for the seek to end, so that the spoken line it marks scrolls the editor before the jump, not after.
        page.locator("#player").evaluate("player => new Promise(done => { player.onseeked = done; player.pause(); "
                                         "player.currentTime = player.duration - 24; })")
        line = page.locator("#problems li.warning .where").text_content().split(":")[0]
        page.evaluate(f"editor.jumpTo({line}, 1)")
        page.locator(".cm-lintRange-warning").hover()
        expect(page.locator(".cm-tooltip-lint")).to_be_visible()
        page.screenshot(path=str(out))
        browser.close()


def main() -> None:
    """Make the screenshot (to the path given, or docs/studio.png)."""
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    with tempfile.TemporaryDirectory(prefix="stillpoint-screenshot-") as name:
        folder = Path(name) / "practices"
        folder.mkdir()
        practice_folder(folder)
        studio, link = start_studio(folder, Path(name) / "cache")
        try:
            photograph(link, out)
        finally:
            studio.terminate()
            studio.wait(30)
    print(out)


if __name__ == "__main__":
    main()
