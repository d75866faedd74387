"""The HTTP service, run for real: ``dingdian-rules serve`` in a subprocess on a free loopback port
(and ``create_app`` under uvicorn in a thread, for the decision hook), called over HTTP.

Outcomes come from the packs' own scenario files (rulepacks/<id>/tests/*.yaml); every answer must
be the bytes the library (and so the CLI) gives for the same input; bad input must get a 4xx with
the CLI's diagnostics located by JSON pointer, and no error body may carry a traceback.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

import dingdian_rules as dr
from dingdian_rules.analysis.scenario_base import merge_case
from dingdian_rules.cli import main as cli_main
from dingdian_rules.reading.yaml_reader import load_yaml_file
from decision_ids import UUID7, mask_ids

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = [("national", "application.yaml"), ("national", "agreement.yaml"), ("jiangsu", "application.yaml"),
             ("guangdong_foshan", "conduct.yaml"), ("qinghai_agreement", "deadlines.yaml")]
ERROR_BODIES: list[str] = []  # every error body seen, checked for tracebacks at the end


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(url: str, proc: subprocess.Popen | None = None, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the server did not start")


def _start(args: list[str], log: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-m", "dingdian_rules", "serve", "--port", str(port), *args],
                            stdout=log.open("w"), stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, proc)
    except RuntimeError:
        proc.kill()
        raise
    return proc, url


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The real command, every bundled pack, default host."""
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    proc, url = _start([], log)
    yield url, log
    _stop(proc)


@pytest.fixture(scope="module")
def client(server: tuple[str, Path]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server[0], timeout=60) as c:
        yield c


def _error(response: httpx.Response, status: int) -> dict[str, Any]:
    ERROR_BODIES.append(response.text)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()["error"]


def _scenarios(pack: str, file: str) -> list[dict[str, Any]]:
    doc, diags = load_yaml_file(ROOT / "rulepacks" / pack / "tests" / file)
    assert doc is not None, diags
    base = doc.data.get("base", {}).get("case", {})  # each case merged over the file's base:, as the runner does
    return [{**sc, "case": merge_case(base, sc.get("case", {}))} for sc in doc.data["scenarios"]]



def _masked(text: str) -> str:
    """Every byte of the service's answer is the library's but each decision's own id and time."""
    assert UUID7.search(text) or '"decisions": []' in text or '"decisions"' not in text, "no decision id"
    return mask_ids(text)


def _body(pack: str, sc: dict[str, Any]) -> dict[str, Any]:
    return {"pack": pack, "question": sc["question"], "as_of": str(sc["as_of"]), "case": sc["case"]}


def _library(pack: str, sc: dict[str, Any], trace: bool = False, indent: int | None = 2) -> str:
    decision = dr.evaluate(dr.load_pack(pack), dr.parse_case(sc["case"]), sc["question"],
                           as_of=date.fromisoformat(str(sc["as_of"])), trace=trace)
    return dr.render.decisions_json([decision], indent=indent)


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert cli_main(args) == 0
    return capsys.readouterr().out


# --- answers -------------------------------------------------------------------------------------

@pytest.mark.parametrize("pack,file", SCENARIOS)
def test_evaluate_gives_the_scenarios_expected_outcomes_and_the_librarys_bytes(client: httpx.Client, pack: str,
                                                                              file: str) -> None:
    for sc in _scenarios(pack, file):
        r = client.post("/v1/evaluate", json=_body(pack, sc))
        assert r.status_code == 200, (sc["name"], r.text)
        assert r.headers["content-type"].startswith("application/json")
        (decision,) = r.json()["decisions"]
        expect = sc["expect"]
        assert decision["outcome"] == expect["outcome"], sc["name"]
        assert set(expect.get("fired", [])) <= set(decision["fired"]), sc["name"]
        assert not set(expect.get("not_fired", [])) & set(decision["fired"]), sc["name"]
        assert set(expect.get("missing", [])) <= set(decision["missing_facts"]), sc["name"]
        assert _masked(r.text) == _masked(_library(pack, sc)), sc["name"]


def test_explain_is_evaluate_with_the_trace(client: httpx.Client) -> None:
    sc = _scenarios("national", "application.yaml")[0]
    r = client.post("/v1/explain", json=_body("national", sc))
    assert r.status_code == 200
    assert _masked(r.text) == _masked(_library("national", sc, trace=True))
    assert all("trace" in rule for rule in r.json()["decisions"][0]["rules"])


def test_a_body_like_a_case_file_answers_like_the_cli(client: httpx.Client, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    # no question: every question the case gives facts for, as `evaluate --format json` does
    doc, _ = load_yaml_file(ROOT / "examples" / "application_clinic.yaml")
    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps({"case": doc.data["case"], "as_of": "2025-06-01"}), encoding="utf-8")
    r = client.post("/v1/evaluate", json={"pack": "national", "as_of": "2025-06-01", "case": doc.data["case"]})
    assert r.status_code == 200
    assert _masked(r.text) == _masked(_cli(["evaluate", "--pack", "national", str(case_file), "--format", "json"], capsys))
    assert len(r.json()["decisions"]) > 1


def test_batch_streams_one_line_per_entry_in_order_and_goes_on_past_bad_ones(client: httpx.Client) -> None:
    scs = _scenarios("national", "agreement.yaml")[:3]
    bad = _body("national", scs[0]) | {"case": {"institution": {"beds": "many"}}}
    entries = [_body("national", scs[0]), bad, _body("national", scs[1]), 7, _body("national", scs[2])]
    r = client.post("/v1/evaluate/batch", content=json.dumps(entries))
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/jsonl")
    lines = r.text.splitlines()
    assert len(lines) == 5
    for i, sc in ((0, scs[0]), (2, scs[1]), (4, scs[2])):
        assert _masked(lines[i] + "\n") == _masked(_library("national", sc, indent=None))
        assert json.loads(lines[i])["decisions"][0]["outcome"] == sc["expect"]["outcome"]
    err = json.loads(lines[1])
    assert err["index"] == 1 and err["error"]["status"] == 422
    assert [d["location"] for d in err["error"]["diagnostics"]] == ["/1/case/institution/beds"]
    assert json.loads(lines[3])["error"]["diagnostics"][0]["code"] == "not-a-mapping"
    ERROR_BODIES.append(r.text)


def test_a_batch_may_be_larger_than_one_request(client: httpx.Client) -> None:
    sc = _scenarios("national", "application.yaml")[0]
    entries = [_body("national", sc) | {"note": "x" * 30_000} for _ in range(80)]  # 2.4 MB
    r = client.post("/v1/evaluate/batch", json=entries)
    assert r.status_code == 200
    lines = r.text.splitlines()
    assert len(lines) == 80 and len({_masked(x) for x in lines}) == 1  # the same case 80 times
    assert _masked(lines[0] + "\n") == _masked(_library("national", sc, indent=None))


def test_batch_takes_json_lines_and_names_the_line_of_a_bad_one(client: httpx.Client) -> None:
    scs = _scenarios("jiangsu", "application.yaml")[:2]
    body = "\n".join([json.dumps(_body("jiangsu", scs[0])), '{"pack": "jiangsu", ', "",
                      json.dumps(_body("jiangsu", scs[1]) | {"question": "aplication"})]) + "\n"
    r = client.post("/v1/evaluate/batch", content=body.encode(), headers={"content-type": "application/jsonl"})
    lines = r.text.splitlines()
    assert len(lines) == 3
    assert _masked(lines[0] + "\n") == _masked(_library("jiangsu", scs[0], indent=None))
    syntax = json.loads(lines[1])
    assert syntax["line"] == 2 and syntax["error"]["status"] == 400
    assert syntax["error"]["diagnostics"][0]["code"] == "json-syntax"
    assert syntax["error"]["diagnostics"][0]["line"] == 2
    wrong = json.loads(lines[2])
    assert wrong["line"] == 4
    d = wrong["error"]["diagnostics"][0]
    assert (d["code"], d["location"], d["line"]) == ("unknown-question", "/question", 4)
    assert "did you mean 'application'?" in d["hint"]


# --- packs, diffs, schemas ----------------------------------------------------------------------

def test_packs_lists_every_bundled_pack_with_its_fingerprint(client: httpx.Client) -> None:
    packs = client.get("/v1/packs").json()["packs"]
    assert [p["id"] for p in packs] == dr.bundled_pack_ids()
    for p in packs:
        loaded = dr.load_pack(p["id"])
        assert p["fingerprint"] == loaded.fingerprint and p["chain"] == list(loaded.chain)
        assert p["level"] == loaded.level and p["name"]["zh"]
    assert client.get("/healthz").json()["status"] == "ok"


@pytest.mark.parametrize("path,args", [
    ("/v1/packs/jiangsu_nantong", ["resolve", "jiangsu_nantong", "--format", "json"]),
    ("/v1/diff/national/guangdong_foshan", ["diff", "national", "guangdong_foshan", "--format", "json"]),
    ("/v1/schema/case", ["schema", "case"]),
    ("/v1/schema/rules", ["schema", "rules"]),
    ("/v1/schema/scenario", ["schema", "scenario"]),
    ("/v1/schema/decision", ["schema", "decision"]),
    ("/v1/schema", ["schema"]),
])
def test_get_endpoints_print_what_the_cli_prints(client: httpx.Client, capsys: pytest.CaptureFixture[str],
                                                 path: str, args: list[str]) -> None:
    r = client.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    if path.startswith("/v1/schema"):  # no decision in it to mask: the same bytes
        assert r.text == _cli(args, capsys)
        return
    assert _masked(r.text) == _masked(_cli(args, capsys))


def test_openapi_and_the_interactive_docs(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/v1/evaluate", "/v1/explain", "/v1/evaluate/batch", "/v1/packs", "/v1/packs/{pack_id}",
            "/v1/diff/{a}/{b}", "/v1/schema/{kind}", "/healthz"} <= set(spec["paths"])
    body = spec["paths"]["/v1/evaluate"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"] == "#/components/schemas/EvaluateRequest"
    assert "case" in spec["components"]["schemas"]["EvaluateRequest"]["properties"]
    assert "Institution" in spec["components"]["schemas"] and "Decision" in spec["components"]["schemas"]
    assert "swagger" in client.get("/docs").text.lower()


# --- bad input -----------------------------------------------------------------------------------

def _case() -> dict[str, Any]:
    return _scenarios("national", "application.yaml")[0]["case"]


@pytest.mark.parametrize("change,location,code,hint", [
    (lambda b: b["case"]["institution"].update(beds="many"), "/case/institution/beds", "type-mismatch", "without quotes"),
    (lambda b: b["case"]["institution"].update(bedz=b["case"]["institution"].pop("beds")), "/case/institution/bedz", "unknown-field", "did you mean 'beds'?"),
    (lambda b: b["case"]["institution"].update({"a/b~c": 1}), "/case/institution/a~1b~0c", "unknown-field", ""),
    (lambda b: b.update(question="aplication"), "/question", "unknown-question", "did you mean 'application'?"),
    (lambda b: b.update(pack="jiangsuu"), "/pack", "unknown-pack", "did you mean 'jiangsu'?"),
    (lambda b: b.update(as_of="2025/06/01"), "/as_of", "bad-date", "YYYY-MM-DD"),
    (lambda b: b.pop("case"), "/case", "missing-field", ""),
    (lambda b: b.update(quesiton="application"), "/quesiton", "unknown-field", "did you mean 'question'?"),
])
def test_a_bad_entry_is_a_422_located_by_json_pointer(client: httpx.Client, change: Any, location: str, code: str,
                                                      hint: str) -> None:
    body = {"pack": "national", "question": "application", "as_of": "2025-06-01", "case": _case()}
    change(body)
    text = json.dumps(body, ensure_ascii=False, indent=1)
    err = _error(client.post("/v1/evaluate", content=text.encode()), 422)
    assert err["code"] == "invalid-request"
    found = {d["location"]: d for d in err["diagnostics"]}
    assert location in found, err
    d = found[location]
    assert d["code"] == code and hint in d["hint"] and d["message"]
    # the line names where the value (or key) stands in the text sent
    key = location.rsplit("/", 1)[1].replace("~1", "/").replace("~0", "~")
    if code != "missing-field":
        assert f'"{key}"' in text.splitlines()[d["line"] - 1]


def test_unreadable_bodies_are_400_with_line_and_column(client: httpx.Client) -> None:
    err = _error(client.post("/v1/evaluate", content=b'{"pack": "national",\n  "case": {,}}'), 400)
    (d,) = err["diagnostics"]
    assert (d["code"], d["line"], d["column"], d["location"]) == ("json-syntax", 2, 12, "")
    err = _error(client.post("/v1/evaluate", content='{"pack": "国家"}'.encode("gb18030")), 400)
    assert err["diagnostics"][0]["code"] == "not-utf8"
    err = _error(client.post("/v1/evaluate", content=b'{"pack": "a", "pack": "b"}'), 400)
    assert err["diagnostics"][0]["code"] == "duplicate-key"
    err = _error(client.post("/v1/evaluate", content=b'{"case": {"institution": {"beds": NaN}}}'), 400)
    assert err["diagnostics"][0]["code"] == "json-syntax"
    err = _error(client.post("/v1/evaluate", content=b"[1, 2]"), 422)
    assert err["diagnostics"][0]["code"] == "not-a-mapping"


def test_nesting_deeper_than_the_readers_limit_is_refused(client: httpx.Client) -> None:
    deep = '{"pack": "national", "case": {"institution": {"name": ' + "[" * 70 + "]" * 70 + "}}}"
    err = _error(client.post("/v1/evaluate", content=deep.encode()), 400)
    d = err["diagnostics"][0]
    assert d["code"] == "too-deep" and "64" in d["message"] and d["line"] == 1
    err = _error(client.post("/v1/evaluate/batch", content=("[" * 100_000 + "]" * 100_000).encode()), 400)
    assert err["diagnostics"][0]["code"] == "too-deep"


def test_a_body_over_the_size_limit_is_a_413(client: httpx.Client, server: tuple[str, Path]) -> None:
    body = {"pack": "national", "case": {"institution": {"name": "x" * 2_000_100}}}
    err = _error(client.post("/v1/evaluate", content=json.dumps(body).encode()), 413)
    assert err["code"] == "body-too-large" and "2000000" in err["message"]
    # a declared length over the limit is refused before the body is sent
    host, port = server[0].removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(b"POST /v1/evaluate/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 900000000\r\n\r\n")
        head = b""
        while b"body-too-large" not in head and (chunk := s.recv(65536)):
            head += chunk
        text = head.decode("utf-8", "replace")
    assert text.startswith("HTTP/1.1 413") and "body-too-large" in text
    ERROR_BODIES.append(text)


def test_unknown_names_in_the_url_are_404_with_did_you_mean(client: httpx.Client) -> None:
    for path, hint in (("/v1/packs/nationl", "did you mean 'national'?"),
                       ("/v1/diff/national/jiangsu_nantog", "did you mean 'jiangsu_nantong'?"),
                       ("/v1/schema/decisions", "did you mean 'decision'?"),
                       ("/v1/schema/scenarios", "did you mean 'scenario'?")):
        err = _error(client.get(path), 404)
        assert hint in err["diagnostics"][0]["hint"]
    assert _error(client.get("/v2/evaluate"), 404)["code"] == "not-found"
    assert _error(client.get("/v1/evaluate"), 405)["code"] == "method-not-allowed"


# --- the hook, internal errors, start-up ---------------------------------------------------------

class _ThreadServer:
    """``create_app`` under uvicorn in a thread (for what the command line cannot pass: a hook)."""

    def __init__(self, app: Any) -> None:
        import uvicorn
        self.port = _free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="critical"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        url = f"http://127.0.0.1:{self.port}"
        _wait_ready(url)
        return url

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(15)


def test_the_decision_hook_sees_each_decision_and_its_failure_is_a_plain_500() -> None:
    from dingdian_rules.service import create_app, load_packs
    seen: list[tuple[Any, dict[str, Any]]] = []

    def hook(decision: Any, entry: Any) -> None:
        if entry.get("note") == "explode":
            raise RuntimeError("secret internals /home/x/db.py")
        seen.append((decision, dict(entry)))

    sc = _scenarios("national", "application.yaml")[0]
    with _ThreadServer(create_app(load_packs(["national"]), on_decision=hook)) as url:
        r = httpx.post(url + "/v1/evaluate", json=_body("national", sc), timeout=60)
        assert r.status_code == 200
        assert [d.to_dict() for d, _ in seen] == r.json()["decisions"]
        assert seen[0][1]["pack"] == "national"
        r = httpx.post(url + "/v1/evaluate", json=_body("national", sc) | {"note": "explode"}, timeout=60)
        err = _error(r, 500)
        assert err == {"status": 500, "code": "internal-error", "diagnostics": [],
                       "message": "the service failed; the error is in its log"}
        assert "secret" not in r.text
        batch = [_body("national", sc) | {"note": "explode"}, _body("national", sc)]
        lines = httpx.post(url + "/v1/evaluate/batch", json=batch, timeout=60).text.splitlines()
        assert json.loads(lines[0])["error"]["code"] == "internal-error" and "secret" not in lines[0]
        assert json.loads(lines[1])["decisions"][0]["outcome"] == sc["expect"]["outcome"]


def test_serve_binds_to_localhost_by_default(server: tuple[str, Path]) -> None:
    assert "http://127.0.0.1:" in server[1].read_text(encoding="utf-8")
    from dingdian_rules.cli import build_parser
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.workers, args.packs) == ("127.0.0.1", 8000, 1, None)


def test_serve_with_workers_and_chosen_packs(tmp_path: Path) -> None:
    proc, url = _start(["--workers", "2", "--pack", "jiangsu"], tmp_path / "log")
    try:
        assert [p["id"] for p in httpx.get(url + "/v1/packs").json()["packs"]] == ["jiangsu"]
        sc = _scenarios("jiangsu", "application.yaml")[0]
        r = httpx.post(url + "/v1/evaluate", json=_body("jiangsu", sc), timeout=60)
        assert _masked(r.text) == _masked(_library("jiangsu", sc))
        # small answers must not wait for a delayed ACK (uvicorn's worker socket left Nagle on: ~45 ms each)
        with httpx.Client(base_url=url, timeout=60) as c:
            times = []
            for _ in range(15):
                t0 = time.perf_counter()
                assert c.post("/v1/evaluate?compact=true", json=_body("jiangsu", sc)).status_code == 200
                times.append(time.perf_counter() - t0)
        assert sorted(times)[7] < 0.030, times
    finally:
        _stop(proc)


def test_a_port_in_use_is_a_plain_error(server: tuple[str, Path]) -> None:
    port = server[0].rsplit(":", 1)[1]
    done = subprocess.run([sys.executable, "-m", "dingdian_rules", "serve", "--pack", "national", "--port", port],
                          capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert done.returncode == 2 and f"cannot serve on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr


def test_serve_names_the_extra_when_fastapi_is_missing() -> None:
    code = ("import sys; sys.modules['fastapi'] = None; from dingdian_rules.cli import main; "
            "sys.exit(main(['serve']))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert done.returncode == 2
    assert "dingdian-rules[service]" in done.stderr and "fastapi" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_pack_that_does_not_load_stops_serve_before_it_binds(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "dingdian_rules", "serve", "--pack", str(tmp_path / "nothing"),
                           "--port", str(_free_port())], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert done.returncode == 3 and "did not load" in done.stderr and "Traceback" not in done.stderr


def test_compact_answers_are_the_same_json_on_one_line(client: httpx.Client) -> None:
    sc = _scenarios("national", "agreement.yaml")[1]
    r = client.post("/v1/evaluate?compact=true", json=_body("national", sc))
    assert _masked(r.text) == _masked(_library("national", sc, indent=None)) and r.text.count("\n") == 1
    err = _error(client.post("/v1/evaluate?compact=maybe", json=_body("national", sc)), 422)
    assert err["diagnostics"][0]["code"] == "bad-parameter"


def test_the_load_test_runs_and_finds_every_answer_equal(capsys: pytest.CaptureFixture[str]) -> None:
    sys.path.insert(0, str(ROOT))
    from bench import service as load_test
    assert load_test.main(["--requests", "20", "--clients", "1,2", "--cases", "10", "--duration", "30"]) == 0
    out = capsys.readouterr().out
    assert "| 2 | 20 |" in out and "0 differing" in out


def test_no_error_body_carries_a_traceback() -> None:
    if not ERROR_BODIES:
        pytest.skip("runs after the tests that record error bodies (run the whole file)")
    for text in ERROR_BODIES:
        assert "Traceback" not in text and 'File "' not in text and ".py" not in text, text


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_log_records_every_decision_and_verify_rereads_them(tmp_path: Path, workers: str) -> None:
    # issue 13 item 3: `--log FILE` on the service as on the CLI; verify re-runs each record
    decisions = tmp_path / "decisions.jsonl"
    proc, url = _start(["--workers", workers, "--pack", "national", "--log", str(decisions)], tmp_path / "log")
    try:
        scs = _scenarios("national", "application.yaml")[:3]
        answers = [httpx.post(url + "/v1/evaluate", json=_body("national", sc), timeout=60) for sc in scs]
        batch = httpx.post(url + "/v1/evaluate/batch", content="\n".join(json.dumps(_body("national", sc)) for sc in scs),
                           timeout=60)
        assert all(a.status_code == 200 for a in answers) and batch.status_code == 200
    finally:
        _stop(proc)
    records = [json.loads(line) for line in decisions.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 6  # three single answers and a batch of three, one record per decision
    answered = {json.loads(a.text)["decisions"][0]["record"]["decision_id"] for a in answers}
    assert answered <= {r["decision"]["record"]["decision_id"] for r in records}
    for r, sc in zip(records, scs):
        assert (r["input"]["pack"], r["decision"]["outcome"]) == ("national", sc["expect"]["outcome"])
    done = subprocess.run([sys.executable, "-m", "dingdian_rules", "verify", str(decisions)], capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert done.returncode == 0, done.stdout + done.stderr  # nothing changed since: every decision the same


def test_serve_refuses_a_log_it_cannot_write(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "dingdian_rules", "serve", "--pack", "national", "--log", str(tmp_path)],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
                          timeout=120)
    assert done.returncode == 2 and "decision log" in done.stderr


def test_a_callers_hook_and_the_log_both_see_each_decision(tmp_path: Path) -> None:
    # serve(on_decision=..., log=...): the caller's hook runs, then the decision is logged
    from dingdian_rules.service.server import _both, log_hook
    seen: list[str] = []
    pack = dr.load_pack("national")
    hook = _both(lambda d, e: seen.append(d.decision_id), log_hook(str(tmp_path / "log.jsonl"), {"national": pack}))
    sc = _scenarios("national", "application.yaml")[0]
    d = dr.evaluate(pack, dr.parse_case(sc["case"]), sc["question"], as_of=date.fromisoformat(str(sc["as_of"])))
    hook(d, _body("national", sc))
    logged = json.loads((tmp_path / "log.jsonl").read_text(encoding="utf-8"))
    assert seen == [d.decision_id] == [logged["decision"]["record"]["decision_id"]]
    assert logged["input"]["pack"] == "national"  # a bundled pack is logged by id, so verify reloads it
