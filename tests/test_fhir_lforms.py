"""A real FHIR form renderer agrees with our gating (issue 17): the Questionnaire of `triage questions --format
fhir`, loaded into LHC-Forms (the `lforms` npm package) in headless Chromium, shows exactly the questions
`triage.flow` would ask, after every click: each screening question answered yes shows its follow-ups and no
hides them, and the prostate questions appear only for 'male'. The response LHC-Forms writes is read back by
our QuestionnaireResponse reader as the same answers.

One browser, one page load. lforms is installed by .ci/install-lforms outside the checkout (this module runs it
the first time when npm is there); without it the test is skipped here and fails in CI.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from triage.flow import applicable, asked_questions
from triage.logic import holds
from triage.model import AllOf, AnswerIncludes, AnswerIs, AnyOf, Condition, KnowledgeBase, Question
from triage.standards.fhir import NONE_OF_THESE, canonical, questionnaire, system
from triage.standards.fhir_answers import answers_from_fhir
from triage.standards.fhir_gating import gate
from triage.vocabulary import NO, YES

LFORMS = Path(os.environ.get("CALCITRIAGE_LFORMS_DIR", Path.home() / ".cache" / "calcitriage" / "lforms"))
DIST = LFORMS / "package" / "dist" / "lforms"
CHROMIUM = shutil.which("chromium")
IN_CI = bool(os.environ.get("CI"))  # as the other browser tests read it (CI=true in CI)

def _install_lforms() -> None:
    """The README's test command installs lforms the first time, as CI does, when npm is there to fetch it."""
    if not (DIST / "webcomponent" / "main.js").is_file() and shutil.which("npm"):
        import subprocess

        from support.paths import REPO

        subprocess.run([str(REPO / ".ci" / "install-lforms")], capture_output=True, timeout=600, check=False)


_install_lforms()
if not (DIST / "webcomponent" / "main.js").is_file() or CHROMIUM is None:
    missing = "Debian's chromium (apt-get install -y chromium)" if CHROMIUM is None else f"lforms in {LFORMS}"
    if IN_CI:
        pytest.fail(f"{missing} is missing; .ci/run installs it (.ci/install-lforms)", pytrace=False)
    pytest.skip(f"{missing} is not installed here; run .ci/install-lforms (CI does)", allow_module_level=True)

# The web component's scripts are ES modules, which run deferred, in order: the FHIR support library must be
# deferred too, or it runs first and the web component's LForms object replaces the one it extended.
PAGE = b"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>calcitriage in LHC-Forms</title>
<link href="/webcomponent/styles.css" rel="stylesheet">
<script src="/webcomponent/assets/lib/zone.min.js"></script>
<script src="/webcomponent/runtime.js" type="module"></script>
<script src="/webcomponent/polyfills.js" type="module"></script>
<script src="/webcomponent/main.js" type="module"></script>
<script src="/fhir/R4/lformsFHIR.min.js" defer></script>
</head><body><div id="form"></div></body></html>"""

# A condition enableWhen cannot say (an any inside an all, over a list question), on an extra item: it goes out
# as FHIRPath (enableWhenExpression), and LHC-Forms must evaluate it as triage.logic does, at every step too.
PROBE_ID = "probe"
PROBE = AllOf((AnyOf((AnswerIs("sex", ("male",)), AnswerIs("breathing_screen", ("yes",)))),
               AnswerIncludes("swelling_where", ("face", "legs"))))

VISIBLE = """() => Array.from(document.querySelectorAll('lhc-item[id^="item-"]'))
    .map(e => e.id.slice(5).replace(/\\/1$/, ''))"""


class _Handler(http.server.SimpleHTTPRequestHandler):
    """lforms' files, and the page above at /."""

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        if self.path == "/":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)
        else:
            super().do_GET()

    def log_message(self, *args: object) -> None:  # keep the test's output clean
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(DIST)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/"
    httpd.shutdown()
    httpd.server_close()


def _gates(kb: KnowledgeBase) -> list[Question]:
    """The screening questions: those another question's ask_when reads, in question order."""
    read: set[str] = set()

    def walk(condition: Condition) -> None:
        match condition:
            case AnswerIs(question) | AnswerIncludes(question):
                read.add(question)
            case AllOf(items) | AnyOf(items):
                for item in items:
                    walk(item)
            case _:
                pass

    for question in kb.questions:
        if question.ask_when is not None:
            walk(question.ask_when)
    return [q for q in kb.questions if q.id in read]


def _options_read(kb: KnowledgeBase, question: str) -> list[str]:
    """The options of a multiple-choice question that some ask_when tests with `includes`."""
    found: list[str] = []

    def walk(condition: Condition) -> None:
        match condition:
            case AnswerIncludes(q, options) if q == question:
                found.extend(o for o in options if o not in found)
            case AllOf(items) | AnyOf(items):
                for item in items:
                    walk(item)
            case _:
                pass

    for q in kb.questions:
        if q.ask_when is not None:
            walk(q.ask_when)
    return found


class Form:
    """The page with the Questionnaire rendered; clicks answers and compares what is shown with our flow."""

    def __init__(self, page, kb: KnowledgeBase) -> None:  # type: ignore[no-untyped-def]
        self.page, self.kb = page, kb
        self.answers: dict[str, str | tuple[str, ...]] = {}
        self.steps: list[str] = []

    def expected(self) -> list[str]:
        answers = applicable(self.kb, self.answers)
        return [q.id for q in asked_questions(self.kb, answers)] + ([PROBE_ID] if holds(PROBE, answers) else [])

    def shown(self) -> list[str]:
        return [i for i in self.page.evaluate(VISIBLE) if i in self.ids]

    @property
    def ids(self) -> list[str]:
        return [*self.kb.question, PROBE_ID]

    def click(self, question: str, code: str) -> None:
        self.page.locator(f'[id="{question}/1|{system(self.kb)}|{code}"]').click()

    def choose(self, question: str, value: str) -> None:
        self.click(question, value)
        self.answers[question] = value
        self.check(f"{question} = {value}")

    def tick(self, question: str, option: str) -> None:
        self.click(question, option)
        before = self.answers.get(question, ())
        assert isinstance(before, tuple)
        self.answers[question] = tuple(o for o in before if o != option) if option in before else (*before, option)
        self.check(f"{question} toggles {option}")

    def check(self, step: str) -> None:
        """After a click, what LHC-Forms shows settles to what our flow asks (Angular updates a moment later)."""
        self.steps.append(step)
        expected = self.expected()
        with contextlib.suppress(PlaywrightTimeout):  # the assertion below shows the difference
            self.page.wait_for_function(f"expected => JSON.stringify(({VISIBLE})().filter(i => "
                                        f"{json.dumps(self.ids)}.includes(i))) === "
                                        "JSON.stringify(expected)", arg=expected, timeout=5_000)
        shown = self.shown()
        assert shown == expected, (f"after {' -> '.join(self.steps)}: LHC-Forms shows "
                                   f"{sorted(set(shown) - set(expected))} that we do not ask, and hides "
                                   f"{sorted(set(expected) - set(shown))} that we ask")


def _with_probe(kb: KnowledgeBase) -> dict:
    resource = questionnaire(kb)
    probe = {"linkId": PROBE_ID, "text": "Probe for the FHIRPath gate", "type": "string",
             **gate(kb, PROBE, system(kb)).fields()}
    assert "enableWhen" not in probe, "the probe must exercise the FHIRPath fallback"
    resource["item"].append(probe)
    return resource


@pytest.fixture(scope="module")
def form(server: str, real_kb: KnowledgeBase) -> Iterator[Form]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(server)
            page.wait_for_function("() => !!(window.LForms && LForms.Util && LForms.FHIR)", timeout=60_000)
            error = page.evaluate("q => Promise.resolve(LForms.Util.addFormToPage(q, 'form', {fhirVersion: 'R4'}))"
                                  ".then(() => null, e => String(e))", _with_probe(real_kb))
            assert error is None, f"LHC-Forms refused the Questionnaire: {error}"
            page.wait_for_selector("lhc-item", timeout=30_000)
            yield Form(page, real_kb)
        finally:
            browser.close()


def test_lhc_forms_shows_exactly_the_questions_we_ask_after_every_answer(form: Form, real_kb):
    form.check("the form opened")
    form.choose("sex", "male")
    for screening in _gates(real_kb):
        if screening.id == "sex":
            continue
        if screening.kind.is_list:
            for option in _options_read(real_kb, screening.id):
                form.tick(screening.id, option)  # on: its follow-ups appear
                form.tick(screening.id, option)  # off again: they go
        else:
            form.choose(screening.id, YES)
            form.choose(screening.id, NO)
    prostate = [q.id for q in real_kb.questions if q.topic == "prostate"]
    form.choose("urination_screen", YES)
    assert set(prostate) <= set(form.shown()), "with sex male and trouble passing urine, every prostate question"
    for other in ("female", "other"):
        form.choose("sex", other)
        assert not set(prostate) & set(form.shown()), f"no prostate question for sex {other}"
    form.choose("sex", "male")
    assert len(form.steps) > 2 * len(_gates(real_kb))


def test_lhc_forms_evaluates_our_fhirpath_gate_as_we_do(form: Form):
    """The probe: (sex male, or breathing_screen yes) and swelling_where includes face or legs."""
    form.choose("sex", "female")
    form.tick("swelling_where", "face")  # female and breathing no: hidden
    form.choose("breathing_screen", YES)  # now shown
    form.choose("breathing_screen", NO)  # hidden again
    form.choose("sex", "male")  # shown
    form.tick("swelling_where", "face")  # nothing ticked: hidden
    form.tick("swelling_where", "legs")  # shown
    form.tick("swelling_where", "legs")
    assert form.steps.count("swelling_where toggles legs") >= 2


def test_every_help_text_is_a_help_button(form: Form, real_kb):
    shown = form.shown()
    with_help = [q for q in shown if real_kb.question[q].help]
    buttons = form.page.evaluate("ids => ids.filter(i => document.getElementById('help-button-' + i + '/1'))",
                                 with_help)
    assert buttons == with_help


def test_the_response_lhc_forms_writes_reads_back_as_the_same_answers(form: Form, real_kb):
    # A list ticked and unticked again is unanswered in FHIR; "none of these" is an option of its own.
    form.click("swelling_where", NONE_OF_THESE)
    form.answers["swelling_where"] = ()
    form.check(f"swelling_where = {NONE_OF_THESE}")
    response = form.page.evaluate("() => LForms.Util.getFormFHIRData('QuestionnaireResponse', 'R4')")
    # LHC-Forms names the questionnaire only when the page tells it where the form came from; we loaded it
    # from a dict, so say which questionnaire it answers, as a record system would.
    response.setdefault("questionnaire", canonical(real_kb))
    assert answers_from_fhir(real_kb, response, "lforms.json") == applicable(real_kb, form.answers)
