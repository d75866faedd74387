"""Load test of the HTTP service: requests/s and p50/p99 latency with 1 and N concurrent clients.

    .venv/bin/python -m bench.service --requests 2000 --clients 1,4
    .venv/bin/python -m bench.service --requests 2000 --clients 1,4 --workers 2 --duration 60

It starts ``dingdian-rules serve`` on a free port of 127.0.0.1 (loopback only), posts generated
application cases (bench/cases.py) to ``/v1/evaluate``, and checks that every answer is, byte for
byte, the library's decision JSON for the same input (computed in-process beforehand, untimed).
Each client count runs ``--requests`` requests over keep-alive connections, one per client thread,
and stops early at ``--duration`` seconds. Then one ``/v1/evaluate/batch`` of the same cases as
JSON Lines, and the in-process loop (evaluate + decisions_json) for comparison. Exits 1 if any
answer differs. The numbers of record are in docs/performance.md ("HTTP service").
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import dingdian_rules as dr

from .cases import application_cases

AS_OF = date(2025, 6, 1)
ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(pack: str, workers: int) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-m", "dingdian_rules", "serve", "--port", str(port), "--pack", pack,
                             "--workers", str(workers)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                # with several workers, wait until each has loaded (all answer /healthz)
                time.sleep(0.5 * (workers - 1))
                return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start within 120 s")


def _bodies(pack_id: str, n: int, compact: bool = False) -> tuple[list[bytes], list[bytes]]:
    """Request bodies and the library's answers to them (not timed)."""
    pack = dr.load_pack(pack_id)
    bodies, expected = [], []
    for case in application_cases(n, as_of=AS_OF):
        data = case.model_dump(mode="json", exclude_none=True)
        bodies.append(json.dumps({"pack": pack_id, "question": "application", "as_of": AS_OF.isoformat(),
                                  "case": data}, ensure_ascii=False).encode())
        decision = dr.evaluate(pack, dr.parse_case(data), "application", as_of=AS_OF, trace=False)
        expected.append(dr.render.decisions_json([decision], indent=None if compact else 2).encode())
    return bodies, expected


def _run(port: int, bodies: list[bytes], expected: list[bytes], clients: int, requests: int,
         duration: float, path: str = "/v1/evaluate") -> dict[str, float]:
    latencies: list[float] = []
    wrong = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + duration
    share = [requests // clients + (i < requests % clients) for i in range(clients)]

    def client(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, bad = [], 0
        for j in range(share[k]):
            if time.perf_counter() > stop_at:
                break
            i = (k + j * clients) % len(bodies)
            t0 = time.perf_counter()
            conn.request("POST", path, body=bodies[i], headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            got = resp.read()
            mine.append(time.perf_counter() - t0)
            bad += resp.status != 200 or _masked(got) != _masked(expected[i])
        conn.close()
        with lock:
            latencies.extend(mine)
            wrong[0] += bad

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [latencies[0]] * 99
    return {"clients": clients, "requests": len(latencies), "seconds": elapsed, "rps": len(latencies) / elapsed,
            "p50_ms": q[49] * 1000, "p99_ms": q[98] * 1000, "wrong": wrong[0]}



_UUID7 = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
_DECIDED_AT = re.compile(rb'"decided_at": ?"[0-9T:.-]+Z"')


def _masked(body: bytes) -> bytes:
    """An answer without its decision's id and time, which are its own; the rest must be the library's."""
    return _DECIDED_AT.sub(b'"decided_at": "<time>"', _UUID7.sub(b"<decision-id>", body))

def _batch(port: int, bodies: list[bytes], expected: list[bytes]) -> dict[str, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    t0 = time.perf_counter()
    conn.request("POST", "/v1/evaluate/batch", body=b"\n".join(bodies), headers={"Content-Type": "application/jsonl"})
    lines = conn.getresponse().read().splitlines()
    elapsed = time.perf_counter() - t0
    want = [json.dumps(json.loads(e), ensure_ascii=False).encode() for e in expected]
    wrong = sum(_masked(a) != _masked(b) for a, b in zip(lines, want)) + abs(len(lines) - len(want))
    return {"cases": len(lines), "seconds": elapsed, "cps": len(lines) / elapsed, "wrong": wrong}


def _in_process(pack_id: str, bodies: list[bytes]) -> float:
    pack = dr.load_pack(pack_id)
    entries = [json.loads(b) for b in bodies]
    best = 0.0
    for _ in range(3):  # the first pass is cold (lazily compiled item conditions): report the best
        t0 = time.perf_counter()
        for e in entries:
            decision = dr.evaluate(pack, dr.parse_case(e["case"]), "application", as_of=AS_OF, trace=False)
            dr.render.decisions_json([decision])
        best = max(best, len(entries) / (time.perf_counter() - t0))
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.service", description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=2000, help="requests per client count (default 2000)")
    ap.add_argument("--clients", default="1,4", help="comma-separated client counts (default 1,4)")
    ap.add_argument("--duration", type=float, default=60.0, help="cap in seconds per client count (default 60)")
    ap.add_argument("--workers", type=int, default=1, help="server worker processes (default 1)")
    ap.add_argument("--pack", default="national", help="pack to serve and ask (default national)")
    ap.add_argument("--cases", type=int, default=500, help="distinct generated cases, cycled (default 500)")
    ap.add_argument("--compact", action="store_true", help="ask for ?compact=true (one-line JSON) instead")
    args = ap.parse_args(argv)
    counts = [int(x) for x in args.clients.split(",") if x.strip()]
    bodies, expected = _bodies(args.pack, args.cases, args.compact)
    path = "/v1/evaluate?compact=true" if args.compact else "/v1/evaluate"
    proc, port = _start(args.pack, args.workers)
    wrong = 0
    try:
        print(f"# {platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, "
              f"server workers={args.workers}, pack={args.pack}, {args.cases} distinct cases, POST {path}")
        print("| clients | requests | seconds | requests/s | p50 ms | p99 ms | answers differing |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        _run(port, bodies, expected, 1, min(100, args.requests), args.duration, path)  # warm-up, not reported
        for c in counts:
            r = _run(port, bodies, expected, c, args.requests, args.duration, path)
            wrong += int(r["wrong"])
            print(f"| {c} | {r['requests']} | {r['seconds']:.2f} | {r['rps']:.0f} | {r['p50_ms']:.2f} | "
                  f"{r['p99_ms']:.2f} | {r['wrong']} |")
        b = _batch(port, bodies, expected)
        wrong += int(b["wrong"])
        print(f"\nbatch: {b['cases']} cases as JSON Lines in {b['seconds']:.2f} s = {b['cps']:.0f} cases/s, "
              f"{b['wrong']} differing")
    finally:
        proc.terminate()
        proc.wait(30)
    print(f"in-process loop (parse_case + evaluate + decisions_json, indented): {_in_process(args.pack, bodies):.0f} cases/s")
    if wrong:
        print(f"error: {wrong} answers differ from the library's", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
