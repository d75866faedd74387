"""Batch files (issue 13 item 2): ``evaluate --input FILE`` and ``evaluate_many``, run for real on
files of every format built from the packs' own scenario cases, with each scenario's expected
outcome asserted; bad rows become located error records and the rest goes on; ``--jobs`` keeps
the output; entries are read lazily; the progress bar stays off when piped."""

from __future__ import annotations

import csv
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import dingdian_rules as dr
from dingdian_rules.analysis.scenarios import load_scenario_file, scenario_files
from dingdian_rules.batch import read_entries
from dingdian_rules.batch.tables import cell_value
from decision_ids import mask_id_bytes, without_ids

ROOT = Path(__file__).resolve().parents[1]
SRC = str(Path(dr.__file__).resolve().parents[1])


def scenarios(pack_id: str) -> list[tuple[dict[str, Any], str]]:
    """(entry, expected outcome) for every valid scenario of a bundled pack, as the analysts wrote them."""
    pack = dr.load_pack(pack_id)
    out = []
    for path in scenario_files(pack.folders[-1]):
        cases, _ = load_scenario_file(path)
        for i, item in enumerate(cases):
            s = item.scenario
            try:
                dr.parse_case(s.case)
            except dr.CaseError:
                continue
            out.append(({"id": f"{path.stem}/{i}", "question": s.question, "as_of": s.as_of.isoformat(),
                         "case": s.case}, s.expect.outcome))
    return out


NATIONAL = scenarios("national")


def cli(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "dingdian_rules", "evaluate", "--pack", "national", *args],
                          input=stdin, capture_output=True, text=True, encoding="utf-8", env=env, cwd=cwd, timeout=300)


def jsonl(entries: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries)


def records(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def assert_expected(recs: list[dict[str, Any]], expected: list[tuple[dict[str, Any], str]],
                    numbers: list[int] | None = None) -> None:
    """Each record is its entry's (number, id) with the outcome its scenario expects."""
    assert len(recs) == len(expected)
    for n, rec, (entry, outcome) in zip(numbers or itertools.count(1), recs, expected):
        assert rec["entry"] == n and rec["id"] == entry["id"] and rec["ok"], rec
        assert [(d["question"], d["outcome"]) for d in rec["decisions"]] == [(entry["question"], outcome)], entry["id"]


def test_jsonl_file_through_the_command(tmp_path: Path) -> None:
    (tmp_path / "cases.jsonl").write_text(jsonl([e for e, _ in NATIONAL]), encoding="utf-8")
    done = cli("--input", "cases.jsonl", "--output", "out.jsonl", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    recs = records((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
    assert_expected(recs, NATIONAL)
    assert [r["line"] for r in recs] == list(range(1, len(NATIONAL) + 1))
    summary = done.stderr  # Chinese by default, each outcome's code beside its label
    assert f"共 {len(NATIONAL)} 行" in summary and "出错 0 行" in summary and "每秒" in summary
    met = sum(o == "conditions_met" for e, o in NATIONAL if e["question"] == "application")
    assert "申请（application）：" in summary and f"符合申请条件[conditions_met] {met}" in summary
    english = cli("--input", "cases.jsonl", "--output", "out2.jsonl", "--lang", "en", cwd=tmp_path).stderr
    assert f"{len(NATIONAL)} rows" in english and "0 errors" in english and f"conditions_met {met}" in english
    assert "\r" not in summary and "it/s" not in summary  # no progress bar when stderr is piped
    assert done.stdout == ""


@pytest.mark.parametrize("pack_id", [p for p in dr.bundled_pack_ids() if p not in ("national", "guangdong")])
def test_every_pack_through_evaluate_many(tmp_path: Path, pack_id: str) -> None:
    expected = scenarios(pack_id)
    (tmp_path / "cases.jsonl").write_text(jsonl([e for e, _ in expected]), encoding="utf-8")
    results = list(dr.evaluate_many(dr.load_pack(pack_id), read_entries(str(tmp_path / "cases.jsonl"))))
    assert_expected([r.to_dict() for r in results], expected)


def test_the_records_hold_what_evaluate_json_prints() -> None:
    done = subprocess.run([sys.executable, "-m", "dingdian_rules", "evaluate", "--pack", "national",
                           str(ROOT / "examples/application_clinic.yaml"), "--format", "json"],
                          capture_output=True, text=True, encoding="utf-8",
                          env={**os.environ, "PYTHONPATH": SRC}, timeout=120)
    single = json.loads(done.stdout)["decisions"]
    entry = dr.load_case_file(ROOT / "examples/application_clinic.yaml")
    batch = cli("--input", "-", stdin=json.dumps({"question": "application", "as_of": "2025-06-01",
                                                     "case": entry[0].model_dump(mode="json", exclude_none=True)}))
    assert [without_ids(d) for d in records(batch.stdout)[0]["decisions"]] == [without_ids(d) for d in single]
    assert single[0]["outcome"] == "conditions_met"  # the example file's stated expectation


def test_json_list_file_and_one_entry(tmp_path: Path) -> None:
    text = "[\n" + ",\n".join(json.dumps(e, ensure_ascii=False, indent=1) for e, _ in NATIONAL) + "\n]\n"
    (tmp_path / "cases.json").write_text(text, encoding="utf-8")
    done = cli("--input", "cases.json", "--output", "out.jsonl", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    recs = records((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
    assert_expected(recs, NATIONAL)
    assert recs[1]["line"] == text.splitlines().index('{', 2) + 1  # where the second entry starts
    (tmp_path / "one.json").write_text(json.dumps(NATIONAL[0][0], indent=2), encoding="utf-8")
    one = cli("--input", "one.json", cwd=tmp_path)
    assert_expected(records(one.stdout), NATIONAL[:1])


def _flat(value: Any, prefix: str, out: dict[str, str]) -> None:
    """A case as CSV cells by the documented rule: nested mappings as dotted columns, lists as JSON,
    text as itself unless it would read as JSON (then as a JSON string)."""
    for key, v in value.items():
        name = f"{prefix}{key}"
        if isinstance(v, dict):  # an empty mapping gives no column: the section is not given
            _flat(v, name + ".", out)
        elif isinstance(v, str):
            out[name] = v if cell_value(v) == (v, None) else json.dumps(v, ensure_ascii=False)
        else:
            out[name] = json.dumps(v, ensure_ascii=False)


def write_csv(path: Path, expected: list[tuple[dict[str, Any], str]]) -> list[str]:
    rows = []
    for entry, _ in expected:
        row = {"id": entry["id"], "question": entry["question"], "as_of": entry["as_of"]}
        _flat(entry["case"], "", row)
        rows.append(row)
    header = list(dict.fromkeys(k for r in rows for k in r))
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, header)
        w.writeheader()
        w.writerows(rows)
    return header


def test_csv_file_with_dotted_columns(tmp_path: Path) -> None:
    header = write_csv(tmp_path / "cases.csv", NATIONAL)
    assert "institution.beds" in header and "application.materials" in header
    done = cli("--input", "cases.csv", "--output", "out.jsonl", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    recs = records((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
    assert_expected(recs, NATIONAL)
    assert recs[0]["row"] == 1 and recs[0]["line"] == 2


def test_csv_cells_are_not_coerced(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text(
        "id,question,as_of,institution.type,institution.beds,institution.is_public,application.materials\n"
        "a,application,2025-06-01,clinic,12,false,\"[\"\"application_form\"\"]\"\n"
        "b,application,2025-06-01,clinic,twelve,false,[]\n"
        "c,application,2025-06-01,clinic,12,是,[]\n"
        "d,application,2025-06-01,clinic,12,false,\"[\"\"application_form\"\n", encoding="utf-8")
    done = cli("--input", "c.csv", cwd=tmp_path)
    assert done.returncode == 1
    a, b, c, d = records(done.stdout)
    assert a["ok"]
    assert not b["ok"] and b["line"] == 3 and b["row"] == 2
    (err,) = b["errors"]
    assert (err["line"], err["column"], err["path"]) == (3, 5, "case.institution.beds")  # column 5: institution.beds
    assert "twelve" in err["message"]
    assert c["errors"][0]["path"] == "case.institution.is_public" and c["errors"][0]["column"] == 6
    assert d["errors"][0]["code"] == "json-syntax" and d["errors"][0]["column"] == 7


def test_a_bad_entry_in_the_middle_is_an_error_record_and_the_rest_goes_on(tmp_path: Path) -> None:
    good = NATIONAL[:6]
    lines = [json.dumps(e, ensure_ascii=False) for e, _ in good]
    mistyped = dict(good[0][0], case={**good[0][0]["case"], "institution": {"type": "clinic", "beds": "120"}})
    lines[2:2] = ['{"question": "application", "case": {', json.dumps(mistyped, ensure_ascii=False)]
    (tmp_path / "cases.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = cli("--input", "cases.jsonl", cwd=tmp_path)
    assert done.returncode == 1
    recs = records(done.stdout)
    assert [r["ok"] for r in recs] == [True, True, False, False, True, True, True, True]
    syntax, typed = recs[2]["errors"][0], recs[3]["errors"][0]
    assert (recs[2]["line"], syntax["code"], syntax["line"]) == (3, "json-syntax", 3)
    assert (recs[3]["line"], typed["line"], typed["path"]) == (4, 4, "case.institution.beds")
    assert lines[3][typed["column"] - 1:].startswith('"120"')
    assert_expected(recs[:2] + recs[4:], good, [1, 2, 5, 6, 7, 8])
    assert "出错 2 行" in done.stderr and "出错位置：第 3 行、第 4 行" in done.stderr


def test_stdin_jsonl_and_json() -> None:
    entries = [e for e, _ in NATIONAL[:20]]
    as_lines = cli("--input", "-", stdin=jsonl(entries))
    assert as_lines.returncode == 0, as_lines.stderr
    assert_expected(records(as_lines.stdout), NATIONAL[:20])
    as_list = cli("--input", "-", stdin=json.dumps(entries, indent=2, ensure_ascii=False))
    assert_expected(records(as_list.stdout), NATIONAL[:20])


def test_jobs_two_gives_the_same_output_as_one(tmp_path: Path) -> None:
    entries = [e for e, _ in NATIONAL] + [{"question": "application", "case": {"institution": {"beds": 1.5}}}]
    (tmp_path / "cases.jsonl").write_text(jsonl(entries), encoding="utf-8")
    one = cli("--input", "cases.jsonl", "--output", "one.jsonl", cwd=tmp_path)
    two = cli("--input", "cases.jsonl", "--output", "two.jsonl", "--jobs", "2", cwd=tmp_path)
    assert one.returncode == two.returncode == 1
    assert mask_id_bytes((tmp_path / "one.jsonl").read_bytes()) == mask_id_bytes((tmp_path / "two.jsonl").read_bytes())
    assert_expected(records((tmp_path / "two.jsonl").read_text(encoding="utf-8"))[:-1], NATIONAL)


def test_evaluate_many_reads_lazily() -> None:
    pulled = itertools.count()

    def entries():
        for e, _ in itertools.cycle(NATIONAL):
            next(pulled)
            yield e

    pack = dr.load_pack("national")
    first = list(itertools.islice(dr.evaluate_many(pack, entries()), 5))
    assert len(first) == 5 and next(pulled) == 5  # one entry read per result taken
    pulled = itertools.count()
    results = dr.evaluate_many(pack, entries(), jobs=2, chunk_size=10)
    assert [r.outcomes for r in itertools.islice(results, 3)] == [{e["question"]: o} for e, o in NATIONAL[:3]]
    assert next(pulled) <= 2 * 2 * 10 + 10  # at most two chunks per process ahead, whatever the input's length
    results.close()


def test_parquet_in_and_out(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq
    import datetime
    rows = [{"id": e["id"], "question": e["question"], "as_of": datetime.date.fromisoformat(e["as_of"]),
             "case": json.dumps(e["case"], ensure_ascii=False)} for e, _ in NATIONAL]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "cases.parquet", row_group_size=50)
    done = cli("--input", "cases.parquet", "--output", "out.parquet", "--jobs", "2", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = pq.read_table(tmp_path / "out.parquet").to_pylist()
    assert [(r["entry"], r["row"], r["id"], r["ok"]) for r in out] == [(n, n, e["id"], True)
                                                                       for n, (e, _) in enumerate(NATIONAL, 1)]
    assert [json.loads(r["outcomes"]) for r in out] == [{e["question"]: o} for e, o in NATIONAL]
    # flat typed columns: a double where the fact is an integer is refused, naming row and column
    flat = pa.table({"question": ["application"] * 2, "institution.type": ["clinic"] * 2,
                     "institution.beds": pa.array([8.0, None], pa.float64())})
    pq.write_table(flat, tmp_path / "flat.parquet")
    recs = records(cli("--input", "flat.parquet", cwd=tmp_path).stdout)
    assert recs[0]["errors"][0]["path"] == "case.institution.beds" and recs[0]["errors"][0]["column"] == 3
    assert recs[0]["row"] == 1 and recs[1]["ok"]  # a null cell is a fact not given


def test_parquet_without_pyarrow_names_the_extra(tmp_path: Path) -> None:
    code = ("import sys; sys.modules['pyarrow'] = None; sys.modules['pyarrow.parquet'] = None; "
            "from dingdian_rules.cli import main; "
            "sys.exit(main(['evaluate', '--pack', 'national', '--input', '-', '--output', 'x.parquet']))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": SRC}, input="", timeout=120)
    assert done.returncode == 2 and "dingdian-rules[parquet]" in done.stderr and "Traceback" not in done.stderr


def test_whole_input_problems_and_usage() -> None:
    missing = cli("--input", "no-such-file.jsonl")
    assert missing.returncode == 4 and "file-unreadable" in missing.stderr
    assert cli("--input", "cases.txt").returncode == 4
    assert cli("--input", "-", "--output", "out.csv", stdin="").returncode == 2
    assert cli("--input", "-", "--format", "md", stdin="").returncode == 2
    assert cli("--input", "-", "--jobs", "0", stdin="").returncode == 2
    assert cli(str(ROOT / "examples/application_clinic.yaml"), "--output", "x.jsonl").returncode == 2
    empty = cli("--input", "-", stdin="")
    assert empty.returncode == 0 and empty.stdout == "" and "共 0 行" in empty.stderr


def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    pty = pytest.importorskip("pty")
    (tmp_path / "cases.jsonl").write_text(jsonl([e for e, _ in NATIONAL[:50]]), encoding="utf-8")
    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": SRC}
    proc = subprocess.Popen([sys.executable, "-m", "dingdian_rules", "evaluate", "--pack", "national", "--input",
                             "cases.jsonl", "--output", "out.jsonl"], cwd=tmp_path, stderr=slave,
                            stdout=subprocess.DEVNULL, env=env)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    assert proc.wait(timeout=120) == 0
    os.close(master)
    text = seen.decode("utf-8", "replace")
    assert "共 50 行" in text and "每秒" in text and "\r" in text  # a terminal: its line endings


def test_a_json_list_is_read_in_constant_memory() -> None:
    import tracemalloc
    from dingdian_rules.batch.readers import json_entries
    item = json.dumps(NATIONAL[0][0], ensure_ascii=False).encode()
    count = 5_000  # about 8 MB of JSON, all on one line

    def chunks():
        yield b"["
        for i in range(count):
            yield (b"," if i else b"") + item
        yield b"]"

    tracemalloc.start()
    try:
        n = sum(1 for e in json_entries(chunks(), "big.json") if not e.problems)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert n == count and peak < 2_000_000, (n, peak)


def test_a_batch_logs_every_decision_and_verify_rereads_them(tmp_path: Path) -> None:
    # issue 13 item 3 on batch files: --log with --input, one record per decision
    chosen = NATIONAL[:5]
    (tmp_path / "cases.jsonl").write_text(jsonl([e for e, _ in chosen]), encoding="utf-8")
    done = cli("--input", "cases.jsonl", "--output", "out.jsonl", "--log", "decisions.jsonl", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    logged = records((tmp_path / "decisions.jsonl").read_text(encoding="utf-8"))
    assert [r["decision"]["outcome"] for r in logged] == [outcome for _, outcome in chosen]
    assert [r["decision"]["record"]["decision_id"] for r in logged] == \
        [d["record"]["decision_id"] for r in records((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
         for d in r["decisions"]]  # the logged decisions are the written ones
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    verified = subprocess.run([sys.executable, "-m", "dingdian_rules", "verify", "decisions.jsonl"], cwd=tmp_path,
                              capture_output=True, text=True, encoding="utf-8", env=env, timeout=300)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    refused = cli("--input", "cases.jsonl", "--jobs", "2", "--log", "other.jsonl", cwd=tmp_path)
    assert refused.returncode == 2 and "--log needs --jobs 1" in refused.stderr
