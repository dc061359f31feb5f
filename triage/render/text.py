"""An outcome and the question list as plain text for people, readable at 80 columns without colour."""

from __future__ import annotations

import textwrap

from triage.model import KnowledgeBase, Question, Section
from triage.outcome import Concluded, ConclusionKind, Outcome
from triage.render.describe import answer_words, describe

WIDTH = 78


def _wrap(text: str, indent: str = "", first: str | None = None) -> str:
    return textwrap.fill(" ".join(text.split()), WIDTH, initial_indent=first if first is not None else indent,
                         subsequent_indent=indent)


def _heading(title: str) -> str:
    return f"{title}\n{'=' * len(title)}"


def referral_text(outcome: Outcome) -> str:
    referral = outcome.referral
    lines = [
        _heading(f"WHAT TO DO: {referral.urgency.label.upper()} ({referral.urgency.timeframe})"),
        _wrap(referral.urgency.advice),
        _wrap(f"Whom to see: {referral.to.name}."),
    ]
    if referral.also:
        lines.append(_wrap("They may also send you to: " + "; ".join(d.name for d in referral.also) + "."))
    return "\n".join(lines)


def section_text(section: Section, doctor_name: str) -> str:
    e = section.education
    parts = [f"* {section.title}"]
    for label, text in (("What it is", e.what), ("Usual causes", e.causes), ("Signs", e.signs),
                        ("How it is examined", e.examination), ("What happens next", e.next)):
        parts.append(_wrap(f"{label}: {text}", "    ", "  "))
    parts.append(_wrap(f"Doctor for this: {doctor_name}.", "    ", "  "))
    return "\n".join(parts)


def explanation_text(kb: KnowledgeBase, outcome: Outcome) -> str:
    lines = [_heading("WHY AM I SEEING THIS?")]
    for step in outcome.explanation:
        lines.append(_wrap(step.rule.statement, "    ", "- "))
        source = kb.source[step.rule.source].title
        lines.append(_wrap(f"Rule {step.rule.id}; source: {source}.", "    ", "    "))
        if step.conclusions_used:
            used = ", ".join(_used_words(kb, c) for c in step.conclusions_used)
            lines.append(_wrap(f"Builds on: {used}.", "      ", "    "))
        for question_id, value in step.answers:
            words = answer_words(kb, question_id, value)
            lines.append(_wrap(f"You answered '{words}' to: {kb.question[question_id].text}", "      ", "    "))
    return "\n".join(lines)


def _used_words(kb: KnowledgeBase, used: Concluded) -> str:
    if used.kind is ConclusionKind.CONCERN:
        return f"the section '{kb.section[used.name].title}'"
    if used.kind is ConclusionKind.ORGAN_CONCERNS:
        return f"answers relating to {used.name} organs"
    return f"the finding '{used.name}'"


def outcome_text(kb: KnowledgeBase, outcome: Outcome, explain: bool = True) -> str:
    blocks = [referral_text(outcome)]
    if outcome.sections:
        blocks.append(_heading("LEAFLET SECTIONS THAT RELATE TO YOUR ANSWERS") + "\n" + "\n\n".join(
            section_text(s, kb.doctor[s.doctor].name) for s in outcome.sections))
    else:
        blocks.append(_heading("LEAFLET SECTIONS THAT RELATE TO YOUR ANSWERS") + "\n" +
                      _wrap("None of your answers point to a particular section of the leaflet."))
    if outcome.workups:
        items = [_wrap(f"{w.workup.name}: {w.workup.purpose} Why: {' '.join(w.reasons)}", "    ", "- ")
                 for w in outcome.workups]
        blocks.append(_heading("TESTS A DOCTOR MAY CONSIDER") + "\n" + "\n".join(items))
    if outcome.advice:
        blocks.append(_heading("GOOD TO KNOW") + "\n" + "\n".join(_wrap(a.text, "    ", "- ")
                                                                   for a in outcome.advice))
    if explain:
        blocks.append(explanation_text(kb, outcome))
    blocks.append(f"Knowledge base {outcome.kb_version} ({outcome.kb_hash[:12]})")
    blocks.append(_wrap(outcome.disclaimer))
    return "\n\n".join(blocks) + "\n"


def question_text(question: Question) -> str:
    lines = [f"{question.id}  [{question.type.value}{', red flag' if question.red_flag else ''}]",
             _wrap(question.text, "    ", "    ")]
    if question.help:
        lines.append(_wrap(f"Help: {question.help}", "    ", "    "))
    for option in question.options:
        when = f"  (offered when {describe(option.ask_when)})" if option.ask_when else ""
        lines.append(_wrap(f"{option.id}: {option.label}{when}", "        ", "    - "))
    lines.append(_wrap(f"Asked: {'when ' + describe(question.ask_when) if question.ask_when else 'always'}",
                       "    ", "    "))
    return "\n".join(lines)


def questions_text(kb: KnowledgeBase) -> str:
    return "\n\n".join(question_text(q) for q in kb.questions) + "\n"
