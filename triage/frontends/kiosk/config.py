"""The kiosk's configuration file (TOML) and the staff code, which is only ever stored as a salted hash.

Example: examples/kiosk.toml. Every problem in the file is reported at once, one line each, naming the
file and the field; the kiosk does not start until they are fixed.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from triage.errors import Place, Problem, TriageError

DEFAULT_CONFIG = Path("/etc/calcitriage/kiosk.toml")
LANGUAGES = ("en",)  # the languages the texts exist in
HOW_TO_SET_CODE = "run `triage kiosk --hash-code` and put the line it prints into this file"
NO_CODE = f"no staff code is set, so the kiosk cannot be left; {HOW_TO_SET_CODE}"
NOT_A_HASH = f"is not a hash made by `triage kiosk --hash-code`; {HOW_TO_SET_CODE}"
NO_EMERGENCY_NUMBER = 'is missing; write the local emergency number, e.g. emergency_number = "112"'

# Real use: WCAG 2.2.1 asks for a warning at least 20 s before a time limit, which any key extends.
MIN_WARNING, MIN_GAP = 20.0, 10.0
# `short_times_for_testing = true` allows a few seconds, so that a test can watch a whole reset.
TEST_MIN_WARNING, TEST_MIN_GAP = 1.0, 1.0
MAX_TIMEOUT = 3600.0

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_FIELDS = {"clinic_name", "emergency_number", "language", "idle_timeout_seconds", "idle_warning_seconds",
           "staff_code_hash", "count_sessions", "short_times_for_testing"}


class KioskConfigError(TriageError):
    """The kiosk configuration cannot be used; every problem is listed."""


@dataclass(frozen=True)
class KioskConfig:
    file: str
    emergency_number: str  # text, e.g. "112" or "999 (or tell the staff at the desk)"
    staff_code_hash: str
    clinic_name: str = ""
    language: str = "en"
    idle_timeout: float = 120.0  # seconds without a key before the kiosk goes back to the welcome screen
    idle_warning: float = 30.0  # the 'Still there?' warning appears this long before the reset
    count_sessions: bool = False  # count results by urgency and day, in memory only


def load_config(path: str | Path | None) -> KioskConfig:
    """Read and check a kiosk configuration file; raise KioskConfigError listing every problem."""
    file = Path(path) if path is not None else DEFAULT_CONFIG
    name = str(file)
    try:
        mode = file.stat().st_mode
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        hint = "" if path is not None else " (or pass --config FILE)"
        raise KioskConfigError([Problem("no-such-file", Place(name), f"no kiosk configuration here{hint}: copy "
                                        f"examples/kiosk.toml, then {HOW_TO_SET_CODE}")]) from None
    except OSError as exc:
        raise KioskConfigError([Problem("unreadable", Place(name), f"cannot be read: {exc.strerror}")]) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise KioskConfigError([Problem("toml-syntax", Place(name), f"is not valid TOML: {exc}")]) from exc
    problems: list[Problem] = []
    if mode & stat.S_IWOTH:
        problems.append(Problem("unsafe-config", Place(name), "anyone can change this file; make it writable by "
                                "its owner only (chmod 644, or 640 with the kiosk user's group)"))
    config = _check(name, raw, problems)
    if problems or config is None:
        raise KioskConfigError(problems)
    return config


def _check(name: str, raw: dict[str, Any], problems: list[Problem]) -> KioskConfig | None:
    def problem(field: str, message: str, code: str = "bad-value") -> None:
        problems.append(Problem(code, Place(name, field=field), message))

    for key in raw:
        if key not in _FIELDS:
            problem(key, f"is not a known setting; known settings: {', '.join(sorted(_FIELDS))}", "unknown-field")
    texts = {key: _text(raw, key, problem) for key in ("clinic_name", "emergency_number", "language",
                                                        "staff_code_hash")}
    flags = {key: _flag(raw, key, problem) for key in ("count_sessions", "short_times_for_testing")}
    code_hash = texts["staff_code_hash"]
    if code_hash is None and "staff_code_hash" not in raw:  # an empty one was reported by _text
        problem("staff_code_hash", NO_CODE, "missing-field")
    elif code_hash is not None and not is_code_hash(code_hash):
        problem("staff_code_hash", NOT_A_HASH)
    if texts["emergency_number"] is None and "emergency_number" not in raw:
        problem("emergency_number", NO_EMERGENCY_NUMBER, "missing-field")
    language = texts["language"] or "en"
    if language not in LANGUAGES:
        problem("language", f"'{language}' is not available; the texts exist only in: {', '.join(LANGUAGES)}")
    timeout, warning = _times(raw, flags["short_times_for_testing"], problem)
    if problems:
        return None
    return KioskConfig(file=name, emergency_number=texts["emergency_number"] or "",
                       staff_code_hash=texts["staff_code_hash"] or "", clinic_name=texts["clinic_name"] or "",
                       language=language, idle_timeout=timeout, idle_warning=warning,
                       count_sessions=flags["count_sessions"])


def _text(raw: dict[str, Any], key: str, problem: Any) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        problem(key, f"must be a non-empty text in quotes, not {value!r}")
        return None
    return value.strip()


def _flag(raw: dict[str, Any], key: str, problem: Any) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        problem(key, f"must be true or false, not {value!r}")
        return False
    return value


def _times(raw: dict[str, Any], testing: bool, problem: Any) -> tuple[float, float]:
    min_warning, min_gap = (TEST_MIN_WARNING, TEST_MIN_GAP) if testing else (MIN_WARNING, MIN_GAP)
    values = {}
    for key, default in (("idle_timeout_seconds", 120.0), ("idle_warning_seconds", 30.0)):
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= MAX_TIMEOUT:
            problem(key, f"must be a number of seconds up to {MAX_TIMEOUT:.0f}, not {value!r}")
            value = default
        values[key] = float(value)
    timeout, warning = values["idle_timeout_seconds"], values["idle_warning_seconds"]
    if warning < min_warning:
        problem("idle_warning_seconds", f"must be at least {min_warning:.0f} seconds, so that a person has "
                                        f"time to react to the warning (WCAG 2.2.1), not {warning:g}")
    elif timeout < warning + min_gap:
        problem("idle_timeout_seconds", f"must be at least idle_warning_seconds + {min_gap:.0f} "
                                        f"({warning + min_gap:g}), not {timeout:g}")
    return timeout, warning


# --- the staff code ---------------------------------------------------------------------------------------


def hash_code(code: str, salt: bytes | None = None) -> str:
    """A salted scrypt hash of a staff code, as written in the configuration file."""
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.scrypt(code.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt.hex()}${digest.hex()}"


def is_code_hash(stored: str) -> bool:
    return _parse_hash(stored) is not None


def code_matches(code: str, stored: str) -> bool:
    """Whether `code` is the staff code hashed in `stored` (compared in constant time)."""
    parsed = _parse_hash(stored)
    if parsed is None:
        return False
    kind, params, salt, expected = parsed
    if kind == "scrypt":
        n, r, p = params
        actual = hashlib.scrypt(code.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=len(expected),
                                maxmem=256 * 1024 * 1024)
    else:
        actual = hashlib.pbkdf2_hmac("sha256", code.encode("utf-8"), salt, params[0], dklen=len(expected))
    return hmac.compare_digest(actual, expected)


def _parse_hash(stored: str) -> tuple[str, tuple[int, ...], bytes, bytes] | None:
    """scrypt$N$r$p$salt$hash or pbkdf2_sha256$iterations$salt$hash (salt and hash in hex)."""
    parts = stored.split("$")
    try:
        if parts[0] == "scrypt" and len(parts) == 6:
            n, r, p = (int(x) for x in parts[1:4])
            if n < 2**14 or n & (n - 1) or not 1 <= r <= 32 or not 1 <= p <= 16:
                return None
            params: tuple[int, ...] = (n, r, p)
        elif parts[0] == "pbkdf2_sha256" and len(parts) == 4:
            params = (int(parts[1]),)
            if params[0] < 100_000:
                return None
        else:
            return None
        salt, digest = bytes.fromhex(parts[-2]), bytes.fromhex(parts[-1])
    except ValueError:
        return None
    if len(salt) < 8 or len(digest) < 16:
        return None
    return parts[0], params, salt, digest
