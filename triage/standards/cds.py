"""An outcome as a CDS Hooks card (https://cds-hooks.hl7.org/): a one-line summary, an indicator from the
urgency, the detail in Markdown and the knowledge base as the source. Pure: Outcome in, dict out.

The card is read by a clinician in their record system, so its few words of frame are written here (as the
review sheet's are); every medical text in it comes from rules/ through the outcome.
"""

from __future__ import annotations

import uuid
from typing import Any

from triage.model import KnowledgeBase, Urgency
from triage.outcome import Outcome
from triage.standards.fhir import canonical

SUMMARY_LIMIT = 140  # CDS Hooks: "<140-character summary message"


def indicator(kb: KnowledgeBase, urgency: Urgency) -> str:
    """critical for the top urgency (emergency), info for the lowest (routine), warning in between."""
    levels = kb.urgency_levels  # highest first
    if urgency == levels[0]:
        return "critical"
    return "info" if urgency == levels[-1] else "warning"


def summary(outcome: Outcome) -> str:
    """'Soon (within two weeks): see a general practitioner (family doctor)', cut to fit under 140 characters."""
    urgency = outcome.referral.urgency
    text = f"{urgency.label} ({urgency.timeframe}): see {outcome.referral.to.name}"
    return text if len(text) < SUMMARY_LIMIT else text[:SUMMARY_LIMIT - 2].rstrip() + "…"


def detail(outcome: Outcome) -> str:
    """The referral's advice, the leaflet sections, the tests with their reasons and the rules behind them."""
    referral = outcome.referral
    parts = [referral.urgency.advice]
    if referral.also:
        parts.append("Also named at this urgency: " + "; ".join(d.name for d in referral.also) + ".")
    if outcome.unanswered_red_flags:
        parts.append("**Emergency questions left unanswered** (not taken into account): "
                     + ", ".join(f"`{q}`" for q in outcome.unanswered_red_flags))
    if outcome.sections:
        parts.append("**Leaflet sections that relate to the answers**\n\n"
                     + "\n".join(f"- {s.title}" for s in outcome.sections))
    if outcome.workups:
        parts.append("**Tests a doctor may consider**\n\n" + "\n".join(
            f"- {w.workup.name}: {' '.join(w.reasons)}" for w in outcome.workups))
    parts.append("**Why**\n\n" + "\n".join(f"- `{step.rule.id}`: {step.rule.statement}"
                                           for step in outcome.explanation))
    parts.append(f"*{outcome.disclaimer}*")
    return "\n\n".join(parts)


def card(kb: KnowledgeBase, outcome: Outcome) -> dict[str, Any]:
    """The outcome as one CDS Hooks card. Its uuid is name-based (the same answers give the same card).

    Example: card(kb, evaluate(kb, {"chest_pain": "yes"}))["indicator"]   # 'critical'
    """
    answers = repr(outcome.answers)
    return {
        "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{canonical(kb)}|{kb.hash}|{answers}|card")),
        "summary": summary(outcome),
        "indicator": indicator(kb, outcome.referral.urgency),
        "detail": detail(outcome),
        "source": {"label": f"{outcome.kb_name} {outcome.kb_version}"},
    }


def response(kb: KnowledgeBase, outcome: Outcome) -> dict[str, Any]:
    """A CDS service's whole response for one outcome: {"cards": [card]}."""
    return {"cards": [card(kb, outcome)]}
