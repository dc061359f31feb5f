"""The order in which activations fire: depth first (newest facts first), ties broken by rule position.

experta's DepthStrategy has two faults that matter for triage:
1. Its `_update_agenda` looks only at bisect_left and its two neighbours when removing an activation; with
   many activations of equal key it can delete the wrong one and leave a stale activation that fires although
   its conditions no longer hold. Here the whole range of equal keys is searched.
2. Activations of equal key keep the order the matcher produced them in, which follows the network's node
   order and so Python's hashing: `triage explain` printed rules in a different order from run to run. Here
   the rule's position in the knowledge base is part of the key, so the order is the same on every run and
   machine.
Its key is also cached in a process-wide lru_cache that holds activations (and so one person's facts) after
they are gone; this key is computed each time, which costs less than the cache lookup.
"""

from __future__ import annotations

import bisect
import operator
from collections.abc import Mapping
from typing import Any

from experta.strategies import DepthStrategy

_KEY = operator.attrgetter("key")


class PositionalDepthStrategy(DepthStrategy):
    """Depth first; equal keys fire in knowledge-base order; removal searches the whole range of equal keys."""

    def __init__(self) -> None:
        super().__init__()
        # Rule name -> position; set by the engine once its rules are known. Unknown names sort last.
        self.positions: Mapping[str, int] = {}

    def get_key(self, activation: Any) -> tuple[int, list[int], int]:  # type: ignore[override]
        facts = sorted((f["__factid__"] for f in activation.facts), reverse=True)
        # The agenda pops from its end: among equal saliences and facts, the lowest position must sort highest.
        position = self.positions.get(activation.rule.__name__, len(self.positions))
        return activation.rule.salience, facts, -position

    def _update_agenda(self, agenda, added, removed):  # type: ignore[no-untyped-def]
        activations = agenda.activations
        for act in removed:
            act.key = self.get_key(act)
            low = bisect.bisect_left(activations, act)
            high = bisect.bisect_right(activations, act)
            for index in range(low, high):
                if activations[index] == act:
                    del activations[index]
                    break
        # Compared on their keys themselves: the same order as Activation.__lt__ gives, without a call to it
        # for every comparison.
        if len(added) == 1:
            (act,) = added
            act.key = self.get_key(act)
            bisect.insort(activations, act, key=_KEY)
        elif added:
            # Many at once (the answers of a new session): one stable sort puts each after its equals, as
            # inserting them one by one does.
            for act in added:
                act.key = self.get_key(act)
            activations.extend(added)
            activations.sort(key=_KEY)
