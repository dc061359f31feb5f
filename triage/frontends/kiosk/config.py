"""The kiosk's configuration file (TOML) and the staff code, which is only ever stored as a salted hash.

Example: examples/kiosk.toml. Every problem in the file is reported at once, one line each, naming the
file and the field; the kiosk does not start until they are fixed.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pwd
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from triage.errors import Place, Problem, TriageError
from triage.frontends.kiosk.staff import FOR_TESTING, REAL, StaffPolicy
from triage.texts import ui

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
# What the kiosk checks at the staff prompt, each well under a second (measured on a busy 2-core machine,
# docs/kiosk.md): scrypt's time grows with n * r * p and its memory with 128 * r * n (64 MiB at most here);
# pbkdf2's with the iterations (600,000: 0.38 s). Anything outside could never be checked, or would hang.
SCRYPT_N_RANGE = (2**14, 2**16)
SCRYPT_R_MAX, SCRYPT_P_MAX, SCRYPT_COST_MAX = 16, 4, 2**19
SCRYPT_MAXMEM = 72 * 1024 * 1024  # above 128 * r * (n + p + 2), what OpenSSL asks for, for any allowed n, r, p
PBKDF2_RANGE = (100_000, 600_000)
_SALT_BYTES, _DIGEST_BYTES = (8, 64), (16, 64)
# Others may not read the file (it holds the staff code's hash) and only its owner may change it.
_UNSAFE_MODE = stat.S_IWGRP | stat.S_IRWXO
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
    staff_policy: StaffPolicy = REAL  # how wrong staff codes are slowed down and locked out


def load_config(path: str | Path | None) -> KioskConfig:
    """Read and check a kiosk configuration file; raise KioskConfigError listing every problem."""
    file = Path(path) if path is not None else DEFAULT_CONFIG
    name = str(file)
    try:
        info = file.stat()
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
    if info.st_mode & _UNSAFE_MODE:
        problems.append(Problem("unsafe-config", Place(name), _unsafe_mode(file, info)))
    config = _check(name, raw, problems)
    if problems or config is None:
        raise KioskConfigError(problems)
    return config


def _unsafe_mode(file: Path, info: os.stat_result) -> str:
    mode = info.st_mode
    try:
        owner = pwd.getpwuid(info.st_uid).pw_name
    except KeyError:
        owner = str(info.st_uid)
    who = ui("staff.config_others_read") if mode & stat.S_IROTH else ui("staff.config_others_change")
    if not mode & (stat.S_IROTH | stat.S_IWOTH | stat.S_IXOTH):
        who = ui("staff.config_group_change")
    return ui("staff.config_unsafe", who=who, mode=f"{stat.S_IMODE(mode):03o}", file=file, owner=owner)


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
    elif code_hash is not None and (wrong := hash_problem(code_hash)) is not None:
        problem("staff_code_hash", wrong)
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
                       count_sessions=flags["count_sessions"],
                       staff_policy=FOR_TESTING if flags["short_times_for_testing"] else REAL)


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
    return hash_problem(stored) is None


def hash_problem(stored: str) -> str | None:
    """What is wrong with a staff_code_hash value, or None if the kiosk can check codes against it."""
    parsed = _parse_hash(stored)
    if parsed is None:
        return NOT_A_HASH
    kind, params, _, _ = parsed
    if kind == "scrypt":
        n, r, p = params
        low, high = SCRYPT_N_RANGE
        if not low <= n <= high or n & (n - 1) or not 1 <= r <= SCRYPT_R_MAX or not 1 <= p <= SCRYPT_P_MAX \
                or n * r * p > SCRYPT_COST_MAX:
            return ui("staff.hash_scrypt_range", n=n, r=r, p=p, low=low, high=high, r_max=SCRYPT_R_MAX,
                      p_max=SCRYPT_P_MAX, cost=SCRYPT_COST_MAX, mib=128 * SCRYPT_COST_MAX // 2**20)
    elif not PBKDF2_RANGE[0] <= params[0] <= PBKDF2_RANGE[1]:
        return ui("staff.hash_pbkdf2_range", rounds=params[0], low=PBKDF2_RANGE[0], high=PBKDF2_RANGE[1])
    return None


def code_matches(code: str, stored: str) -> bool:
    """Whether `code` is the staff code hashed in `stored` (compared in constant time)."""
    parsed = _parse_hash(stored)
    if parsed is None or hash_problem(stored) is not None:
        return False
    kind, params, salt, expected = parsed
    if kind == "scrypt":
        n, r, p = params
        actual = hashlib.scrypt(code.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=len(expected),
                                maxmem=SCRYPT_MAXMEM)
    else:
        actual = hashlib.pbkdf2_hmac("sha256", code.encode("utf-8"), salt, params[0], dklen=len(expected))
    return hmac.compare_digest(actual, expected)


def _parse_hash(stored: str) -> tuple[str, tuple[int, ...], bytes, bytes] | None:
    """scrypt$N$r$p$salt$hash or pbkdf2_sha256$iterations$salt$hash (salt and hash in hex); None if the
    text has another shape. Whether the numbers can be run is hash_problem's question."""
    parts = stored.split("$")
    try:
        if parts[0] == "scrypt" and len(parts) == 6:
            params: tuple[int, ...] = tuple(int(x) for x in parts[1:4])
        elif parts[0] == "pbkdf2_sha256" and len(parts) == 4:
            params = (int(parts[1]),)
        else:
            return None
        salt, digest = bytes.fromhex(parts[-2]), bytes.fromhex(parts[-1])
    except ValueError:
        return None
    if not _SALT_BYTES[0] <= len(salt) <= _SALT_BYTES[1] or not _DIGEST_BYTES[0] <= len(digest) <= _DIGEST_BYTES[1]:
        return None
    return parts[0], params, salt, digest
