"""The one place that imports experta itself, after making it work on Python 3.10+.

experta 1.9.4 pins frozendict 1.2, which subclasses `collections.Mapping` (removed in Python 3.10;
nilp0inter/experta#34). pip cannot override the pin, so the alias is put back before experta loads.
`import experta` also calls logging.basicConfig(), which would let its warnings reach a patient's screen:
the root logger is put back as it was.
"""

from __future__ import annotations

import collections
import collections.abc
import logging

if not hasattr(collections, "Mapping"):
    collections.Mapping = collections.abc.Mapping  # type: ignore[attr-defined]

_root_handlers = list(logging.getLogger().handlers)
_root_level = logging.getLogger().level

# experta/__init__ swallows ImportError, so a broken dependency would surface later as a NameError;
# importing the submodules directly makes such a failure loud and immediate.
from experta.agenda import Agenda  # noqa: E402
from experta.conditionalelement import AND, NOT, OR  # noqa: E402
from experta.engine import KnowledgeEngine  # noqa: E402
from experta.fact import Fact, InitialFact  # noqa: E402
from experta.factlist import FactList  # noqa: E402
from experta.fieldconstraint import P  # noqa: E402
from experta.rule import Rule  # noqa: E402
from experta.shortcuts import AS, MATCH  # noqa: E402

_root = logging.getLogger()
for _handler in list(_root.handlers):
    if _handler not in _root_handlers:
        _root.removeHandler(_handler)
_root.setLevel(_root_level)

__all__ = ["AND", "AS", "MATCH", "NOT", "OR", "P", "Agenda", "Fact", "FactList", "InitialFact", "KnowledgeEngine",
           "Rule"]
