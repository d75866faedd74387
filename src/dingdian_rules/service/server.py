"""Starting the service: loading the packs once, and running uvicorn with one or more workers.

With one worker the app is built here and handed to uvicorn. With several, uvicorn starts worker
processes that each import ``app_from_environment``: the pack references travel in the
environment (``DINGDIAN_RULES_SERVE_PACKS``), and the parent loads them first, so a pack that does
not load stops the command before any port is bound (and warms the parse cache the workers read).
"""

from __future__ import annotations

import inspect
import json
import os
import socket
from pathlib import Path
from typing import Any, Callable, Sequence

from ..errors import PackError
from ..packs.chain import bundled_pack_ids, is_path_ref
from ..packs.loader import load_pack
from ..packs.resolved import ResolvedPack

__all__ = ["ENV_PACKS", "app_from_environment", "load_packs", "serve"]

ENV_PACKS = "DINGDIAN_RULES_SERVE_PACKS"


def load_packs(refs: Sequence[str] | None = None) -> dict[str, ResolvedPack]:
    """Load the packs named (ids or folders; default every bundled pack), keyed by pack id. A pack
    that does not load raises ``PackError`` naming it as written."""
    out: dict[str, ResolvedPack] = {}
    for ref in refs or bundled_pack_ids():
        target: str | Path = Path(ref).expanduser().resolve() if is_path_ref(ref) else ref
        try:
            pack = load_pack(target)
        except PackError as exc:
            raise PackError(exc.diagnostics, f"pack '{ref}' did not load") from None
        if pack.id in out and out[pack.id].folders != pack.folders:
            raise PackError([], f"two packs have the id '{pack.id}': serve one of them")
        out[pack.id] = pack
    return out


def app_from_environment() -> Any:
    """The app a uvicorn worker builds (``--workers N``): the packs named in ``DINGDIAN_RULES_SERVE_PACKS``."""
    from .app import create_app
    refs = json.loads(os.environ.get(ENV_PACKS) or "null")
    return create_app(load_packs(refs))


def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1, packs: Sequence[str] | None = None, *,
          on_decision: Callable[..., None] | None = None, log_level: str = "info") -> None:
    """Serve until interrupted. ``on_decision`` (see ``create_app``) needs one worker: a callable
    cannot travel to worker processes."""
    import uvicorn

    from .app import create_app
    loaded = load_packs(packs)
    if workers <= 1:
        uvicorn.run(create_app(loaded, on_decision=on_decision), host=host, port=port, log_level=log_level,
                    access_log=False)
        return
    if on_decision is not None:
        raise ValueError("on_decision needs workers=1")
    os.environ[ENV_PACKS] = json.dumps(list(packs) if packs else None)
    config = uvicorn.Config("dingdian_rules.service.server:app_from_environment", factory=True, host=host,
                            port=port, workers=workers, log_level=log_level, access_log=False)
    _run_workers(config)


def _run_workers(config: Any) -> None:
    """What ``uvicorn.run`` does for several workers, with the listening socket made as TCP.

    uvicorn binds it with protocol 0; the sockets it accepts inherit that, and asyncio turns
    Nagle's algorithm off (TCP_NODELAY) only on sockets whose protocol is TCP, so with several
    workers a small answer waited about 40 ms for the client's delayed ACK (measured: 22
    instead of 170 requests/s; bench/service.py)."""
    from uvicorn.supervisors import Multiprocess

    sock = config.bind_socket()
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto == 0:
        sock = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
    if "target" in inspect.signature(Multiprocess).parameters:  # uvicorn before 0.30
        import uvicorn
        Multiprocess(config, target=uvicorn.Server(config).run, sockets=[sock]).run()
    else:
        Multiprocess(config, sockets=[sock]).run()
