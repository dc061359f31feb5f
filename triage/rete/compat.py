"""The one place that imports experta, after making it work on Python 3.10+ and fixing its known bugs.

experta 1.9.4 pins frozendict 1.2, which subclasses `collections.Mapping` (removed in Python 3.10;
nilp0inter/experta#34). pip cannot override the pin, so the alias is put back before experta loads.
"""

from __future__ import annotations

import bisect
import collections
import collections.abc
import logging

if not hasattr(collections, "Mapping"):
    collections.Mapping = collections.abc.Mapping  # type: ignore[attr-defined]

_root_handlers = list(logging.getLogger().handlers)
_root_level = logging.getLogger().level

# experta/__init__ swallows ImportError, so a broken dependency would surface later as a NameError;
# importing the submodules directly makes such a failure loud and immediate.
from experta.engine import KnowledgeEngine  # noqa: E402
from experta.fact import Fact, InitialFact  # noqa: E402
from experta.fieldconstraint import P  # noqa: E402
from experta.conditionalelement import AND, NOT, OR  # noqa: E402
from experta.rule import Rule  # noqa: E402
from experta.shortcuts import AS, MATCH  # noqa: E402
from experta.strategies import DepthStrategy  # noqa: E402

# `import experta` calls logging.basicConfig(), which would let its warnings reach a patient's screen.
_root = logging.getLogger()
for _handler in list(_root.handlers):
    if _handler not in _root_handlers:
        _root.removeHandler(_handler)
_root.setLevel(_root_level)


class FullRangeDepthStrategy(DepthStrategy):
    """DepthStrategy that removes the right activation when several share a key.

    experta's own `_update_agenda` looks only at bisect_left and its two neighbours; with many
    activations of equal salience it can delete the wrong one and leave a stale activation that fires
    although its conditions no longer hold. Here the whole range of equal keys is searched.
    """

    def _update_agenda(self, agenda, added, removed):  # type: ignore[no-untyped-def]
        for act in removed:
            act.key = self.get_key(act)
            low = bisect.bisect_left(agenda.activations, act)
            high = bisect.bisect_right(agenda.activations, act)
            for index in range(low, high):
                if agenda.activations[index] == act:
                    del agenda.activations[index]
                    break
        for act in added:
            act.key = self.get_key(act)
            bisect.insort(agenda.activations, act)


__all__ = ["AND", "AS", "MATCH", "NOT", "OR", "P", "Fact", "FullRangeDepthStrategy", "InitialFact",
           "KnowledgeEngine", "Rule"]
