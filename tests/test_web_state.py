"""The signed hidden field that carries a person's answers from page to page (triage/frontends/web/state.py)."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from triage.frontends.web.app import WebSettings, create_app
from triage.frontends.web.state import Carried, Signer, StateError
from triage.knowledge.reading import load_reading

KEY = b"k" * 32
ANSWERS = Carried((("chest_pain", "no"), ("sex", "male"), ("general_signs", ("weakness",))),
                  ("chest_pain", "general_signs", "sex"))


class Clock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_answers_come_back_as_they_were_signed_in_their_order():
    signer = Signer(KEY, 60)
    assert signer.open(signer.sign(ANSWERS)) == ANSWERS


def test_a_changed_field_or_another_servers_field_is_refused_as_tampered():
    field = Signer(KEY, 60).sign(ANSWERS)
    with pytest.raises(StateError, match="tampered"):
        Signer(b"o" * 32, 60).open(field)  # a page from an earlier start of the server
    payload, signature = field.split(".")
    changed = payload.replace(payload[5], "A" if payload[5] != "A" else "B", 1)
    for bad in (f"{changed}.{signature}", f"{payload}.{signature[:-1]}", payload, "", "a.b.c", "é.é"):
        with pytest.raises(StateError, match="tampered"):
            Signer(KEY, 60).open(bad)


def test_a_field_older_than_its_time_to_live_is_refused_as_expired():
    clock = Clock()
    signer = Signer(KEY, 60, clock)
    field = signer.sign(ANSWERS)
    clock.now += 59
    assert signer.open(field) == ANSWERS
    clock.now += 2
    with pytest.raises(StateError, match="expired"):
        signer.open(field)


def test_a_short_key_is_refused():
    with pytest.raises(ValueError):
        Signer(b"short", 60)


def test_an_expired_page_gets_a_page_that_says_so_and_offers_to_start_again(real_engine):
    clock = Clock()
    app = create_app(real_engine, load_reading(real_engine.kb), KEY, WebSettings.make(kiosk=False))
    old = Signer(KEY, 60, Clock(clock.now - 31 * 60)).sign(Carried((("chest_pain", "no"),), ("chest_pain",)))

    async def post() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://web") as client:
            return await client.post("/answer", data={"state": old, "question": "vomiting_blood", "answer": "no"})

    page = asyncio.run(post())
    assert page.status_code == 400
    assert "This page was open for too long, so its answers were forgotten to keep them private." in page.text
    assert re.search(r'href="/">Start again</a>', page.text)


def test_kiosk_pages_expire_sooner_than_pages_at_home():
    assert WebSettings.make(kiosk=True).ttl_seconds < WebSettings.make(kiosk=False).ttl_seconds


def test_a_session_rebuilt_from_a_page_is_the_session_that_made_it(real_engine):
    from triage.session import Session

    answered = Session(real_engine)
    for question, value in (("chest_pain", "no"), ("vomiting_blood", "no"), ("blue_lips", "no")):
        answered.answer(question, value)
    answered.change("chest_pain", "not_sure")
    rebuilt = Session(real_engine, list(answered.answers.items()), answered.history)
    assert rebuilt.history == answered.history == ["vomiting_blood", "blue_lips", "chest_pain"]
    assert rebuilt.current() == answered.current()
    assert rebuilt.progress() == answered.progress()
    assert rebuilt.outcome().referral == answered.outcome().referral
    with pytest.raises(ValueError):
        Session(real_engine, [("chest_pain", "no")], [])
