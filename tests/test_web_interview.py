"""The questionnaire in a browser (issue 16): real `triage serve` on 127.0.0.1, Debian's Chromium through
Playwright. People click labels and buttons as they read them; the expected results come from the rules."""

from __future__ import annotations

import io
import os

import pytest
from pypdf import PdfReader

from support.web import (
    CHROMIUM,
    SCREENSHOTS,
    SIZES,
    Server,
    choose,
    on_question,
    press,
    question_text,
    walk,
)
from triage import evaluate

pytestmark = pytest.mark.slow

if CHROMIUM is None and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed here (apt-get install -y chromium); CI installs it",
                allow_module_level=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with Server(log=tmp_path_factory.mktemp("web") / "server.log") as running:
        yield running


@pytest.fixture
def tab(browser, server):
    context = browser.new_context(base_url=server.url, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.console_errors = []  # a refused script or style (CSP) shows here; a 4xx page is the test's own doing
    page.on("console", lambda m: m.type == "error" and "Failed to load resource" not in m.text
            and page.console_errors.append(m.text))
    yield page
    assert page.console_errors == []
    context.close()


def start(tab) -> None:
    tab.goto("/")
    press(tab, "Start the questions")


def texts(kb, *ids: str) -> list[str]:
    return [kb.question[q].text for q in ids]


def urgency_label(kb, rank_of) -> str:
    return rank_of(kb.urgency_levels, key=lambda u: u.rank).label


# --- whole interviews ----------------------------------------------------------------------------------------


def test_a_yes_to_chest_pain_shows_what_to_do_at_once_and_asks_nothing_more(tab, real_kb):
    start(tab)
    assert question_text(tab) == real_kb.question["chest_pain"].text
    choose(tab, "Yes")
    assert not on_question(tab)
    top = urgency_label(real_kb, max)
    assert top in tab.locator(".referral .urgency").inner_text()
    assert evaluate(real_kb, {"chest_pain": "yes"}).referral.urgency.advice in tab.locator(".referral").inner_text()
    press(tab, "Finish")
    assert tab.get_by_role("button", name="Start the questions").is_visible()


def test_a_man_is_asked_the_prostate_questions_and_sees_their_section(tab, real_kb):
    q = real_kb.question
    start(tab)
    seen = walk(tab, {q["sex"].text: ("Male",), q["urination_screen"].text: ("Yes",), q["weak_stream"].text: ("Yes",),
                      q["erection_trouble"].text: ("Yes",)})
    assert set(texts(real_kb, "weak_stream", "erection_trouble", "semen_change")) <= set(seen)
    press(tab, "See my result")
    answers = _answers_of(real_kb, seen, {"sex": "male", "urination_screen": "yes", "weak_stream": "yes",
                                          "erection_trouble": "yes"})
    expected = evaluate(real_kb, answers)
    assert "prostate" in expected.section_ids
    shown = tab.locator("main").inner_text()
    for section in expected.sections:
        assert section.title in shown
    assert expected.referral.urgency.label in tab.locator(".referral .urgency").inner_text()


def test_a_woman_is_not_asked_about_the_prostate_and_is_asked_about_her_breasts(tab, real_kb):
    q = real_kb.question
    start(tab)
    seen = walk(tab, {q["sex"].text: ("Female",), q["urination_screen"].text: ("Yes",),
                      q["breast_screen"].text: ("Yes",)})
    assert q["breast_screen"].text in seen
    assert not set(texts(real_kb, "weak_stream", "erection_trouble", "semen_change")) & set(seen)
    press(tab, "See my result")
    expected = evaluate(real_kb, _answers_of(real_kb, seen, {"sex": "female", "urination_screen": "yes",
                                                             "breast_screen": "yes"}))
    assert real_kb.section["breast"].title in [s.title for s in expected.sections]
    assert real_kb.section["breast"].title in tab.locator("main").inner_text()


def _answers_of(kb, seen: list[str], picked: dict[str, str]) -> dict[str, object]:
    """What walk() answered: the picks, 'no' elsewhere, nothing ticked in lists."""
    by_text = {question.text: question for question in kb.questions}
    answers: dict[str, object] = {}
    for text in seen:
        question = by_text[text]
        answers[question.id] = picked.get(question.id, [] if question.kind.is_list else "no")
    return answers


# --- going back, help, changing an answer ---------------------------------------------------------------------


def test_back_asks_the_last_question_again_with_the_answer_given_chosen(tab, real_kb):
    start(tab)
    choose(tab, "No")
    assert question_text(tab) == real_kb.question["vomiting_blood"].text
    assert tab.locator("p.progress").inner_text().startswith("Question 2 of at most")
    press(tab, "Back")
    assert question_text(tab) == real_kb.question["chest_pain"].text
    assert tab.get_by_role("radio", name="No", exact=True).is_checked()
    press(tab, "Back")  # before the first question: the opening page
    assert tab.get_by_role("button", name="Start the questions").is_visible()


def test_help_opens_under_the_question_and_next_without_an_answer_asks_kindly(tab, real_kb):
    start(tab)
    help_text = real_kb.question["chest_pain"].help
    assert not tab.get_by_text(help_text).is_visible()
    tab.get_by_text("What does this mean?").click()
    assert tab.get_by_text(help_text).is_visible()
    press(tab, "Next")
    assert tab.get_by_role("alert").inner_text().endswith("Please choose an answer, then press Next.")
    assert question_text(tab) == real_kb.question["chest_pain"].text


def test_an_answer_changed_from_the_summary_is_shown_there_answers_that_no_longer_apply_go_and_back_keeps_it(
        tab, real_kb):
    q = real_kb.question
    start(tab)
    walk(tab, {q["sex"].text: ("Male",), q["urination_screen"].text: ("Yes",)})
    rows = tab.locator("dl.answers .row")
    assert rows.locator("dt", has_text=q["weak_stream"].text).count() == 1
    press(tab, f"Change your answer to: {q['sex'].text}")
    assert tab.locator("p.progress").inner_text().startswith("Changing your answer 6")
    assert tab.get_by_role("radio", name="Male", exact=True).is_checked()
    choose(tab, "Female")
    # The men's questions no longer apply: they are named, and the person goes on to any new question.
    notice = tab.locator(".notice[role=status]").inner_text()
    assert q["weak_stream"].text in notice
    walk(tab, {})
    assert tab.get_by_role("heading", level=1).inner_text() == "Check your answers"
    sex_row = rows.filter(has_text=q["sex"].text)
    assert sex_row.locator("dd.answer").inner_text() == "Female"
    assert rows.locator("dt", has_text=q["weak_stream"].text).count() == 0
    # Back from an answer being changed: the summary again, the answer as it was.
    press(tab, f"Change your answer to: {q['chest_pain'].text}")
    tab.get_by_role("radio", name="Yes", exact=True).check()
    press(tab, "Back")
    assert tab.get_by_role("heading", level=1).inner_text() == "Check your answers"
    assert rows.first.locator("dd.answer").inner_text() == "No"  # as its button read


def test_a_person_with_no_complaints_answers_by_keyboard_alone_and_sees_the_least_urgent_result(tab, real_kb):
    """Tab, Space, arrow keys and Enter only: 'No' wherever it is offered, the first option elsewhere, nothing
    ticked in a list; the red flags come first, the summary lists every answer, and the result is the least
    urgent one, as the rules give it for those answers."""
    tab.goto("/")
    _tab_to(tab, "Start the questions")
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    seen: list[str] = []
    for _ in range(60):
        if not on_question(tab):
            break
        seen.append(question_text(tab))
        if tab.get_by_role("radio").count():
            _tab_to_role(tab, "radio")
            tab.keyboard.press("Space")  # the first option
            if tab.get_by_role("radio", name="No", exact=True).count():
                tab.keyboard.press("ArrowDown")  # Yes, No, Not sure: No
        _tab_to(tab, "Next")
        with tab.expect_navigation():
            tab.keyboard.press("Enter")
    assert seen[:5] == [q.text for q in real_kb.questions if q.red_flag]
    assert tab.get_by_role("heading", level=1).inner_text() == "Check your answers"
    assert tab.locator("dl.answers .row").count() == len(seen)
    _tab_to(tab, "See my result")
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert tab.get_by_role("heading", level=1).inner_text() == "Your result"
    first = {q.id: q.options[0].id for q in real_kb.questions if q.options and not q.kind.is_list}
    expected = evaluate(real_kb, _answers_of(real_kb, seen, first))
    assert expected.referral.urgency.label == urgency_label(real_kb, min)
    assert expected.referral.urgency.label in tab.locator(".referral .urgency").inner_text()
    assert f"Whom to see: {expected.referral.to.name}." in tab.locator(".referral").inner_text()
    assert expected.disclaimer in tab.locator("main").inner_text()
    _tab_to(tab, "For your doctor")
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert tab.get_by_role("heading", level=1).inner_text() == "For your doctor"


def _focused_name(tab) -> tuple[str, str]:
    return tab.evaluate("() => { const e = document.activeElement; "
                        "return [e.getAttribute('type') || e.tagName.toLowerCase(), "
                        "(e.innerText || e.value || '').trim()]; }")


def _tab_to(tab, name: str) -> None:
    for _ in range(80):
        tab.keyboard.press("Tab")
        if _focused_name(tab)[1] == name:
            return
    raise AssertionError(f"Tab never reached {name!r}")


def _tab_to_role(tab, kind: str) -> None:
    for _ in range(80):
        tab.keyboard.press("Tab")
        if _focused_name(tab)[0] == kind:
            return
    raise AssertionError(f"Tab never reached a {kind}")


def test_with_javascript_off_the_questions_help_and_the_emergency_page_work(browser, server, real_kb):
    context = browser.new_context(base_url=server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        start(page)
        page.get_by_text("What does this mean?").click()  # <details> opens without a script
        assert page.get_by_text(real_kb.question["chest_pain"].help).is_visible()
        choose(page, "Not sure")
        assert question_text(page) == real_kb.question["vomiting_blood"].text
        choose(page, "Yes")
        assert urgency_label(real_kb, max) in page.locator(".referral .urgency").inner_text()
    finally:
        context.close()


def test_focus_is_visible_and_the_language_is_set(tab):
    tab.goto("/")
    assert tab.locator("html").get_attribute("lang") == "en"
    _tab_to(tab, "Start the questions")
    outline = tab.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


# --- every kind of page: axe, 320 px, screenshots, print ----------------------------------------------------


def test_every_kind_of_page_passes_axe_fits_320_pixels_and_is_photographed(tab, real_kb):
    """One walk through every kind of page; on each, axe-core finds no violation, nothing scrolls sideways at
    320 CSS px, and screenshots at phone, tablet and desktop size go to build/screenshots/ to be looked at."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    problems: list[str] = []

    def look(kind: str) -> None:
        result = axe.run(tab)
        if result.violations_count:
            problems.append(f"{kind}: {result.generate_report()}")
        tab.set_viewport_size({"width": 320, "height": 640})
        wide = tab.evaluate("() => document.documentElement.scrollWidth")
        if wide > 320:
            problems.append(f"{kind}: {wide} px wide at 320 px")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for size, (width, height) in SIZES.items():
            tab.set_viewport_size({"width": width, "height": height})
            tab.screenshot(path=str(SCREENSHOTS / f"{kind}-{size}.png"), full_page=True)

    tab.goto("/")
    look("opening")
    tab.goto("/read")
    look("reading-list")
    tab.goto(f"/read/{real_kb_reading_first(real_kb)}")
    look("reading-page")
    start(tab)
    choose(tab, "No")
    tab.get_by_text("What does this mean?").click()
    look("question")
    press(tab, "Next")  # nothing chosen: the question again, with the problem named
    # Yes to everything but the red flags: the longest interview, the fullest result and print-out.
    picks = {q.text: ("No",) for q in real_kb.questions if q.red_flag} | {real_kb.question["sex"].text: ("Male",)}
    while tab.locator("input[type=checkbox]").count() == 0:
        assert walk(tab, picks, default="Yes", stop=1)
    look("question-tick-boxes")
    walk(tab, picks, default="Yes")
    look("summary")
    press(tab, "See my result")
    look("result")
    for button, kind in (("Read about the leaflet sections", "sections"), ("Read about the tests", "tests"),
                         ("Good to know", "advice"), ("Why am I seeing this?", "why"), ("For your doctor", "doctor")):
        press(tab, button)
        look(kind)
        if kind == "doctor":
            printed = tab.pdf(format="A4")
            pages = len(PdfReader(io.BytesIO(printed)).pages)
            if pages != 1:
                problems.append(f"For your doctor prints on {pages} pages")
        press(tab, "Back to my result")
    tab.evaluate("() => { const s = document.querySelector('input[name=state]'); s.value = s.value.slice(1); }")
    press(tab, "Why am I seeing this?")
    assert "This page was changed after it was sent" in tab.locator("main").inner_text()
    look("problem")
    tab.goto("/no-such-page")
    look("not-found")
    start(tab)
    choose(tab, "Yes")
    look("emergency")
    assert problems == []


def real_kb_reading_first(kb) -> str:
    from triage.knowledge.reading import load_reading

    return load_reading(kb).pages[0].id
