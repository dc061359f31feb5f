"""`triage serve --kiosk` in Chromium (issue 16): the welcome page loops; after Finish, and after a "Still there?"
warning that any touch or key extends, everything goes back to the welcome page, and Back shows nothing of the
person before. The idle times are shortened for the test (CALCITRIAGE_WEB_SHORT_TIMES_FOR_TESTING); the
shipped warning is at least 20 seconds."""

from __future__ import annotations

import os
import time

import pytest

from support.web import CHROMIUM, SCREENSHOTS, Server, choose, press, question_text, walk

pytestmark = pytest.mark.slow

if CHROMIUM is None and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed here (apt-get install -y chromium); CI installs it",
                allow_module_level=True)

IDLE, WARNING = 4, 2  # seconds: "Still there?" after 2 s without a touch, the reset 2 s later


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with Server("--kiosk", "--idle-seconds", str(IDLE), "--warning-seconds", str(WARNING),
                log=tmp_path_factory.mktemp("web") / "server.log",
                env={"CALCITRIAGE_WEB_SHORT_TIMES_FOR_TESTING": "1"}) as running:
        yield running


@pytest.fixture
def tab(browser, server):
    context = browser.new_context(base_url=server.url, viewport={"width": 800, "height": 1200}, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


def at_welcome(tab, server) -> None:
    tab.wait_for_url(server.url + "/", timeout=(IDLE + 5) * 1000)
    assert tab.get_by_role("heading", level=1).inner_text() == "Welcome"


def nothing_of_the_person(tab, *texts: str) -> None:
    """Back, as the next person might press it: the browser has nothing to show (the pages were no-store POSTs)."""
    try:
        tab.go_back()
    except Exception as exc:  # noqa: BLE001 - Chromium: net::ERR_CACHE_MISS, and its own error page
        assert "ERR_CACHE_MISS" in str(exc)
    content = _settled_html(tab)
    for text in texts:
        assert text not in content


def _settled_html(tab) -> str:
    """The page's HTML once Chromium has finished putting up what it shows after Back (its own error page)."""
    for _ in range(50):
        try:
            tab.wait_for_load_state()
            return str(tab.evaluate("() => document.documentElement.outerHTML"))
        except Exception:  # noqa: BLE001 - the error page replaced the document while it was read
            tab.wait_for_timeout(100)
    raise AssertionError("the page never settled after Back")


def test_the_welcome_page_waits_without_a_timer_and_says_how_answers_are_forgotten(tab):
    tab.goto("/")
    assert tab.get_by_role("heading", level=1).inner_text() == "Welcome"
    assert tab.locator("body").get_attribute("data-idle") is None  # nobody there yet: nothing to clear
    assert f"after {IDLE} seconds without a touch or a key" in tab.locator("main").inner_text()
    assert tab.get_by_role("link", name="Read about calcifications").is_visible()


def test_still_there_appears_a_key_closes_it_without_answering_and_then_the_screen_resets(tab, server, real_kb):
    tab.goto("/")
    press(tab, "Start the questions")
    choose(tab, "No")
    second = question_text(tab)
    started = time.monotonic()
    tab.wait_for_selector("#idle", state="visible", timeout=(IDLE + 5) * 1000)
    assert time.monotonic() - started >= IDLE - WARNING - 0.5
    assert tab.get_by_role("alertdialog").inner_text().startswith("Still there?")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / "kiosk-still-there-tablet.png"))
    tab.keyboard.press("Space")  # the key only closes the question: the focused radio is not chosen
    assert tab.locator("#idle").is_hidden()
    assert tab.locator("input[name=answer]:checked").count() == 0
    assert question_text(tab) == second
    tab.wait_for_selector("#idle", state="visible", timeout=(IDLE + 5) * 1000)  # extended: it comes again
    tab.touchscreen.tap(10, 10)  # a touch also extends
    assert tab.locator("#idle").is_hidden()
    at_welcome(tab, server)  # nobody touched it again: back to the start
    nothing_of_the_person(tab, second, 'name="state"')


def test_finish_after_the_result_goes_back_to_the_welcome_page_and_back_shows_nothing(tab, server, real_kb):
    """On the way, every control is at least 44 by 44 CSS pixels, and axe finds nothing on the kiosk's pages."""
    from axe_playwright_python.sync_playwright import Axe

    axe, small, found = Axe(), [], []

    def look(kind: str) -> None:
        small.extend(_small_targets(tab))
        result = axe.run(tab)
        if result.violations_count:
            found.append(f"{kind}: {result.generate_report()}")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SCREENSHOTS / f"kiosk-{kind}-tablet.png"), full_page=True)

    tab.goto("/")
    look("welcome")
    press(tab, "Start the questions")
    look("question")
    walk(tab, {real_kb.question["sex"].text: ("Female",)})
    look("summary")
    press(tab, "See my result")
    look("result")
    result = tab.locator(".referral").inner_text()
    press(tab, "Finish")
    at_welcome(tab, server)
    nothing_of_the_person(tab, result.splitlines()[-1], 'name="state"')
    assert small == []
    assert found == []


def _small_targets(tab) -> list[str]:
    return tab.evaluate("""() => [...document.querySelectorAll('button, a, summary, label, input:not([type=hidden])')]
        .filter(e => e.offsetParent !== null && !e.classList.contains('skip'))
        .map(e => [e, e.getBoundingClientRect()])
        .filter(([e, r]) => r.width < 44 || r.height < 44)
        .map(([e, r]) => `${e.tagName} '${(e.innerText || e.value || '').trim().slice(0, 40)}' `
                         + `${r.width}x${r.height}`)""")
