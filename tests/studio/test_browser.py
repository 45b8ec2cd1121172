"""The studio in a real browser (Debian's chromium through Playwright): write, hear, keep, hand over.

Every view is checked by axe-core against WCAG 2 A and AA, and walked with the keyboard alone.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from mutagen.id3 import ID3

from studio.conftest import RunningStudio, chromium, start_studio

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

AXE = Path(__file__).parent / "axe" / "axe.min.js"  # axe-core 4.14.1 from npm, MPL-2.0 (LICENSE beside it)
AXE_RUN = 'axe.run(document, {runOnly: ["wcag2a", "wcag2aa"]}).then(result => result.violations)'
PERSONAL = """---
title: A Letter of Care
vars:
  client: you
  who: someone who cares about you
---
# Opening
Welcome, {client}.
[pause 2s]
# Remembering
Think of {who}, and let their care reach you here in this room.
[soak 12s]
"""


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStudio]:
    """A studio with the fake engine on a folder holding small.txt and personal.txt."""
    studio = start_studio(tmp_path_factory.mktemp("browser"))
    (studio.folder / "personal.txt").write_text(PERSONAL, encoding="utf-8")
    yield studio
    studio.stop()


@pytest.fixture(scope="module")
def browser(running: RunningStudio) -> Iterator[object]:
    """Headless chromium, and the cookie its first page got by opening the studio's link."""
    with chromium(running) as launched:
        yield launched


@pytest.fixture
def page(browser, running: RunningStudio) -> Iterator[object]:
    """A page of the studio with its practice opened; fails the test on any script error or outside request."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    context.add_cookies(running.cookies)
    opened = context.new_page()
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(str(error)))
    opened.on("request", lambda request: request.url.startswith(running.base) or problems.append(request.url))
    opened.goto(running.base + "/")
    expect(opened.locator("#file")).to_have_text("personal.txt")
    expect(opened.locator("#timeline-summary")).to_contain_text("A Letter of Care")
    yield opened
    context.close()
    assert not problems


def _played(page, beyond: float, seconds: float = 20.0) -> float:
    """Wait until the audio element has played past ``beyond`` seconds; its time then.

    Polled from here: the page's policy forbids the evaluated strings Playwright's wait_for_function uses.
    """
    deadline = time.monotonic() + seconds
    while (now := page.evaluate("document.getElementById('player').currentTime")) <= beyond:
        assert time.monotonic() < deadline, f"the audio stayed at {now:.2f} s"
        time.sleep(0.05)
    return now


def _serious_violations(page) -> list[str]:
    """The WCAG 2 A/AA rules axe-core finds broken on the page as it is now, seriously or critically.

    axe is evaluated as a string: the page's policy refuses a <script> tag from anywhere but the studio.
    """
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(AXE_RUN)
    return [f"{rule['id']} ({rule['impact']}): {[node['target'] for node in rule['nodes']]}"
            for rule in found if rule["impact"] in ("serious", "critical")]


def _tab_to(page, selector: str, key: str = "Tab", presses: int = 60) -> None:
    """Press ``key`` until the element matching ``selector`` has the focus, and check that it shows it."""
    for _ in range(presses):
        page.keyboard.press(key)
        if page.evaluate("selector => document.activeElement.matches(selector)", selector):
            ring = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
            assert ring != "none" or selector == ".cm-content", f"{selector} has the focus but shows no ring"
            return
    raise AssertionError(f"{presses} presses of {key} never reached {selector}")


def test_the_link_opens_the_studio_in_a_second_browser_and_leaves_the_address_bar(browser,
                                                                                  running: RunningStudio) -> None:
    assert running.cookies and running.cookies[0]["httpOnly"] and running.cookies[0]["sameSite"] == "Strict"
    second = browser.new_context()
    page = second.new_page()
    page.goto(running.link)
    assert page.url == running.base + "/"
    expect(page.locator("#file")).to_have_text("personal.txt")
    second.close()


def test_without_the_link_a_page_says_how_to_get_in(browser, running: RunningStudio) -> None:
    stranger = browser.new_page()
    assert stranger.goto(running.base + "/").status == 403
    expect(stranger.get_by_role("heading", level=1)).to_have_text("Stillpoint studio")
    expect(stranger.locator("main")).to_contain_text("Open the link that stillpoint studio printed in its terminal")
    assert _serious_violations(stranger) == []
    stranger.close()


def test_every_view_passes_axe_core_for_wcag_2_aa(page) -> None:
    assert _serious_violations(page) == [], "library and editor"
    page.evaluate("editor.jumpTo(9, 1000)")
    page.keyboard.type(" [paws 5s]")
    expect(page.locator("#problems li.error")).to_have_count(1)
    assert _serious_violations(page) == [], "problems"
    for tab in ("Hear", "Hand over"):
        page.get_by_role("tab", name=tab).click()
        assert _serious_violations(page) == [], tab
    page.on("dialog", lambda dialog: dialog.accept())  # leaving the unsaved change
    page.locator("#practices button", has_text="The Circle of Safety").click()
    expect(page.locator("#file")).to_contain_text("(built-in)")
    expect(page.locator("#timeline-summary")).to_contain_text("The Circle of Safety")
    assert _serious_violations(page) == [], "a built-in practice, read-only"


def test_the_library_and_the_problems_list_work_with_the_keyboard_alone(page) -> None:
    _tab_to(page, '#practices button[data-id="small.txt"]')
    page.keyboard.press("Enter")
    expect(page.locator("#file")).to_have_text("small.txt")
    expect(page.locator('#practices button[data-id="small.txt"]')).to_have_attribute("aria-current", "true")
    expect(page.locator("#problems li")).to_have_count(1)
    line = page.locator("#problems .where").text_content().split(":")[0]
    _tab_to(page, "#problems button")
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_have_text(f"Line {line}")
    assert page.evaluate("document.activeElement.classList.contains('cm-content')")
    expect(page.locator("#editor")).to_have_css("border-color", "rgb(47, 93, 80)")  # the editor shows it has focus


def test_the_tabs_and_the_timeline_s_sections_work_with_the_keyboard_alone(page) -> None:
    _tab_to(page, '.tabs [aria-selected="true"]')
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="Hear")).to_be_focused()
    expect(page.get_by_role("tabpanel", name="Hear")).to_be_visible()
    expect(page.locator("#tab-problems")).to_be_hidden()
    page.keyboard.press("Shift+Tab")  # the tabs are one stop: Shift-Tab leaves them for the timeline
    expect(page.locator("#strip-sections button").last).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#hear-status")).to_contain_text("Playing “Remembering”")
    assert _played(page, 0.2) > 0.2


def test_a_read_only_practice_can_be_reached_and_scrolled_with_the_keyboard(page) -> None:
    _tab_to(page, '#practices button[data-id="builtin/benefactor.txt"]')
    page.keyboard.press("Enter")
    expect(page.locator("#file")).to_contain_text("(built-in)")
    _tab_to(page, ".cm-content")
    expect(page.locator(".cm-content")).to_have_attribute("aria-readonly", "true")
    page.keyboard.press("PageDown")
    expect(page.locator("#editor")).to_have_css("border-color", "rgb(47, 93, 80)")
    assert page.locator(".cm-scroller").evaluate("scroller => scroller.scrollTop") > 100


def test_a_misspelled_marker_is_underlined_with_its_hint_until_fixed(page) -> None:
    page.evaluate("editor.jumpTo(9, 1000)")
    page.keyboard.type(" [paws 5s]", delay=10)
    underline = page.locator(".cm-lintRange-error")
    expect(underline).to_have_text("[paws 5s]")
    expect(page.locator("#problems li.error")).to_have_text("9:12unknown marker [paws 5s]did you mean [pause 5s]?")
    underline.hover()
    expect(page.locator(".cm-tooltip-lint .sp-diag-hint")).to_have_text("did you mean [pause 5s]?")
    page.mouse.move(5, 5)
    page.locator(".cm-line", has_text="[paws 5s]").get_by_text("paws").dblclick()
    page.keyboard.type("pause")
    expect(page.locator(".cm-lintRange-error")).to_have_count(0)
    expect(page.locator("#problems li")).to_have_count(0)
    expect(page.locator("#saved")).to_have_text("unsaved changes")


def test_a_section_plays_with_its_lines_highlighted_as_spoken(page) -> None:
    page.get_by_role("tab", name="Hear").click()
    page.locator("#bells").uncheck()
    page.get_by_role("button", name="Hear Remembering", exact=True).click()
    started = _played(page, 0.4)
    spoken = "Think of {who}, and let their care reach you here in this room."
    expect(page.locator(".cm-spokenLine")).to_have_text(spoken)
    expect(page.locator("#hear-status")).to_contain_text("Playing “Remembering”")
    assert _played(page, started + 0.5) > started + 0.5


def test_a_file_changed_on_disk_shows_the_conflict_and_is_not_overwritten(page, running: RunningStudio) -> None:
    page.evaluate("editor.jumpTo(12, 1000)")
    page.keyboard.type("\nMine.")
    elsewhere = PERSONAL + "Written elsewhere.\n"
    (running.folder / "personal.txt").write_text(elsewhere, encoding="utf-8")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#conflict")).to_be_visible()
    assert _serious_violations(page) == [], "the conflict"
    expect(page.locator("#disk-text")).to_have_text(elsewhere, use_inner_text=False)
    assert (running.folder / "personal.txt").read_text(encoding="utf-8") == elsewhere
    page.get_by_role("button", name="Keep my version").click()
    expect(page.locator("#conflict")).to_be_hidden()
    expect(page.locator("#saved")).to_have_text("saved")
    assert (running.folder / "personal.txt").read_text(encoding="utf-8") == PERSONAL + "Mine.\n"
    (running.folder / "personal.txt").write_text(PERSONAL, encoding="utf-8")


def test_an_export_for_two_clients_gives_each_their_own_track(page, tmp_path: Path) -> None:
    page.get_by_role("tab", name="Hand over").click()
    rows = page.locator("#clients tbody tr")
    for row, (client, who) in zip((rows.nth(0), rows.nth(1)), (("Anna", "her sister"), ("Ben", "his teacher"))):
        row.get_by_label("client").fill(client)
        row.get_by_label("who").fill(who)
    page.get_by_role("button", name="Export for every client").click()
    links = page.locator("#clients-files a", has_text=".mp3")
    expect(links).to_have_count(2, timeout=60000)
    expect(page.locator("#clients-status")).to_contain_text("lines spoken")
    assert _serious_violations(page) == [], "the exports done"
    for index, (client, who) in enumerate((("Anna", "her sister"), ("Ben", "his teacher"))):
        with page.expect_download() as download:
            links.nth(index).click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        tags = ID3(saved)
        assert str(tags["TIT2"]) == f"A Letter of Care ({client})"
        assert [str(chapter.sub_frames["TIT2"]) for chapter in tags.getall("CHAP")] == ["Opening", "Remembering"]
        lyrics = tags.getall("USLT")[0].text
        assert f"Welcome, {client}." in lyrics and f"Think of {who}" in lyrics


def test_the_review_underlines_an_order_in_its_own_colour_and_a_click_rewrites_it(page) -> None:
    expect(page.locator("#review")).to_be_checked()
    page.evaluate("editor.jumpTo(9, 1000)")
    page.keyboard.type(" Close your eyes now.", delay=5)
    underline = page.locator(".cm-lintRange.sp-review", has_text="Close")
    expect(underline).to_have_count(1)
    assert underline.evaluate("e => getComputedStyle(e).textDecorationColor") == "rgb(116, 87, 166)"
    order = page.locator("#problems li.review", has_text="is an order about the eyes")
    expect(order).to_contain_text("9:12")
    order.get_by_role("button", name="Rewrite").click()
    expect(page.locator(".cm-line").nth(8)).to_have_text("[pause 2s] If it feels right, close your eyes now.")
    eyes = page.locator("#problems li.review", has_text="no choice of keeping them open")
    eyes.get_by_role("button", name="Rewrite").click()
    expect(page.locator("#problems li")).to_have_count(0)
    expect(page.locator(".cm-line").nth(8)).to_contain_text("keep your eyes open and let your gaze rest softly")
    page.keyboard.press("Control+z")
    expect(page.locator("#problems li.review")).to_have_count(1)
    page.locator("#review").uncheck()
    expect(page.locator("#problems li")).to_have_count(0)
    expect(page.locator(".cm-lintRange.sp-review")).to_have_count(0)


def test_a_built_in_practice_opens_with_the_review_off(page) -> None:
    page.locator("#practices li", has_text="Hand on the Heart").click()
    expect(page.locator("#file")).to_have_text("hand-on-heart (built-in)")
    expect(page.locator("#review")).not_to_be_checked()
    page.locator("#review").check()
    expect(page.locator("#no-problems")).to_be_visible()
