"""The Starlette application of `triage serve`: server-rendered pages, one question per POST form.

A person's answers travel only in the page, in a signed hidden field (state.py); every request rebuilds a
Session from them, checked as an answers file is (answers.check_answers), and lets it go when the page is
sent. So nothing of a person stays on the server, any worker can answer any request, and a load balancer
needs to know nothing. Every page that shows answers is sent with `Cache-Control: no-store`.

Whatever a request gets wrong (a changed or expired field, an answer that is not offered, a body too large,
a wrong method) ends in a page that says what to do, with the earlier answers kept where they are valid, and
one line in the server's log that names the event and never an answer.

Each visit has a random id in a cookie of its own (HttpOnly, SameSite=Strict, gone when the browser closes),
and the signed state names the visit it belongs to. Start and Finish begin a new visit, and so does every
welcome page at a kiosk (after Finish and after the idle reset): a page of the person before, sent again with
Back and Reload, is then refused like a changed one. The id is random and holds nothing of the answers, so
this too needs nothing on the server, and any worker can check it.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from triage.answers import check_answers
from triage.checks.second_opinion import SecondOpinionError
from triage.errors import AnswersError
from triage.flow import next_question, offered_values
from triage.frontends.web import pages
from triage.frontends.web.state import Carried, Signer, StateError, carried_of
from triage.knowledge.reading import Reading
from triage.knowledge.reviews import review_notices
from triage.model import Question
from triage.outcome import AnswerValue
from triage.rete.engine import CompiledRules
from triage.session import Session
from triage.standards import fhir
from triage.texts import emergency_notice, ui
from triage.vocabulary import Prompt

log = logging.getLogger("triage.web")

MAX_BODY = 64 * 1024  # a full form is about 4 KB; anything far larger is refused before it is read whole
MAX_FIELDS = 200
SECURITY_HEADERS = [
    # Only this server's own files: no inline script, no third party, never inside a frame.
    (b"content-security-policy", b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
                                 b"form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
]
RESULT_PARTS = ("sections", "tests", "advice", "why", "doctor", "fhir")
VISITOR_COOKIE = "visitor"


@dataclass(frozen=True)
class WebSettings:
    """How one `triage serve` behaves; the same in every worker."""

    kiosk: bool = False
    idle_seconds: float = 120  # kiosk: without a touch or key for this long, the screen goes back to the start
    warning_seconds: float = 30  # kiosk: "Still there?" this long before (WCAG 2.2.1: at least 20 s)
    ttl_seconds: float = 30 * 60  # a page's answers are refused as expired after this long

    @classmethod
    def make(cls, kiosk: bool, idle_seconds: float = 120, warning_seconds: float = 30) -> WebSettings:
        # At a kiosk, a page left behind must stop working soon: a few minutes past the idle reset.
        ttl = max(idle_seconds + 60, 10 * 60) if kiosk else 30 * 60
        return cls(kiosk, idle_seconds, warning_seconds, ttl)


@dataclass
class Visit:
    """The visit a request belongs to: the id in the browser's visitor cookie, or a new one (`new`) that the
    response sets."""

    id: str
    new: bool = False

    def begin(self) -> None:
        """A new person: the pages of the one before no longer match."""
        self.id, self.new = secrets.token_urlsafe(16), True


# The visit of the request being answered, set by WebApp.guarded for the length of one request.
_visit: ContextVar[Visit] = ContextVar("visit")


class Refused(Exception):
    """A request the app will not take: the page to show instead (or a message), its status and why, for the log."""

    def __init__(self, status: int, event: str, message: str, page: Response | None = None):
        super().__init__(event)
        self.status, self.event, self.message, self.page = status, event, message, page


class WebApp:
    """The pages of one knowledge base; shared by every request, holding nothing of any person."""

    def __init__(self, engine: CompiledRules, reading: Reading, key: bytes, settings: WebSettings):
        self.engine = engine
        self.kb = engine.kb
        self.reading = reading
        self.settings = settings
        self.signer = Signer(key, settings.ttl_seconds)
        self.notices = review_notices(self.kb)
        self.templates = Environment(loader=PackageLoader("triage.frontends.web", "templates"),
                                     autoescape=select_autoescape(default=True), trim_blocks=True,
                                     lstrip_blocks=True)
        before, after = pages.idle_texts()
        self.common = {"w": pages.words(), "emergency": emergency_notice(self.kb.emergency_signs),
                       "kiosk": settings.kiosk, "idle": settings.idle_seconds, "warning": settings.warning_seconds,
                       "idle_before": before, "idle_after": after}

    # --- responses ---------------------------------------------------------------------------------------------

    def render(self, template: str, page: pages.Page, session: Session | None = None, status: int = 200,
               timed: bool = True) -> HTMLResponse:
        state = (self.signer.sign(carried_of(tuple(session.answers.items()), session.history, _visit.get().id))
                 if session else None)
        html = self.templates.get_template(template).render(
            page=page, state=state, timed=timed and self.settings.kiosk, **self.common)
        # no-store on every page, not only those with answers: Back after a reset then shows nothing at all.
        return HTMLResponse(html, status, headers={"cache-control": "no-store"})

    def problem(self, refused: Refused) -> Response:
        return refused.page or self.render("problem.html", pages.problem_page(refused.message), status=refused.status)

    # --- reading a request --------------------------------------------------------------------------------------

    async def form(self, request: Request) -> dict[str, list[str]]:
        """The form fields of a POST; Refused when it is not a form of ours or too large."""
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/x-www-form-urlencoded":
            raise Refused(400, "not a form", ui("web.not_a_form"))
        length = request.headers.get("content-length", "")
        if length and (not length.isdigit() or int(length) > MAX_BODY):
            raise Refused(413, "body too large", ui("web.too_large"))
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                raise Refused(413, "body too large", ui("web.too_large"))
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
        except (UnicodeDecodeError, ValueError) as exc:
            raise Refused(400, "not a form", ui("web.not_a_form")) from exc
        fields: dict[str, list[str]] = {}
        for name, value in pairs:
            fields.setdefault(name, []).append(value)
        return fields

    def carried(self, fields: dict[str, list[str]]) -> Carried:
        """The page's signed answers, checked as an answers file is (check_answers)."""
        try:
            carried = self.signer.open(_one(fields, "state"))
        except StateError as exc:
            message = ui("web.expired") if exc.reason == "expired" else ui("web.tampered")
            raise Refused(400, f"{exc.reason} state", message) from exc
        visitor = _visit.get().id
        if carried.visitor != visitor:  # Back and Reload after the person before, or the cookie refused
            raise Refused(400, "state of another visit" if visitor else "no visitor cookie",
                          ui("web.another_visit") if visitor else ui("web.no_cookie"))
        ids = [q for q, _ in carried.answers]
        raw = {q: list(v) if isinstance(v, tuple) else v for q, v in carried.answers}
        try:
            checked = check_answers(self.kb, raw, "the page")
            if len(raw) != len(ids) or sorted(carried.history) != sorted(ids):
                raise ValueError("an answer given twice, or a history of other questions")
        except (AnswersError, ValueError) as exc:  # signed by this server yet not valid: only a bug makes one
            raise Refused(400, "state not valid", ui("web.tampered")) from exc
        return Carried(tuple((q, checked[q]) for q in ids), carried.history, carried.visitor)

    def session(self, fields: dict[str, list[str]]) -> Session:
        """The person's Session, rebuilt from the page's signed answers."""
        carried = self.carried(fields)
        return Session(self.engine, carried.answers, carried.history)

    # --- the pages ----------------------------------------------------------------------------------------------

    def opening(self) -> HTMLResponse:
        page = pages.opening_page(self.kb, self.notices, self.settings.kiosk, self.settings.idle_seconds)
        return self.render("opening.html", page, timed=False)  # nobody is there yet: nothing to clear

    def next_page(self, session: Session, removed: tuple[str, ...] = (), status: int = 200,
                  error: str | None = None) -> HTMLResponse:
        """Where the interview goes after an answer: the emergency page at the top urgency, else the next
        question, else the summary (as the terminal interview does)."""
        if session.reached_top_urgency():
            return self.render("emergency.html", pages.emergency_page(self.kb, session.outcome()), session, status)
        question = session.current()
        if question is not None:
            return self.render("question.html", pages.question_page(session, question, error=error, removed=removed),
                               session, status)
        return self.render("summary.html", {**pages.summary_page(session, removed), "error": error}, session, status)

    async def home(self, request: Request) -> Response:
        if self.settings.kiosk:  # each welcome page waits for the next person
            _visit.get().begin()
        return self.opening()

    async def start(self, request: Request) -> Response:
        # Nothing to read: a new person starts with no answers, whatever was sent.
        _visit.get().begin()
        return self.next_page(Session(self.engine))

    async def answer(self, request: Request) -> Response:
        fields = await self.form(request)
        changing = _one(fields, "changing", "") == "1"
        if changing or _one(fields, "go", "next") == "back":
            return self.answer_again(fields, changing)
        carried = self.carried(fields)
        answers = dict(carried.answers)
        # The rules run once per page: the question and the answer are checked on the flow alone, and the
        # Session is made with the new answer in it (as Session.answer would add it).
        question = self.kb.question.get(_one(fields, "question", ""))
        if question is None or question != next_question(self.kb, answers):
            session = Session(self.engine, carried.answers, carried.history)
            event, message = (("unknown question", ui("web.unknown_question")) if question is None
                              else ("question not asked", ui("web.not_asked")))
            raise Refused(400, event, "", self.next_page(session, status=400, error=message))
        value = self.value(fields, question, answers, carried.history)
        if value is None:
            session = Session(self.engine, carried.answers, carried.history)
            return self.render("question.html", pages.question_page(session, question, error=_choose_first(question)),
                               session)
        session = Session(self.engine, (*carried.answers, (question.id, value)), (*carried.history, question.id))
        return self.next_page(session)

    def value(self, fields: dict[str, list[str]], question: Question, answers: dict[str, AnswerValue],
              history: Sequence[str]) -> AnswerValue | None:
        """The answer sent for `question`; None when nothing was chosen (or ticked, where one tick is needed);
        Refused when it is not offered."""
        values = fields.get("answer", [])
        offered = offered_values(question, answers)
        if any(v not in offered for v in values) or len(set(values)) != len(values) or (
                question.kind.prompt is Prompt.SELECT and len(values) > 1):
            session = Session(self.engine, tuple(answers.items()), history)  # only to show the question again
            again = pages.question_page(session, question, changing=question.id in answers,
                                        error=ui("web.not_offered"))
            raise Refused(400, "value not offered", "", self.render("question.html", again, session, 400))
        if question.kind.prompt is Prompt.TICK_BOXES:
            ticked = tuple(v for v in offered if v in values)  # in the order shown
            return ticked if question.takes(ticked) else None
        return values[0] if values else None

    def answer_again(self, fields: dict[str, list[str]], changing: bool) -> Response:
        """Back, or a changed answer from the summary: the Session first, then the step (the rules run twice)."""
        session = self.session(fields)
        if _one(fields, "go", "next") == "back":
            return self.back(session, changing)
        question = self.kb.question.get(_one(fields, "question", ""))
        if question is None or question.id not in session.answers:
            event, message = (("unknown question", ui("web.unknown_question")) if question is None
                              else ("question not asked", ui("web.not_asked")))
            raise Refused(400, event, "", self.next_page(session, status=400, error=message))
        value = self.value(fields, question, session.answers, session.history)
        if value is None:
            return self.render("question.html", pages.question_page(session, question, changing=True,
                                                                    error=_choose_first(question)), session)
        return self.next_page(session, tuple(session.change(question.id, value)))

    def back(self, session: Session, changing: bool) -> Response:
        """Back: from a changed answer to the summary; otherwise the last answer is taken back and asked again."""
        if changing:
            return self.render("summary.html", pages.summary_page(session), session)
        if not session.history:
            return self.opening()
        previous = session.history[-1]
        value = session.answers[previous]
        session.go_back()
        question = session.current()
        if question is None:
            return self.next_page(session)
        default = value if question.id == previous else None
        return self.render("question.html", pages.question_page(session, question, default=default), session)

    async def change(self, request: Request) -> Response:
        fields = await self.form(request)
        session = self.session(fields)
        question_id = _one(fields, "question", "")
        if question_id not in session.answers:
            raise Refused(400, "question not asked", "", self.render(
                "summary.html", {**pages.summary_page(session), "error": ui("web.not_asked")}, session, 400))
        question = self.kb.question[question_id]
        return self.render("question.html", pages.question_page(
            session, question, changing=True, default=session.answers[question_id]), session)

    async def finished_session(self, request: Request) -> Session:
        """The session of a result page: every question answered, or the top urgency reached."""
        session = self.session(await self.form(request))
        if session.current() is not None and not session.reached_top_urgency():
            raise Refused(400, "result before the end", "", self.next_page(session, status=400,
                                                                          error=ui("web.not_finished")))
        return session

    async def result(self, request: Request) -> Response:
        session = await self.finished_session(request)
        outcome = session.outcome()
        if session.reached_top_urgency():
            return self.render("emergency.html", pages.emergency_page(self.kb, outcome), session)
        return self.render("result.html", pages.result_page(self.kb, outcome), session)

    async def result_part(self, request: Request) -> Response:
        part = request.path_params["part"]
        if part not in RESULT_PARTS:
            raise HTTPException(404)
        session = await self.finished_session(request)
        outcome = session.outcome()
        if part == "fhir":
            # The same Bundle as `triage run --format fhir`, for a clinic's record: a download, never a page.
            return Response(fhir.to_json(fhir.outcome_bundle(self.kb, outcome)) + "\n",
                            media_type="application/fhir+json",
                            headers={"content-disposition": 'attachment; filename="calcitriage-outcome.fhir.json"',
                                     "cache-control": "no-store"})
        if part == "doctor":
            return self.render("doctor.html", pages.doctor_page(self.kb, outcome, date.today()), session)
        page = {"sections": lambda: pages.sections_page(self.kb, outcome), "tests": lambda: pages.tests_page(outcome),
                "advice": lambda: pages.advice_page(outcome), "why": lambda: pages.why_page(self.kb, outcome)}[part]()
        return self.render("detail.html", {**page, "part": part}, session)

    async def finish(self, request: Request) -> Response:
        # The answers are not even read: Finish always works, also on a page that has expired.
        _visit.get().begin()
        return RedirectResponse("/", status_code=303, headers={"cache-control": "no-store"})

    async def reading_list(self, request: Request) -> Response:
        return self.render("reading_list.html", pages.reading_list_page(self.reading))

    async def reading_page(self, request: Request) -> Response:
        page = self.reading.page.get(request.path_params["page"])
        if page is None:
            raise HTTPException(404)
        return self.render("reading.html", pages.reading_page(self.reading, page))

    # --- errors -------------------------------------------------------------------------------------------------

    async def http_error(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        _log_refusal(request, exc.status_code, "wrong method" if exc.status_code == 405 else "no such page")
        if exc.status_code == 405:
            response = self.render("problem.html", pages.problem_page(ui("web.wrong_method")), status=405)
            response.headers["allow"] = (exc.headers or {}).get("Allow", "POST")
            return response
        if exc.status_code == 404:
            return self.render("problem.html", pages.not_found_page(), status=404)
        return self.render("problem.html", pages.problem_page(ui("web.not_a_form")), status=exc.status_code)

    def guarded(self, handler: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        """A refused request gets its page; anything unexpected gets the safe page with the emergency notice,
        and the log names the failure's kind only: an exception's message might hold an answer."""

        async def answered(request: Request) -> Response:
            try:
                return await handler(request)
            except Refused as refused:
                _log_refusal(request, refused.status, refused.event)
                return self.problem(refused)
            except HTTPException:
                raise
            except SecondOpinionError as exc:
                log.error("%s %s: the rule engine and the reference evaluator disagreed (%s differed); the safe "
                          "page was shown", request.method, request.url.path, ", ".join(exc.differing))
            except Exception as exc:  # noqa: BLE001 - a person gets a page, never a traceback
                log.error("%s %s: failed with %s; the safe page was shown", request.method, request.url.path,
                          type(exc).__name__)
            return self.render("problem.html", pages.went_wrong_page(self.kb), status=500)

        async def endpoint(request: Request) -> Response:
            visit = Visit(request.cookies.get(VISITOR_COOKIE, ""))
            token = _visit.set(visit)
            try:
                response = await answered(request)
            finally:
                _visit.reset(token)
            if visit.new:  # no Max-Age: the browser forgets it when it closes
                response.set_cookie(VISITOR_COOKIE, visit.id, path="/", httponly=True, samesite="strict")
            return response

        return endpoint


def _choose_first(question: Question) -> str:
    """What to say when Next was pressed with no answer given."""
    return ui("web.choose_first") if question.takes(()) else ui("web.tick_at_least_one")


def _one(fields: dict[str, list[str]], name: str, default: str | None = None) -> str:
    values = fields.get(name)
    if not values:
        if default is None:
            raise Refused(400, f"no {name} field", ui("web.tampered"))
        return default
    return values[0]


def _log_refusal(request: Request, status: int, event: str) -> None:
    log.warning("%s %s refused (%d): %s", request.method, request.url.path, status, event)


class Headers:
    """Security headers on every response, and the time the server spent on it (Server-Timing, read by the
    benchmark), as plain ASGI middleware.

    The time the app waited for the request's body to arrive is not the app's: the event loop serves other
    people meanwhile (their pages are counted in theirs), so it is given apart, as `body`.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        waited = 0.0

        async def timed_receive() -> Message:
            nonlocal waited
            before = time.perf_counter()
            message = await receive()
            waited += time.perf_counter() - before
            return message

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                spent = (time.perf_counter() - started - waited) * 1000
                timing = f"app;dur={spent:.2f}, body;dur={waited * 1000:.2f}"
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS,
                                      (b"server-timing", timing.encode())]
            await send(message)

        await self.app(scope, timed_receive, send_with_headers)


def create_app(engine: CompiledRules, reading: Reading, key: bytes, settings: WebSettings) -> Starlette:
    """The application for `engine` (rules that passed the start-up self-test) and the signing key `key`."""
    web = WebApp(engine, reading, key, settings)
    g = web.guarded
    routes = [
        Route("/", g(web.home), methods=["GET"]),
        Route("/start", g(web.start), methods=["POST"]),
        Route("/answer", g(web.answer), methods=["POST"]),
        Route("/change", g(web.change), methods=["POST"]),
        Route("/result", g(web.result), methods=["POST"]),
        Route("/result/{part}", g(web.result_part), methods=["POST"]),
        Route("/finish", g(web.finish), methods=["POST"]),
        Route("/read", g(web.reading_list), methods=["GET"]),
        Route("/read/{page}", g(web.reading_page), methods=["GET"]),
        Mount("/static", StaticFiles(directory=Path(__file__).with_name("static")), name="static"),
    ]
    handlers: dict[Any, Any] = {404: web.http_error, 405: web.http_error, HTTPException: web.http_error}
    app = Starlette(routes=routes, exception_handlers=handlers)
    app.add_middleware(Headers)
    return app
