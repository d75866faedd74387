"""The HTTP JSON service: the ASGI app (FastAPI on uvicorn), its request bodies and its start-up.

``create_app(packs, on_decision=None)`` builds the app over loaded packs; ``serve(...)`` runs it
(``dingdian-rules serve``). Endpoints, status codes and error records: docs/service.md. FastAPI
and uvicorn come with the ``service`` extra (``pip install 'dingdian-rules[service]'``); importing
this package without them raises ``ModuleNotFoundError``.

May import: errors, reading, time, facts, conditions, packs, evaluation, render, analysis.
"""

from __future__ import annotations

from .app import MAX_BATCH_BYTES, DecisionHook, ServiceError, create_app
from .server import app_from_environment, load_packs, serve

__all__ = ["MAX_BATCH_BYTES", "DecisionHook", "ServiceError", "app_from_environment", "create_app", "load_packs",
           "serve"]
