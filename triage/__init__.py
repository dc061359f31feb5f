"""calcitriage: a rule-based, non-diagnostic triage questionnaire about calcifications.

Library use (README.md, "Using it from Python"):
    kb = load_knowledge()                 # the built-in rules/, checked
    outcome = evaluate(kb, {"chest_pain": "no", ...})   # compiled and self-tested once per kb, then reused
"""

from __future__ import annotations

import importlib
from typing import Any

# The names below are imported when first used, not with the package: `triage` (the interview) puts its
# opening screen up before the engine and the knowledge model are imported (docs/benchmarks.md).
_LAZY = {
    "CompiledRules": "triage.rete.engine",
    "compile_rules": "triage.rete.engine",
    "evaluate": "triage.api",
    "AnswersError": "triage.errors",
    "KnowledgeBaseError": "triage.errors",
    "TriageError": "triage.errors",
    "load_knowledge": "triage.knowledge.load",
    "Outcome": "triage.outcome",
}
__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'triage' has no attribute {name!r}")
    return getattr(importlib.import_module(_LAZY[name]), name)
