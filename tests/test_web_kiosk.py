"""`triage serve --kiosk` in Chromium (issue 16): the welcome page loops; after Finish, and after a "Still there?"
warning that any touch or key extends, everything goes back to the welcome page, and Back shows nothing of the
person before, not even sent again with Reload. The app runs in the test's process (support.web.AppServer)
with idle times of a few seconds, which `triage serve` refuses: its warning is at least 20 seconds."""

from __future__ import annotations

import os
import time

import httpx
import pytest

from support.web import CHROMIUM, SCREENSHOTS, AppServer, Server, choose, on_question, press, question_text, walk
from triage.frontends.web.app import WebSettings

pytestmark = pytest.mark.slow

if CHROMIUM is None and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed here (apt-get install -y chromium); CI installs it",
                allow_module_level=True)

IDLE, WARNING = 4, 2  # seconds: "Still there?" after 2 s without a touch, the reset 2 s later


@pytest.fixture(scope="module")
def server():
    with AppServer(WebSettings.make(kiosk=True, idle_seconds=IDLE, warning_seconds=WARNING)) as running:
        yield running


@pytest.fixture(scope="module")
def calm_server():
    """The shipped idle times, for the tests that are not about them: axe and screenshots take seconds on a
    busy machine, and a "Still there?" after 2 seconds would cover the page meanwhile."""
    with AppServer(WebSettings.make(kiosk=True)) as running:
        yield running


def new_tab(browser, server):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=server.url, viewport={"width": 800, "height": 1200}, has_touch=True)
    return context, context.new_page()


@pytest.fixture
def tab(browser, server):
    context, page = new_tab(browser, server)
    yield page
    context.close()


@pytest.fixture
def calm_tab(browser, calm_server):
    context, page = new_tab(browser, calm_server)
    yield page
    context.close()


def at_welcome(tab, server) -> None:
    tab.wait_for_url(server.url + "/", timeout=(IDLE + 5) * 1000)
    assert tab.get_by_role("heading", level=1).inner_text() == "Welcome"


def nothing_of_the_person(tab, server, *texts: str) -> None:
    """Back, as the next person might press it: the browser has nothing to show (the pages were no-store POSTs).
    Then Reload, which sends the person's last form again, their answers in it: refused as another visit's."""
    try:
        tab.go_back()
    except Exception as exc:  # noqa: BLE001 - Chromium: net::ERR_CACHE_MISS, and its own error page
        assert "ERR_CACHE_MISS" in str(exc)
    content = _settled_html(tab)
    for text in texts:
        assert text not in content
    refused = tab.reload()
    assert refused is not None and refused.request.method == "POST"  # the form was sent again
    assert refused.status == 400
    content = tab.locator("main").inner_text()
    assert "This page belongs to an earlier visit, so its answers are not shown here." in content
    for text in texts:
        assert text not in tab.content()
    assert "refused (400): state of another visit" in server.log()


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
    choose(tab, "No")  # two answers: the form that Back then Reload sends again holds one
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
    nothing_of_the_person(tab, server, second, 'name="state"')


def test_finish_after_the_result_goes_back_to_the_welcome_page_and_back_shows_nothing(calm_tab, calm_server, real_kb):
    """On the way, every control is at least 44 by 44 CSS pixels, and axe finds nothing on the kiosk's pages."""
    from axe_playwright_python.sync_playwright import Axe

    tab, server = calm_tab, calm_server

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
    assert tab.reload().status == 200 and tab.locator(".referral").inner_text() == result  # Reload: sent again
    press(tab, "Finish")
    at_welcome(tab, server)
    nothing_of_the_person(tab, server, result.splitlines()[-1], 'name="state"')
    look("another-visit")
    assert small == []
    assert found == []


def _small_targets(tab) -> list[str]:
    return tab.evaluate("""() => [...document.querySelectorAll('button, a, summary, label, input:not([type=hidden])')]
        .filter(e => e.offsetParent !== null && !e.classList.contains('skip'))
        .map(e => [e, e.getBoundingClientRect()])
        .filter(([e, r]) => r.width < 44 || r.height < 44)
        .map(([e, r]) => `${e.tagName} '${(e.innerText || e.value || '').trim().slice(0, 40)}' `
                         + `${r.width}x${r.height}`)""")


def test_with_javascript_off_a_visitor_goes_through_the_interview_and_is_told_the_screen_cannot_clear_itself(
        browser, server, real_kb):
    """No script: no "Still there?" and no reset; every page still works, and each says so (docs/kiosk.md).
    The short idle times: nothing clears the page even when they have long passed."""
    context = browser.new_context(base_url=server.url, viewport={"width": 800, "height": 1200},
                                  java_script_enabled=False)
    tab = context.new_page()
    try:
        tab.goto("/")
        assert tab.get_by_role("heading", level=1).inner_text() == "Welcome"
        press(tab, "Start the questions")
        notice = "JavaScript is off in this browser, so this screen cannot clear itself."
        assert notice in tab.locator("main").inner_text()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SCREENSHOTS / "kiosk-no-javascript-tablet.png"), full_page=True)
        tab.get_by_text("What does this mean?").click()  # <details> opens without a script
        assert tab.get_by_text(real_kb.question["chest_pain"].help).is_visible()
        walk(tab, {real_kb.question["sex"].text: ("Female",)})
        assert notice in tab.locator("main").inner_text()
        press(tab, "See my result")
        press(tab, "For your doctor")
        assert tab.get_by_role("button", name="Print this page").is_hidden()  # printing needs the script
        press(tab, "Back to my result")
        tab.wait_for_timeout((IDLE + 1) * 1000)
        assert tab.locator("#idle").is_hidden() and tab.url.endswith("/result")  # nothing clears the screen
        press(tab, "Finish")
        at_welcome(tab, server)
        nothing_of_the_person(tab, server, 'name="state"')
    finally:
        context.close()


def test_without_javascript_a_page_left_open_stops_working_when_its_time_to_live_ends(browser):
    """What ends a visit that no script clears: the page's answers are refused once it has been open longer than
    the state's time to live (at a kiosk, 10 minutes or the idle time and a minute, here 2 seconds)."""
    settings = WebSettings(kiosk=True, idle_seconds=IDLE, warning_seconds=WARNING, ttl_seconds=2)
    with AppServer(settings) as short:
        context = browser.new_context(base_url=short.url, java_script_enabled=False)
        tab = context.new_page()
        try:
            tab.goto("/")
            press(tab, "Start the questions")
            choose(tab, "No")
            assert on_question(tab)
            tab.wait_for_timeout(3500)
            tab.get_by_label("No", exact=True).check()
            press(tab, "Next")
            assert "This page was open for too long" in tab.locator("main").inner_text()
            assert 'name="state"' not in tab.content()
        finally:
            context.close()


def test_triage_serve_kiosk_itself_serves_the_welcome_page_and_each_one_begins_a_new_visit(tmp_path):
    """The command, not only the app: `--kiosk` reaches the app, and every welcome page gives a new visitor id."""
    with Server("--kiosk", log=tmp_path / "server.log") as real:
        first, second = httpx.get(real.url + "/"), httpx.get(real.url + "/")
    assert "<h1>Welcome</h1>" in first.text
    assert first.cookies["visitor"] != second.cookies["visitor"]
