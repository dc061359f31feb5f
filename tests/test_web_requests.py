"""What a browser would never send, sent to the real `triage serve` (issue 16): every bad request gets a page
that says what to do, with the earlier answers kept where they are valid, the right status, and one line in
the server's log that names the event and never an answer."""

from __future__ import annotations

import html
import re

import httpx
import pytest

from support.kb_copies import rules_copy
from support.web import Server

SECRET = "zzz-not-an-answer"  # sent as an answer value: it must never reach the log


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home, work = tmp_path_factory.mktemp("home"), tmp_path_factory.mktemp("work")
    with Server(log=tmp_path_factory.mktemp("web") / "server.log", cwd=work,
                env={"HOME": str(home), "PYTHONDONTWRITEBYTECODE": "1"}) as running:
        running.folders = (home, work)
        yield running


@pytest.fixture
def client(server):
    with httpx.Client(base_url=server.url, timeout=10) as c:
        yield c


def state_of(html: str) -> str:
    found = re.search(r'name="state" value="([^"]+)"', html)
    assert found, "the page carries no answers"
    return found.group(1)


def heading(html: str) -> str:
    found = re.search(r"<h1>(.*?)</h1>", html, re.S)
    assert found
    return found.group(1)


def after_first_answer(client) -> str:
    """The page of the second question: one answer given ('no' to the first red flag)."""
    state = state_of(client.post("/start").text)
    page = client.post("/answer", data={"state": state, "question": "chest_pain", "answer": "no", "go": "next"})
    assert page.status_code == 200
    return page.text


def progress(html: str) -> str:
    found = re.search(r'class="progress">(.*?)<', html)
    assert found
    return found.group(1)


# --- headers ----------------------------------------------------------------------------------------------------


def test_every_response_has_the_security_headers_and_pages_are_never_stored(client):
    for response in (client.get("/"), client.post("/start"), client.get("/static/web.css"), client.get("/nowhere")):
        assert response.headers["content-security-policy"].startswith("default-src 'self'; script-src 'self'")
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-content-type-options"] == "nosniff"
    for response in (client.get("/"), client.post("/start"), client.get("/read")):
        assert response.headers["cache-control"] == "no-store"


def test_no_page_sends_answers_in_an_address_and_no_script_is_inline(client):
    html = after_first_answer(client)
    assert re.findall(r"<form[^>]*>", html) == ['<form method="post" action="/answer" class="question" novalidate>']
    assert "<script src=\"/static/web.js\" defer></script>" in html and "<script>" not in html
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", html)  # nothing from another server


# --- bad input ------------------------------------------------------------------------------------------------


def test_an_unknown_question_shows_the_current_question_again_with_the_answers_kept(client, server):
    state = state_of(after_first_answer(client))
    page = client.post("/answer", data={"state": state, "question": "no_such_question", "answer": "yes"})
    assert page.status_code == 400
    assert "That answer was for a question this questionnaire does not have." in page.text
    assert progress(page.text).startswith("Question 2 of at most")  # the first answer is still there
    assert "refused (400): unknown question" in server.log()


def test_a_value_not_offered_is_refused_and_the_question_asked_again(client, server):
    state = state_of(after_first_answer(client))
    page = client.post("/answer", data={"state": state, "question": "vomiting_blood", "answer": SECRET})
    assert page.status_code == 400
    assert "That answer is not one of the choices here." in page.text
    assert progress(page.text).startswith("Question 2 of at most")
    assert "refused (400): value not offered" in server.log()
    assert SECRET not in server.log()


def test_two_answers_to_a_one_answer_question_are_refused(client):
    state = state_of(after_first_answer(client))
    page = client.post("/answer", data={"state": state, "question": "vomiting_blood", "answer": ["yes", "no"]})
    assert page.status_code == 400


def test_an_answer_to_a_question_that_would_not_be_asked_is_refused(client, server):
    state = state_of(after_first_answer(client))
    page = client.post("/answer", data={"state": state, "question": "weak_stream", "answer": "yes"})
    assert page.status_code == 400
    assert "That answer was for a question that is not asked at this point." in page.text
    assert progress(page.text).startswith("Question 2 of at most")
    assert "refused (400): question not asked" in server.log()


def test_an_answer_sent_again_to_a_question_already_answered_is_refused_and_the_next_question_shown(client):
    state = state_of(client.post("/start").text)
    for question in ("chest_pain", "vomiting_blood", "blue_lips", "severe_breathlessness", "almost_no_urine"):
        page = client.post("/answer", data={"state": state, "question": question, "answer": "no"})
        state = state_of(page.text)
    page = client.post("/answer", data={"state": state, "question": "chest_pain", "answer": "no"})
    assert page.status_code == 400
    assert "That answer was for a question that is not asked at this point." in page.text
    assert progress(page.text).startswith("Question 6 of at most")


def test_next_with_nothing_ticked_where_a_tick_is_needed_asks_for_one_and_keeps_the_answers(client):
    # After a yes to TB, nothing ticked would undo the yes; the page asks again, as it does for no answer.
    state = state_of(client.post("/start").text)
    page = ""
    for question, answer in (("chest_pain", "no"), ("vomiting_blood", "no"), ("blue_lips", "no"),
                             ("severe_breathlessness", "no"), ("almost_no_urine", "no"), ("sex", "female"),
                             ("image_seen", "no"), ("general_signs", []), ("tb_history", "yes")):
        page = client.post("/answer", data={"state": state, "question": question, "answer": answer, "go": "next"}).text
        state = state_of(page)
    assert "Where in the body was the tuberculosis?" in page
    assert "Tick all that apply, and at least one." in page

    again = client.post("/answer", data={"state": state, "question": "tb_where", "go": "next"})

    assert again.status_code == 200
    assert "Please tick at least one answer, then press Next." in again.text
    assert "Where in the body was the tuberculosis?" in again.text
    assert progress(again.text) == progress(page)
    ticked = client.post("/answer", data={"state": state_of(again.text), "question": "tb_where",
                                          "answer": "dont_know", "go": "next"})
    assert "Where in the body was the tuberculosis?" not in ticked.text


def test_a_changed_hidden_field_is_refused_with_a_way_to_start_again(client, server):
    state = state_of(after_first_answer(client))
    payload, signature = state.split(".")
    for tampered in (payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1] + "." + signature,
                     "", "not-a-state", state + "x"):
        page = client.post("/answer", data={"state": tampered, "question": "vomiting_blood", "answer": "no"})
        assert page.status_code == 400
        assert "This page was changed after it was sent" in page.text
        assert '<a class="button primary" href="/">Start again</a>' in page.text
    assert "refused (400): tampered state" in server.log()


def test_start_and_finish_begin_a_new_visit_in_a_cookie_that_holds_no_answer(client):
    assert "set-cookie" not in client.get("/").headers  # at home only read; a kiosk begins a visit
    for response in (client.post("/start"), client.post("/finish")):
        cookie = response.headers["set-cookie"]
        assert re.fullmatch(r"visitor=[A-Za-z0-9_-]{22}; HttpOnly; Path=/; SameSite=strict", cookie), cookie
    assert "set-cookie" not in client.post("/answer", data={"state": state_of(client.post("/start").text),
                                                            "question": "chest_pain", "answer": "no"}).headers


@pytest.mark.parametrize("then", ["/finish", "/start"])
def test_a_page_sent_again_after_finish_or_a_new_start_shows_nothing_of_the_person_before(client, server, then):
    """Back, then Reload on a computer that two people use: the page of the first is refused for the second."""
    page = after_first_answer(client)
    state = state_of(page)
    assert client.post("/result", data={"state": state}).status_code == 400  # still the same visit: the question again
    client.post(then)
    again = client.post("/answer", data={"state": state, "question": "vomiting_blood", "answer": "no"})
    assert again.status_code == 400
    assert heading(again.text) == "Sorry, we could not use that"
    assert "This page belongs to an earlier visit, so its answers are not shown here." in again.text
    assert 'name="state"' not in again.text and 'class="progress"' not in again.text
    assert "POST /answer refused (400): state of another visit" in server.log()


def test_a_browser_that_keeps_no_cookie_is_asked_to_allow_it(server):
    with httpx.Client(base_url=server.url, timeout=10) as client:
        state = state_of(after_first_answer(client))
        client.cookies.clear()
        page = client.post("/answer", data={"state": state, "question": "vomiting_blood", "answer": "no"})
    assert page.status_code == 400
    assert "Your browser did not send back this questionnaire&#39;s cookie" in page.text
    assert "refused (400): no visitor cookie" in server.log()


def test_a_body_over_the_limit_is_refused_before_it_is_read(client, server):
    page = client.post("/answer", data={"state": "x" * 70_000})
    assert page.status_code == 413
    assert "far more than a form of this questionnaire can hold" in page.text
    assert "refused (413): body too large" in server.log()


def test_a_wrong_method_gets_a_page_and_says_which_methods_are_allowed(client, server):
    page = client.get("/answer", params={"answer": "yes"})
    assert page.status_code == 405
    assert page.headers["allow"] == "POST"
    assert "This address cannot be opened that way." in page.text
    assert client.put("/").status_code == 405
    assert "GET /answer refused (405): wrong method" in server.log()


def test_a_post_that_is_not_a_form_is_refused(client):
    page = client.post("/answer", json={"state": "x"})
    assert page.status_code == 400
    assert "That was not a form from this questionnaire." in page.text


def test_the_result_before_the_last_question_asks_the_next_question(client):
    state = state_of(after_first_answer(client))
    page = client.post("/result", data={"state": state})
    assert page.status_code == 400
    assert progress(page.text).startswith("Question 2 of at most")


def test_an_address_that_does_not_exist_gets_a_page(client):
    page = client.get("/no/such/page")
    assert page.status_code == 404
    assert heading(page.text) == "Page not found"
    assert client.post("/result/nothing", data={"state": "x"}).status_code == 404


def test_the_server_writes_nothing_in_its_home_or_working_folder(server, client):
    after_first_answer(client)
    assert [list(folder.iterdir()) for folder in server.folders] == [[], []]


def test_the_log_names_events_but_never_an_answer_or_a_state(server):
    log = server.log()
    assert SECRET not in log
    assert "state=" not in log and "chest_pain" not in log
    assert "Traceback" not in log


# --- refusing to start ------------------------------------------------------------------------------------------


def test_serve_refuses_to_start_when_a_golden_case_fails(tmp_path, cli):
    rules = rules_copy(tmp_path, {"cases/lungs_past_tb.yaml": ("urgency: soon", "urgency: routine")})
    result = cli("serve", "--rules", rules, "--port", "9")
    assert result.code == 2
    assert result.out == ""
    assert "self-test failed: urgency expected routine, got soon" in result.err


def test_serve_refuses_a_warning_shorter_than_twenty_seconds(cli):
    result = cli("serve", "--kiosk", "--warning-seconds", "5")
    assert result.code == 2
    assert result.err == "error: field '--warning-seconds': must be at least 20 seconds, and --idle-seconds at least " \
                         "10 more\n"


def test_serve_on_a_port_in_use_says_so_in_one_line(server, cli):
    result = cli("serve", "--port", str(server.port))
    assert result.code == 2
    assert result.err.startswith(f"error: field '--port': cannot listen on 127.0.0.1:{server.port}: ")
    assert len(result.err.splitlines()) == 1


# --- issue 17: the outcome for a clinic's record ------------------------------------------------------------


def test_the_doctor_page_saves_the_same_fhir_bundle_as_triage_run(client, real_kb):
    from triage.api import evaluate
    from triage.standards import fhir

    page, answers = client.post("/start").text, {}
    while 'class="question"' in page and (question := re.search(r'name="question" value="([^"]+)"', page)):
        assert question.group(1) not in answers, f"{question.group(1)} asked again: {page[-1500:]}"
        values = re.findall(r'name="answer" value="([^"]+)"', page)
        data = {"state": state_of(page), "question": question.group(1), "go": "next"}
        if 'type="radio"' in page:  # 'no' where it is offered; ticked lists left empty
            data["answer"] = answers[question.group(1)] = "no" if "no" in values else values[0]
        else:
            answers[question.group(1)] = []
        page = client.post("/answer", data=data).text
    doctor = client.post("/result/doctor", data={"state": state_of(page)})  # from the summary, every answer given
    assert 'action="/result/fhir"' in doctor.text and "Save for a clinic&#39;s records (FHIR file)" in doctor.text
    saved = client.post("/result/fhir", data={"state": state_of(doctor.text)})
    assert saved.status_code == 200
    assert saved.headers["content-type"].startswith("application/fhir+json")
    assert saved.headers["content-disposition"] == 'attachment; filename="calcitriage-outcome.fhir.json"'
    assert saved.headers["cache-control"] == "no-store"
    assert saved.json() == fhir.outcome_bundle(real_kb, evaluate(real_kb, answers))
    assert client.post("/result/fhir", data={"state": state_of(client.post("/start").text)}).status_code == 400


# --- answers under their questions: as the buttons read -----------------------------------------------------


def test_for_your_doctor_and_the_summary_show_every_answer_as_its_button_read(client, real_kb):
    """"Yes", "Not sure", an option's label, "None of these": never an answer's id such as `yes` or `not_sure`."""
    page, answers, ticked = client.post("/start").text, {}, False
    while 'class="question"' in page and (question := re.search(r'name="question" value="([^"]+)"', page)):
        qid = question.group(1)
        values = re.findall(r'name="answer" value="([^"]+)"', page)
        if 'type="radio"' in page:  # 'no' to the red flags; otherwise 'yes' and 'not sure' in turn, or the first option
            turn = ("yes", "not_sure") if len(answers) % 2 else ("not_sure", "yes")
            value = "no" if real_kb.question[qid].red_flag else next((v for v in turn if v in values), values[0])
        else:  # the first list gets its first box ticked, the others none where that is an answer
            value = (values[0],) if not ticked or "and at least one" in page else ()
            ticked = True
        answers[qid] = value
        page = client.post("/answer", data={"state": state_of(page), "question": qid, "answer": list(value)
                                            if isinstance(value, tuple) else value, "go": "next"}).text
    yes_no = {"yes": "Yes", "no": "No", "not_sure": "Not sure"}

    def label(qid: str, value) -> str:
        options = {o.id: o.label for o in real_kb.question[qid].options}
        if isinstance(value, tuple):
            return "; ".join(options[v] for v in value) or "None of these"
        return options.get(value) or yes_no[value]

    expected = [(real_kb.question[q].text, label(q, v)) for q, v in answers.items()]
    assert {"Yes", "Not sure", "None of these"} <= {answer for _, answer in expected}
    doctor = client.post("/result/doctor", data={"state": state_of(page)}).text
    shown = [(html.unescape(q), html.unescape(a))
             for q, a in re.findall(r"<div><dt>(.*?)</dt><dd>(.*?)</dd></div>", doctor, re.S)]
    assert sorted(shown) == sorted(expected)
    summary = [html.unescape(a) for a in re.findall(r'<dd class="answer">(.*?)</dd>', page, re.S)]
    assert sorted(summary) == sorted(a for _, a in expected)
