"""calcitriage: a rule-based, non-diagnostic triage questionnaire about calcifications.

Library use:
    kb = load_knowledge()                 # the built-in rules/, checked
    outcome = evaluate(kb, {"chest_pain": "no", ...})
"""

from triage.engine import TriageEngine, evaluate
from triage.errors import AnswersError, KnowledgeBaseError, TriageError
from triage.load import load_knowledge
from triage.outcome import Outcome

__all__ = ["AnswersError", "KnowledgeBaseError", "Outcome", "TriageEngine", "TriageError", "evaluate",
           "load_knowledge"]
