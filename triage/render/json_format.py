"""The JSON shape of an outcome and of the question list. Documented in README.md; keep it stable."""

from __future__ import annotations

import json
from typing import Any

from triage.model import KnowledgeBase, Question
from triage.outcome import Outcome
from triage.render.describe import describe

SCHEMA_VERSION = 1


def outcome_data(outcome: Outcome) -> dict[str, Any]:
    referral = outcome.referral
    return {
        "schema": SCHEMA_VERSION,
        "version": outcome.kb_version,
        "hash": outcome.kb_hash,
        "referral": {
            "to": referral.to.id,
            "to_name": referral.to.name,
            "urgency": referral.urgency.id,
            "urgency_label": referral.urgency.label,
            "timeframe": referral.urgency.timeframe,
            "advice": referral.urgency.advice,
            "also": [d.id for d in referral.also],
            "rules": list(referral.rules),
        },
        "unanswered_red_flags": list(outcome.unanswered_red_flags),
        "sections": list(outcome.section_ids),
        "workups": list(outcome.workup_ids),
        "workup_reasons": {w.workup.id: list(w.reasons) for w in outcome.workups},
        "advice": [a.id for a in outcome.advice],
        "findings": list(outcome.findings),
        "explanation": [
            {
                "rule": step.rule.id,
                "statement": step.rule.statement,
                "source": step.rule.source,
                "conclusion": str(step.conclusion),
                "answers": [{"question": q, "answer": v} for q, v in step.answers],
                "conclusions_used": [str(c) for c in step.conclusions_used],
            }
            for step in outcome.explanation
        ],
        "answers": {q: list(v) if isinstance(v, tuple) else v for q, v in outcome.answers},
        "disclaimer": outcome.disclaimer,
    }


def outcome_json(outcome: Outcome) -> str:
    return json.dumps(outcome_data(outcome), indent=2, ensure_ascii=False)


def question_data(question: Question) -> dict[str, Any]:
    return {
        "id": question.id,
        "topic": question.topic,
        "text": question.text,
        "help": question.help,
        "type": question.type.value,
        "values": list(question.values),
        "options": [{"id": o.id, "label": o.label,
                     "asked_when": describe(o.ask_when) if o.ask_when else None} for o in question.options],
        "red_flag": question.red_flag,
        "asked_when": describe(question.ask_when) if question.ask_when else "always",
    }


def questions_json(kb: KnowledgeBase) -> str:
    return json.dumps({"version": kb.version, "hash": kb.hash,
                       "questions": [question_data(q) for q in kb.questions]}, indent=2, ensure_ascii=False)
