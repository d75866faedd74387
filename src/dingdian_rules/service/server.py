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
from ..packs.chain import bundled_pack_ids, bundled_root, is_path_ref
from ..packs.loader import load_pack
from ..packs.resolved import ResolvedPack

__all__ = ["ENV_LOG", "ENV_PACKS", "app_from_environment", "load_packs", "log_hook", "serve"]

ENV_PACKS = "DINGDIAN_RULES_SERVE_PACKS"
ENV_LOG = "DINGDIAN_RULES_SERVE_LOG"


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


def log_hook(path: str, packs: dict[str, ResolvedPack]) -> Callable[..., None]:
    """An ``on_decision`` hook appending each decision to the decision log at ``path`` (``--log``),
    with the pack reference ``verify`` reloads it by: the id of a bundled pack, the folder of any
    other. Every worker appends to the same file: each record is one append of one line."""
    from ..evaluation.records import DecisionLog
    bundled = bundled_root().resolve()
    refs = {pid: pid if Path(pack.folders[-1]).resolve() == bundled / pid else str(Path(pack.folders[-1]).resolve())
            for pid, pack in packs.items()}
    log = DecisionLog(path).open()

    def append(decision: Any, entry: Any) -> None:
        log.append(decision, pack_ref=refs.get(decision.pack_id, decision.pack_id))
    return append


def app_from_environment() -> Any:
    """The app a uvicorn worker builds (``--workers N``): the packs named in ``DINGDIAN_RULES_SERVE_PACKS``,
    and the decision log named in ``DINGDIAN_RULES_SERVE_LOG``, if any."""
    from .app import create_app
    refs = json.loads(os.environ.get(ENV_PACKS) or "null")
    packs = load_packs(refs)
    path = os.environ.get(ENV_LOG)
    return create_app(packs, on_decision=log_hook(path, packs) if path else None)


def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1, packs: Sequence[str] | None = None, *,
          on_decision: Callable[..., None] | None = None, log: str | None = None, log_level: str = "info") -> None:
    """Serve until interrupted. ``on_decision`` (see ``create_app``) needs one worker: a callable
    cannot travel to worker processes. ``log`` appends every decision to that decision log (any
    number of workers)."""
    import uvicorn

    from .app import create_app
    loaded = load_packs(packs)
    if log is not None:
        hook = log_hook(log, loaded)  # opens the log: a bad path fails before the port is bound
        on_decision = hook if on_decision is None else _both(on_decision, hook)
        os.environ[ENV_LOG] = os.path.abspath(log)
    if workers <= 1:
        uvicorn.run(create_app(loaded, on_decision=on_decision), host=host, port=port, log_level=log_level,
                    access_log=False)
        return
    if on_decision is not None and log is None:
        raise ValueError("on_decision needs workers=1")
    os.environ[ENV_PACKS] = json.dumps(list(packs) if packs else None)
    config = uvicorn.Config("dingdian_rules.service.server:app_from_environment", factory=True, host=host,
                            port=port, workers=workers, log_level=log_level, access_log=False)
    _run_workers(config)


def _both(first: Callable[..., None], then: Callable[..., None]) -> Callable[..., None]:
    """A hook that calls ``first`` and then ``then`` (a caller's hook and the decision log)."""
    def hook(decision: Any, entry: Any) -> None:
        first(decision, entry)
        then(decision, entry)
    return hook


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
