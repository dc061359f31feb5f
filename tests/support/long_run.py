"""CALCITRIAGE_LONG, read as docs/safety.md says: N runs N times the examples; any other non-empty value
(1, yes) 20 times; unset, empty or 0 once."""

from __future__ import annotations

import os


def long_multiplier() -> int:
    value = os.environ.get("CALCITRIAGE_LONG", "").strip()
    if not value or value == "0":
        return 1
    return int(value) if value.isdigit() and int(value) > 1 else 20
