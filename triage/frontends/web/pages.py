"""What each page shows, as plain values for the templates: a Session, an Outcome or the reading pages in,
dicts of texts out. Every word comes from rules/ (medical texts) or the interface catalogue (`ui`); the
templates only lay them out. No decision about a person is made here: the Session and the Outcome made it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from triage.frontends.asker import choices_for, progress_line
from triage.knowledge.reading import Reading, ReadingPage
from triage.model import KnowledgeBase, Question
from triage.outcome import AnswerValue, Outcome
from triage.render.describe import answer_words
from triage.render.text import unanswered_red_flags_text, used_words
from triage.session import Session
from triage.texts import emergency_notice, ui
from triage.vocabulary import Prompt

Page = dict[str, Any]


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    checked: bool


def words() -> dict[str, str]:
    """The interface words every page may use (buttons, headings, notices)."""
    return {
        "site_name": ui("web.site_name"), "next": ui("web.next"), "back": ui("web.back"),
        "start": ui("opening.start"), "read": ui("kiosk.read"), "help": ui("interview.help_button"),
        "problem": ui("web.problem_heading"), "change": ui("web.change"), "see_result": ui("interview.see_result"),
        "what_to_do": ui("web.what_to_do"), "sections": ui("web.sections_heading"), "tests": ui("web.tests_heading"),
        "advice": ui("interview.read_advice"), "why": ui("interview.why"), "read_more": ui("web.read_more"),
        "read_sections": ui("interview.read_sections"), "read_tests": ui("interview.read_tests"),
        "doctor": ui("web.doctor_button"), "print": ui("web.print"),
        "fhir_download": ui("web.fhir_download"), "back_to_result": ui("interview.back_to_result"),
        "finish": ui("interview.finish"), "start_again": ui("web.start_again"), "to_start": ui("web.to_start"),
        "reading_list": ui("web.reading_list"), "still_there": ui("web.still_there"), "stay": ui("web.stay"),
        "noscript": ui("web.kiosk_noscript"), "removed": ui("interview.removed"), "skip": ui("web.skip"),
    }


def title(text: str) -> str:
    return ui("web.page_title", title=text)


def opening_page(kb: KnowledgeBase, notices: tuple[str, ...], kiosk: bool, idle_seconds: float) -> Page:
    if kiosk:
        idle = (ui("kiosk.idle_minutes", minutes=f"{idle_seconds / 60:g}") if idle_seconds >= 60
                else ui("kiosk.idle_seconds", seconds=f"{idle_seconds:g}"))
        heading, intro, privacy = ui("kiosk.welcome"), ui("kiosk.welcome_text"), ui("web.kiosk_privacy", idle=idle)
    else:
        heading, intro, privacy = ui("web.opening_heading"), "", ui("web.privacy")
    return {"title": title(heading if kiosk else ui("web.opening_title")), "heading": heading, "intro": intro,
            "about": kb.about, "notices": notices, "privacy": privacy,
            "emergency": emergency_notice(kb.emergency_signs)}


def _hint(question: Question, multiple: bool) -> str:
    if not multiple:
        return ui("web.choose_hint")
    if question.takes(()):
        return ui("web.tick_hint")
    return ui("web.tick_hint_at_least_one")


def question_page(session: Session, question: Question, changing: bool = False, default: AnswerValue | None = None,
                  error: str | None = None, removed: tuple[str, ...] = ()) -> Page:
    """One question: its text, help and options, with `default` chosen (the answer being changed or taken back)."""
    chosen = set(default) if isinstance(default, tuple) else {default} if default is not None else set()
    multiple = question.kind.prompt is Prompt.TICK_BOXES
    progress = session.progress(question) if changing else session.progress()
    return {
        "title": title(question.text), "question": question.id, "text": question.text, "help": question.help,
        "progress": progress_line(progress), "multiple": multiple, "changing": changing,
        "hint": _hint(question, multiple),
        "choices": [Choice(v, label, v in chosen) for v, label in choices_for(question, session.options(question))],
        "error": error, "removed": [session.kb.question[q].text for q in removed],
    }


def summary_page(session: Session, removed: tuple[str, ...] = ()) -> Page:
    kb = session.kb
    return {
        "title": title(ui("web.summary_heading")), "heading": ui("web.summary_heading"),
        "intro": ui("web.summary_intro"), "removed": [kb.question[q].text for q in removed],
        "answers": [{"question": q, "text": kb.question[q].text, "answer": answer_label(kb.question[q], v),
                     "which": ui("web.change_which", question=kb.question[q].text)}
                    for q, v in session.answers.items()],
    }


def answer_label(question: Question, value: AnswerValue) -> str:
    """An answer under its question as it was offered: the label of the button chosen ("Yes", "Female"), ticked
    boxes joined by semicolons (labels may hold commas), "None of these" when none was ticked. (In a sentence,
    "You answered no to ...", answer_words says it in lower case.)"""
    labels = dict(choices_for(question, question.options))
    if isinstance(value, tuple):
        return "; ".join(labels.get(v, v) for v in value) if value else ui("answer.label_none")
    return labels.get(value, value)


def referral(kb: KnowledgeBase, outcome: Outcome) -> Page:
    """What to do, how soon and whom to see first: the top of the result, the emergency page and the print-out."""
    r = outcome.referral
    return {"urgency": ui("web.how_soon", urgency=r.urgency.label, timeframe=r.urgency.timeframe),
            "urgency_id": r.urgency.id, "advice": r.urgency.advice, "whom": ui("result.whom", doctor=r.to.name),
            "also": ui("result.also", doctors="; ".join(d.name for d in r.also)) if r.also else None,
            "unanswered": unanswered_red_flags_text(kb, outcome).replace("\n", " ") or None}


def result_page(kb: KnowledgeBase, outcome: Outcome) -> Page:
    return {
        "title": title(ui("web.result_title")), "heading": ui("web.result_title"), "referral": referral(kb, outcome),
        "sections": [s.title for s in outcome.sections], "no_sections": ui("result.no_sections"),
        "tests": [w.workup.name for w in outcome.workups], "has_advice": bool(outcome.advice),
        "disclaimer": outcome.disclaimer, "version": _version(outcome),
    }


def emergency_page(kb: KnowledgeBase, outcome: Outcome) -> Page:
    return {"title": title(outcome.referral.urgency.label), "heading": ui("web.what_to_do"),
            "referral": referral(kb, outcome), "disclaimer": outcome.disclaimer}


def sections_page(kb: KnowledgeBase, outcome: Outcome) -> Page:
    labels = (ui("result.what_it_is"), ui("result.causes"), ui("result.signs"), ui("result.examination"),
              ui("result.next"))
    sections = [{"title": s.title, "parts": list(zip(labels, (s.education.what, s.education.causes,
                                                               s.education.signs, s.education.examination,
                                                               s.education.next), strict=True)),
                 "doctor": ui("result.doctor_for_this", doctor=kb.doctor[s.doctor].name)} for s in outcome.sections]
    return {"title": title(ui("web.sections_heading")), "heading": ui("web.sections_heading"), "sections": sections,
            "none": ui("result.no_sections")}


def tests_page(outcome: Outcome) -> Page:
    tests = [{"name": w.workup.name, "purpose": w.workup.purpose,
              "why": ui("web.test_why", reasons=" ".join(w.reasons))} for w in outcome.workups]
    return {"title": title(ui("web.tests_heading")), "heading": ui("web.tests_heading"), "tests": tests}


def advice_page(outcome: Outcome) -> Page:
    return {"title": title(ui("interview.read_advice")), "heading": ui("interview.read_advice"),
            "advice": [a.text for a in outcome.advice]}


def why_page(kb: KnowledgeBase, outcome: Outcome) -> Page:
    steps = []
    for step in outcome.explanation:
        steps.append({
            "statement": step.rule.statement,
            "source": ui("result.rule_source", rule=step.rule.id, source=kb.source[step.rule.source].title),
            "builds_on": (ui("result.builds_on", items=", ".join(used_words(kb, c) for c in step.conclusions_used))
                          if step.conclusions_used else None),
            "answers": [ui("result.you_answered", answer=answer_words(kb, q, v), question=kb.question[q].text)
                        for q, v in step.answers]})
    return {"title": title(ui("interview.why")), "heading": ui("interview.why"), "steps": steps,
            "version": _version(outcome)}


def doctor_page(kb: KnowledgeBase, outcome: Outcome, today: date) -> Page:
    """The print-out: answers, referral, sections and tests, with the knowledge base's version; one A4 page."""
    return {
        "title": title(ui("web.doctor_heading")), "heading": ui("web.doctor_heading"), "intro": ui("web.doctor_intro"),
        "referral": referral(kb, outcome), "answers_heading": ui("web.doctor_answers"),
        "answers": [(kb.question[q].text, answer_label(kb.question[q], v)) for q, v in outcome.answers],
        "sections": [s.title for s in outcome.sections], "no_sections": ui("result.no_sections"),
        "tests": [w.workup.name for w in outcome.workups], "disclaimer": outcome.disclaimer,
        "made": ui("web.doctor_made", date=today.isoformat(), name=outcome.kb_name, version=outcome.kb_version,
                   hash=outcome.kb_hash[:12]),
    }


def reading_list_page(reading: Reading) -> Page:
    return {"title": title(ui("web.reading_heading")), "heading": ui("web.reading_heading"),
            "intro": ui("web.reading_intro"), "pages": [(p.id, p.title) for p in reading.pages]}


def reading_page(reading: Reading, page: ReadingPage) -> Page:
    pages = reading.pages
    index = pages.index(page)
    following = pages[index + 1] if index + 1 < len(pages) else None
    return {"title": title(page.title), "heading": page.title,
            "paragraphs": [(p.label, p.text) for p in page.paragraphs], "closing": reading.closing,
            "next": (following.id, ui("web.reading_next", title=following.title)) if following else None}


def problem_page(message: str) -> Page:
    return {"title": title(ui("web.bad_heading")), "heading": ui("web.bad_heading"), "message": message}


def not_found_page() -> Page:
    return {"title": title(ui("web.not_found_heading")), "heading": ui("web.not_found_heading"),
            "message": ui("web.not_found")}


def went_wrong_page(kb: KnowledgeBase) -> Page:
    return {"title": title(ui("kiosk.safe_heading")), "heading": ui("kiosk.safe_heading"),
            "message": ui("errors.went_wrong", notice=emergency_notice(kb.emergency_signs))}


def idle_texts() -> tuple[str, str]:
    """The "Still there?" text around its countdown number, which the page's script counts down."""
    before, _, after = ui("web.clear_in", seconds="\0").partition("\0")
    return before, after


def _version(outcome: Outcome) -> str:
    return ui("result.version", version=outcome.kb_version, hash=outcome.kb_hash[:12])
