"""One person's answers as a signed hidden field: the only place a person's state lives between two pages.

Nothing is kept on the server, so any worker can answer any request and nothing is left for the next
person. The field is `payload.signature`: the payload is URL-safe base64 of compact JSON (the answers in the
session's order, the order they were last given, the visitor they belong to and when the page was made), the
signature an HMAC-SHA256
of the payload with a key made afresh at each start of `triage serve`. A changed field, or one from another
start of the server, is refused as tampered; one older than the time-to-live as expired.

The visitor is the random id of the browser's visitor cookie when the page was made (app.py): the app refuses
a page whose visitor is not the one the browser now holds, so a page of the person before (Back, then Reload)
is no use to the next one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from triage.outcome import AnswerValue

VERSION = 2
MAX_FIELD = 32_000  # far more than every question answered with every box ticked (about 3 KB)
CLOCK_SKEW = 60  # seconds a page may seem to come from the future (workers read the same clock)


class StateError(Exception):
    """The hidden field cannot be trusted (`tampered`) or is too old (`expired`)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Carried:
    """What a page carries: the answers in the session's order, the order they were last given, and the
    visitor they belong to."""

    answers: tuple[tuple[str, AnswerValue], ...] = ()
    history: tuple[str, ...] = ()
    visitor: str = ""


class Signer:
    def __init__(self, key: bytes, ttl_seconds: float, clock: Callable[[], float] = time.time):
        if len(key) < 16:
            raise ValueError("the signing key must have at least 16 bytes")
        self._key = key
        self.ttl = ttl_seconds
        self._clock = clock

    def sign(self, carried: Carried) -> str:
        order = {q: n for n, (q, _) in enumerate(carried.answers)}
        data = {"v": VERSION, "t": int(self._clock()),
                "a": [[q, list(v) if isinstance(v, tuple) else v] for q, v in carried.answers],
                "h": [order[q] for q in carried.history], "p": carried.visitor}
        payload = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).rstrip(b"=")
        return f"{payload.decode()}.{self._mac(payload)}"

    def open(self, field: str) -> Carried:
        """The answers in `field`; StateError when it was changed, made by another server start, or is too old."""
        if len(field) > MAX_FIELD or field.count(".") != 1:
            raise StateError("tampered")
        payload, signature = field.encode("ascii", "replace").split(b".")
        if not hmac.compare_digest(self._mac(payload).encode(), signature):
            raise StateError("tampered")
        try:
            data = json.loads(base64.urlsafe_b64decode(payload + b"=" * (-len(payload) % 4)))
            carried, issued = _carried(data)
        except (binascii.Error, ValueError, TypeError, KeyError, IndexError) as exc:
            # Signed by us yet unreadable: only a bug could make one; treated like a changed field.
            raise StateError("tampered") from exc
        age = self._clock() - issued
        if age > self.ttl or age < -CLOCK_SKEW:
            raise StateError("expired")
        return carried

    def _mac(self, payload: bytes) -> str:
        digest = hmac.new(self._key, payload, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _carried(data: Any) -> tuple[Carried, float]:
    if not isinstance(data, dict) or data.get("v") != VERSION or not isinstance(data["t"], int):
        raise ValueError("not a state of this version")
    answers = tuple((str(q), tuple(v) if isinstance(v, list) else str(v)) for q, v in data["a"])
    history = tuple(answers[int(n)][0] for n in data["h"])
    if not isinstance(data["p"], str):
        raise ValueError("a visitor that is not a string")
    return Carried(answers, history, data["p"]), data["t"]


def carried_of(answers: Sequence[tuple[str, AnswerValue]], history: Sequence[str], visitor: str) -> Carried:
    return Carried(tuple(answers), tuple(history), visitor)
