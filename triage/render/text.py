"""An outcome and the question list as plain text for people, readable at 80 columns without colour.

The words around the knowledge base's texts come from the interface catalogue (triage/texts). The
question list (`triage questions`) is for clinicians and keeps its words here.
"""

from __future__ import annotations

from collections.abc import Sequence

from triage.model import KnowledgeBase, Question, Section
from triage.outcome import Concluded, ConclusionKind, Outcome
from triage.render.describe import answer_words, describe
from triage.render.layout import fill, heading
from triage.texts import plain_list, ui


def _wrap(text: str, indent: str = "", first: str | None = None) -> str:
    return fill(text, first if first is not None else indent, indent)


def referral_text(outcome: Outcome) -> str:
    referral = outcome.referral
    lines = [
        heading(ui("result.what_to_do", urgency=referral.urgency.label.upper(),
                   timeframe=referral.urgency.timeframe)),
        _wrap(referral.urgency.advice),
        _wrap(ui("result.whom", doctor=referral.to.name)),
    ]
    if referral.also:
        lines.append(_wrap(ui("result.also", doctors="; ".join(d.name for d in referral.also))))
    return "\n".join(lines)


def result_summary(kb: KnowledgeBase, outcome: Outcome) -> str:
    """What comes under the referral on the first result screen: sections and tests on one line each,
    then the disclaimer. Short enough that, with the referral and the menu, it fits 80 x 24."""
    lines = []
    if unanswered := unanswered_red_flags_text(kb, outcome):
        lines.append(unanswered)
    lines.append(_wrap(ui("result.sections_line", sections="; ".join(s.title for s in outcome.sections)))
                 if outcome.sections else _wrap(ui("result.no_sections")))
    if outcome.workups:
        lines.append(_wrap(ui("result.tests_line", tests="; ".join(w.workup.name for w in outcome.workups))))
    lines.append(_wrap(outcome.disclaimer))
    return "\n".join(lines)


def sections_text(kb: KnowledgeBase, sections: Sequence[Section]) -> str:
    """Leaflet sections in full, under their heading."""
    if not sections:
        return heading(ui("result.sections_heading")) + "\n" + _wrap(ui("result.no_sections"))
    return heading(ui("result.sections_heading")) + "\n" + "\n\n".join(
        section_text(s, kb.doctor[s.doctor].name) for s in sections)


def advice_text(outcome: Outcome) -> str:
    """The outcome's short notes ("good to know"); empty when there are none."""
    if not outcome.advice:
        return ""
    return heading(ui("result.advice_heading")) + "\n" + "\n".join(_wrap(a.text, "    ", "- ")
                                                                     for a in outcome.advice)


def tests_text(outcome: Outcome) -> str:
    items = [_wrap(ui("result.test", name=w.workup.name, purpose=w.workup.purpose, reasons=" ".join(w.reasons)),
                   "    ", "- ") for w in outcome.workups]
    return heading(ui("result.tests_heading")) + "\n" + "\n".join(items)


def unanswered_red_flags_text(kb: KnowledgeBase, outcome: Outcome) -> str:
    """Under the referral, when red-flag questions were left unanswered: which signs, and that the urgency
    above does not take them into account. Empty when every red flag was answered, or at the highest urgency."""
    top = max(u.rank for u in kb.urgency_levels)
    if not outcome.unanswered_red_flags or outcome.referral.urgency.rank == top:
        return ""  # at the highest urgency already, no unanswered sign could raise it
    questions = [kb.question[q] for q in outcome.unanswered_red_flags]
    signs = plain_list([q.emergency_sign or q.text for q in questions])
    return _wrap(ui("safety_net.unanswered_red_flags", signs=signs))


def section_text(section: Section, doctor_name: str) -> str:
    e = section.education
    parts = [f"* {section.title}"]
    for label, text in ((ui("result.what_it_is"), e.what), (ui("result.causes"), e.causes),
                        (ui("result.signs"), e.signs), (ui("result.examination"), e.examination),
                        (ui("result.next"), e.next)):
        parts.append(_wrap(f"{label}: {text}", "    ", "  "))
    parts.append(_wrap(ui("result.doctor_for_this", doctor=doctor_name), "    ", "  "))
    return "\n".join(parts)


def explanation_text(kb: KnowledgeBase, outcome: Outcome) -> str:
    lines = [heading(ui("result.why_heading"))]
    for step in outcome.explanation:
        lines.append(_wrap(step.rule.statement, "    ", "- "))
        source = kb.source[step.rule.source].title
        lines.append(_wrap(ui("result.rule_source", rule=step.rule.id, source=source), "    ", "    "))
        if step.conclusions_used:
            used = ", ".join(used_words(kb, c) for c in step.conclusions_used)
            lines.append(_wrap(ui("result.builds_on", items=used), "      ", "    "))
        for question_id, value in step.answers:
            words = answer_words(kb, question_id, value)
            lines.append(_wrap(ui("result.you_answered", answer=words, question=kb.question[question_id].text),
                               "      ", "    "))
    return "\n".join(lines)


def used_words(kb: KnowledgeBase, used: Concluded) -> str:
    if used.kind is ConclusionKind.CONCERN:
        return ui("result.used_section", title=kb.section[used.name].title)
    if used.kind is ConclusionKind.ORGAN_CONCERNS:
        return ui("result.used_organs", count=used.name)
    finding = kb.finding[used.name].description
    return ui("result.used_finding", finding=finding[:1].lower() + finding[1:].rstrip("."))


def outcome_text(kb: KnowledgeBase, outcome: Outcome, explain: bool = True) -> str:
    blocks = [referral_text(outcome)]
    if unanswered := unanswered_red_flags_text(kb, outcome):
        blocks.append(unanswered)
    blocks.append(sections_text(kb, outcome.sections))
    if outcome.workups:
        blocks.append(tests_text(outcome))
    if advice := advice_text(outcome):
        blocks.append(advice)
    if explain:
        blocks.append(explanation_text(kb, outcome))
    blocks.append(ui("result.version", version=outcome.kb_version, hash=outcome.kb_hash[:12]))
    blocks.append(_wrap(outcome.disclaimer))
    return "\n\n".join(blocks) + "\n"


def question_text(question: Question) -> str:
    marks = (", red flag" if question.red_flag else "") + (", at least one" if question.choose_at_least_one else "")
    lines = [f"{question.id}  [{question.type.value}{marks}]",
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
