"""`triage serve`: the web app on uvicorn, in one process or several workers.

The signing key for the pages' hidden answers is made here, once per start, and handed to every worker
through the environment: a page made by one worker is then accepted by any other, and a page from an
earlier start of the server is refused. Each worker loads the knowledge base and runs the start-up
self-test itself (`checked_rules`): the rules that passed it are the ones that serve people. Then what was
made at start-up is left out of later garbage collections (`settle_memory`): a full collection walking the
knowledge base, the engine and the libraries again was the slowest page in a hundred under load.
"""

from __future__ import annotations

import copy
import json
import os
import secrets
import socket
from pathlib import Path
from typing import Any

from triage.checks.selftest import checked_rules
from triage.endings import Ending
from triage.errors import Place, Problem, TriageError
from triage.frontends.startup import settle_memory
from triage.frontends.web.app import WebSettings, create_app
from triage.knowledge.load import load_knowledge
from triage.knowledge.reading import load_reading
from triage.rete.engine import CompiledRules

KEY_ENV = "CALCITRIAGE_WEB_KEY"  # hex; made by serve(), read by the workers
SETTINGS_ENV = "CALCITRIAGE_WEB_SETTINGS"  # JSON: the rules folder and WebSettings, for the workers


def serve(engine: CompiledRules, rules: Path | None, host: str, port: int, workers: int,
          settings: WebSettings) -> Ending:
    """Serve until stopped (Ctrl-C or SIGTERM). `engine` passed the self-test in this process already."""
    import uvicorn

    _check_address(host, port)
    reading = load_reading(engine.kb)  # a broken reading.yaml refuses to start here, with every problem listed
    key = secrets.token_bytes(32)
    options: dict[str, Any] = {"host": host, "port": port, "log_config": _log_config(), "server_header": False,
               "timeout_graceful_shutdown": 5}
    if workers == 1:  # the rules checked above serve people at once
        app = create_app(engine, reading, key, settings)
        settle_memory()
        uvicorn.run(app, **options)
        return Ending.FINISHED
    os.environ[KEY_ENV] = key.hex()
    os.environ[SETTINGS_ENV] = json.dumps({"rules": str(rules) if rules is not None else None,
                                           "kiosk": settings.kiosk, "idle": settings.idle_seconds,
                                           "warning": settings.warning_seconds})
    uvicorn.run("triage.frontends.web.server:worker_app", factory=True, workers=workers, **options)
    return Ending.FINISHED


def _check_address(host: str, port: int) -> None:
    """A port already in use ends the command with one line (exit 2), not with uvicorn's log and exit 1."""
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        raise TriageError([Problem("cannot-listen", Place(None, field="--port"),
                                   f"cannot listen on {host}:{port}: {exc.strerror or exc}; "
                                   "choose another --port, or stop what uses it")]) from exc


def worker_app():  # type: ignore[no-untyped-def]
    """The app in one uvicorn worker process: the knowledge base loaded and self-tested anew, the key shared."""
    data = json.loads(os.environ[SETTINGS_ENV])
    engine = checked_rules(load_knowledge(data["rules"]))
    settings = WebSettings.make(data["kiosk"], data["idle"], data["warning"])
    app = create_app(engine, load_reading(engine.kb), bytes.fromhex(os.environ[KEY_ENV]), settings)
    settle_memory()
    return app


def _log_config() -> dict[str, Any]:
    """uvicorn's logging, with our refusals and failures (never an answer) on the same stream."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["triage.web"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config
