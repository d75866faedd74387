"""``evaluate --input FILE --engine columnar`` (issue 15 item 1): the batch verb answered a chunk
at a time with ``evaluate_frame``. The case engine is the reference: for the same file, in every
input format, both engines give each row the same outcome, fired rules, undetermined rules and
missing facts, and the same error records for bad rows. Also: the record is a cut of the case
record, Parquet columns no fact can be read from stop the batch naming the column, a question the
columnar compiler cannot express is a usage error naming rule and construct, and the case engine
and ``import dingdian_rules`` never load polars."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")
import pyarrow.parquet as pq  # noqa: E402

import dingdian_rules as dr  # noqa: E402
from dingdian_rules.batch.columnar_run import DECISION_KEYS, Unanswerable, check_compiles  # noqa: E402
from dingdian_rules.batch.frames import iter_chunks, iter_frames  # noqa: E402
from dingdian_rules.cli import main  # noqa: E402
from dingdian_rules.columnar import ColumnarUnsupported  # noqa: E402
from dingdian_rules.testing.registry import COLUMNS, arrow_table, as_entry, registry_rows  # noqa: E402

SRC = str(Path(dr.__file__).resolve().parents[1])
PACK = dr.load_pack("national")


def compiles(question: str) -> bool:
    try:
        check_compiles(PACK, question, date(2025, 6, 1))
    except Unanswerable:
        return False
    return True


QUESTIONS = [q for q in ("application", "agreement") if compiles(q)]


def _rows() -> list[dict[str, Any]]:
    """A small generated registry, 10 % of facts unknown, the questions the engine compiles
    today, and an ``as_of`` that varies by row."""
    out = []
    for row in registry_rows(80, seed=7, unknown_rate=0.1, agreement_share=0.4):
        if row["question"] in QUESTIONS:
            row["as_of"] = date(2025, 6, 1) - timedelta(days=97 * (len(out) % 2))
            out.append(row)
    return out


ROWS = _rows()


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def write(path: Path, rows: list[dict[str, Any]], extra: list[str] = ()) -> Path:
    """``rows`` in the format ``path`` names (the registry's table form); ``extra`` raw lines
    appended to a JSON Lines or CSV file."""
    if path.suffix == ".parquet":
        pq.write_table(arrow_table(rows), path)
    elif path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(as_entry(r), default=_json, ensure_ascii=False) + "\n" for r in rows)
                        + "".join(x + "\n" for x in extra), encoding="utf-8")
    elif path.suffix == ".json":
        path.write_text(json.dumps([as_entry(r) for r in rows], default=_json, ensure_ascii=False, indent=1),
                        encoding="utf-8")
    else:
        with path.open("w", encoding="utf-8", newline="") as f:
            out = csv.writer(f)
            out.writerow(COLUMNS)
            for row in rows:
                out.writerow(["" if v is None else v.isoformat() if isinstance(v, date) else v
                              if name in ("id", "question") else json.dumps(v, default=_json, ensure_ascii=False)
                              for name, v in row.items()])
            for line in extra:
                f.write(line + "\n")
    return path


def run(*args: str) -> int:
    return main(["evaluate", "--pack", "national", *args])


def records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def reference(record: dict[str, Any]) -> dict[str, Any]:
    """The case engine's record cut to the columnar fields by reading its JSON (not the code under test)."""
    if not record["ok"]:
        return record
    cut = {k: record[k] for k in ("entry", "line", "row", "id", "ok")}
    cut["decisions"] = [{"question": d["question"], "outcome": d["outcome"], "as_of": d["as_of"], "fired": d["fired"],
                         "missing_facts": d["missing_facts"],
                         "undetermined": [r["id"] for r in d["rules"] if r["status"] == "unknown"],
                         **({"calendar_uncertain": True}
                            if any(w["code"] == "calendar-uncertain" for w in d["warnings"]) else {})}
                        for d in record["decisions"]]
    return cut


def both(tmp_path: Path, source: Path, *args: str, chunk: str = "30") -> tuple[list[dict], list[dict], int, int]:
    case_out, col_out = tmp_path / f"{source.name}.case.jsonl", tmp_path / f"{source.name}.col.jsonl"
    rc_case = run("--input", str(source), "-o", str(case_out), *args)
    rc_col = run("--input", str(source), "-o", str(col_out), "--engine", "columnar", "--chunk-rows", chunk, *args)
    return [reference(r) for r in records(case_out)], records(col_out), rc_case, rc_col


@pytest.mark.skipif(not QUESTIONS, reason="no question of the national pack compiles to columns yet")
@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".csv", ".parquet"])
def test_both_engines_agree_row_by_row_in_every_input_format(tmp_path: Path, suffix: str) -> None:
    expected, got, rc_case, rc_col = both(tmp_path, write(tmp_path / f"registry{suffix}", ROWS))
    assert rc_case == rc_col == 0
    assert len(got) == len(ROWS) and got == expected
    assert {d["outcome"] for r in got for d in r["decisions"]} >= {"undetermined"}  # unknown facts occurred
    assert any(r["decisions"][0]["missing_facts"] for r in got)
    assert len({r["decisions"][0]["as_of"] for r in got}) == 2


@pytest.mark.skipif("application" not in QUESTIONS or not compiles("deadlines"), reason="needs application and deadlines")
def test_entries_without_a_question_ask_what_the_case_gives_and_overrides_win(tmp_path: Path) -> None:
    rows = [r for r in ROWS if r["question"] == "application"][:12]
    bare = tmp_path / "bare.jsonl"
    bare.write_text("".join(json.dumps({"id": r["id"], "case": as_entry(r)["case"]}, default=_json) + "\n"
                            for r in rows), encoding="utf-8")
    expected, got, _, _ = both(tmp_path, bare, "--as-of", "2025-01-15")
    assert got == expected
    assert [d["question"] for d in got[0]["decisions"]] == ["application", "deadlines"]
    assert {d["as_of"] for r in got for d in r["decisions"]} == {"2025-01-15"}
    expected, got, _, _ = both(tmp_path, write(tmp_path / "q.jsonl", rows), "--question", "application")
    assert got == expected


@pytest.mark.skipif("application" not in QUESTIONS, reason="application does not compile")
def test_bad_rows_get_the_case_engines_error_records(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    rows = [r for r in ROWS if r["question"] == "application"][:10]
    bad_jsonl = ['{"question": "application", "case": {"institution": {"beds": "twelve"}}}', '{"case": ', "[1]",
                 '{"question": "applicaton", "case": {}}', '{"as_of": "2025-13-01", "case": {}}']
    bad_csv = ["X1,application,2025-06-01",  # three cells where the header has more
               "X2,application,2025-06-01,,not_a_type" + "," * (len(COLUMNS) - 5)]
    for source in (write(tmp_path / "bad.jsonl", rows[:4], bad_jsonl), write(tmp_path / "bad.csv", rows[4:], bad_csv)):
        expected, got, rc_case, rc_col = both(tmp_path, source, chunk="3")
        assert rc_case == rc_col == 1
        assert got == expected
        assert sum(not r["ok"] for r in got) == (5 if source.suffix == ".jsonl" else 2)
        err = capsys.readouterr().err
        assert err.count("出错位置") == 2  # both summaries name where the errors are


@pytest.mark.skipif("application" not in QUESTIONS, reason="application does not compile")
def test_parquet_values_the_facts_refuse_get_the_case_engines_error_records(tmp_path: Path) -> None:
    # the Parquet path lays columns out without a Python object per row; what a column's type
    # lets through but the fact models refuse must still be the case engine's error record
    rows = [r for r in ROWS if r["question"] == "application"][:9]
    frame = pl.from_arrow(arrow_table(rows)).with_columns(pl.col("as_of").cast(pl.String))
    frame = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("nope")).otherwise(pl.col("institution.type"))
        .alias("institution.type"),
        pl.when(pl.int_range(pl.len()) == 1).then(pl.lit(-3)).otherwise(pl.col("institution.beds"))
        .alias("institution.beds"),
        pl.when(pl.int_range(pl.len()) == 2).then(pl.lit("applicaton")).when(pl.int_range(pl.len()) == 5)
        .then(None).otherwise(pl.col("question")).alias("question"),
        pl.when(pl.int_range(pl.len()) == 3).then(pl.lit("2025-6-1")).otherwise(pl.col("as_of")).alias("as_of"),
        pl.when(pl.int_range(pl.len()) == 4).then(pl.lit(["licence_copy", "nope"])).otherwise(
            pl.col("application.materials")).alias("application.materials"))
    frame.write_parquet(tmp_path / "bad.parquet")
    from dingdian_rules.batch.parquet_frames import parquet_chunks
    assert parquet_chunks(str(tmp_path / "bad.parquet"), 4, None, None) is not None  # the vectorised path
    expected, got, rc_case, rc_col = both(tmp_path, tmp_path / "bad.parquet", chunk="4")
    assert rc_case == rc_col == 1
    assert got == expected
    assert [r["ok"] for r in got] == [False] * 5 + [True] * 4
    assert [d["question"] for d in got[5]["decisions"]] == ["application", "deadlines"]  # no question: as evaluate_all


def test_parquet_columns_no_fact_can_be_read_from_stop_the_batch(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    table = pa.table({"id": ["a"], "institution.beds": pa.array([12.0]), "institution.type": ["clinic"],
                      "institution.bedz": [1], "institution.people": pa.array([[{"role": "principal", "age": 3}]])})
    pq.write_table(table, tmp_path / "wrong.parquet")
    assert run("--input", str(tmp_path / "wrong.parquet"), "--engine", "columnar") == 4
    err = capsys.readouterr().err
    assert "column institution.beds is Float64, but the fact is Int64" in err
    assert "column institution.bedz names no fact" in err and "did you mean 'beds'?" in err
    assert "column institution.people[] has a field 'age' that is no fact" in err
    assert "type-mismatch" in err and "Traceback" not in err
    # an integer column of another width, a null column and ISO text for a date are read
    ok = pa.table({"institution.beds": pa.array([12], pa.int32()), "institution.type": ["hospital_nope"],
                   "institution.operating_since": ["2024-01-01"], "application.materials": pa.nulls(1)})
    pq.write_table(ok, tmp_path / "ok.parquet")
    chunk = next(iter_chunks(str(tmp_path / "ok.parquet")))
    assert chunk.frame.height == 0 and chunk.errors[0].errors[0].path == "case.institution.type"  # the case model's check


def test_a_question_the_compiler_cannot_express_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture) -> None:
    import dingdian_rules.batch.columnar_run as run_mod

    def refuse(*args: Any, **kw: Any) -> Any:
        raise ColumnarUnsupported("eligibility.some_rule", "a construct it lacks")
    monkeypatch.setattr(run_mod, "evaluate_frame", refuse)
    source = write(tmp_path / "r.jsonl", ROWS[:5] or [dict.fromkeys(COLUMNS, None) | {"question": "application"}])
    assert run("--input", str(source), "--engine", "columnar", "-o", str(tmp_path / "o.jsonl")) == 2
    err = capsys.readouterr().err
    assert "rule eligibility.some_rule" in err and "a construct it lacks" in err and "--engine case" in err
    assert "Traceback" not in err
    monkeypatch.setattr(run_mod, "compile_question", refuse, raising=False)
    import dingdian_rules.columnar as col
    monkeypatch.setattr(col, "compile_question", refuse)
    assert run("--input", str(source), "--engine", "columnar", "--question", "application") == 2  # before reading
    assert "cannot answer 'application' under pack national" in capsys.readouterr().err


def test_a_frame_that_fails_to_evaluate_falls_back_to_the_case_engine(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # any other evaluation error of a frame (a date beyond the calendar) must not lose its rows:
    # they are evaluated one by one from the frame's columns, as the case engine would
    import dingdian_rules.batch.columnar_run as run_mod

    def fail(*args: Any, **kw: Any) -> Any:
        raise dr.EvaluationError("a frame-wide failure")
    monkeypatch.setattr(run_mod, "evaluate_frame", fail)
    rows = ROWS[:12]
    for suffix in (".jsonl", ".parquet"):
        expected, got, rc_case, rc_col = both(tmp_path, write(tmp_path / f"f{suffix}", rows), chunk="5")
        assert rc_case == rc_col == 0 and got == expected


@pytest.mark.skipif("application" not in QUESTIONS, reason="application does not compile")
def test_parquet_output_and_stdin_match_the_case_engine(tmp_path: Path) -> None:
    rows = [r for r in ROWS if r["question"] == "application"][:15]
    source = write(tmp_path / "r.parquet", rows)
    assert run("--input", str(source), "-o", str(tmp_path / "case.parquet")) == 0
    assert run("--input", str(source), "-o", str(tmp_path / "col.parquet"), "--engine", "columnar") == 0
    case, col = pq.read_table(tmp_path / "case.parquet"), pq.read_table(tmp_path / "col.parquet")
    assert case.schema == col.schema
    for name in ("entry", "line", "row", "id", "ok", "outcomes", "errors"):
        assert case.column(name).to_pylist() == col.column(name).to_pylist(), name
    cut = [reference({"entry": 0, "line": None, "row": None, "id": None, "ok": True, "decisions": json.loads(d)})
           for d in case.column("decisions").to_pylist()]
    assert [c["decisions"] for c in cut] == [json.loads(d) for d in col.column("decisions").to_pylist()]
    # standard input, through a real process: no progress bar when piped, the Chinese summary
    text = "".join(json.dumps(as_entry(r), default=_json) + "\n" for r in rows)
    env = {**os.environ, "PYTHONPATH": SRC}
    done = subprocess.run([sys.executable, "-m", "dingdian_rules", "evaluate", "--pack", "national", "--input", "-",
                           "--engine", "columnar"], input=text, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert [json.loads(x) for x in done.stdout.splitlines()] == [{**c, "entry": i, "row": None, "line": i}
                                                                 for i, c in enumerate(records_of(col), 1)]
    assert done.stderr.startswith(f"共 {len(rows)} 行") and "\r" not in done.stderr


def records_of(table: Any) -> list[dict[str, Any]]:
    return [{"entry": e, "line": ln, "row": r, "id": i, "ok": ok, "decisions": json.loads(d)}
            for e, ln, r, i, ok, d in zip(*(table.column(n).to_pylist() for n in
                                            ("entry", "line", "row", "id", "ok", "decisions")))]


def test_the_record_is_a_cut_of_the_case_record() -> None:
    decision = dr.evaluate(PACK, {"institution": {"type": "clinic"}}, "application", as_of=date(2025, 6, 1))
    full = decision.to_dict()
    assert set(DECISION_KEYS) - {"undetermined"} <= set(full)
    assert list(DECISION_KEYS[:-1]) == [k for k in full if k in DECISION_KEYS]  # the same order


@pytest.mark.skipif("application" not in QUESTIONS, reason="application does not compile")
def test_chunks_are_bounded_and_frames_reusable(tmp_path: Path) -> None:
    source = write(tmp_path / "r.jsonl", ROWS[:20], ['{"case": 1}'])
    chunks = list(iter_chunks(str(source), 6))
    assert [c.rows for c in chunks] == [6, 6, 6, 3] and sum(len(c.errors) for c in chunks) == 1
    frames = list(iter_frames(str(source), 6))
    assert [f.height for f in frames] == [6, 6, 6, 2]
    assert frames[0].columns[:6] == ["entry", "line", "row", "id", "questions", "as_of"]
    assert "institution" in frames[0].columns and frames[0].schema["as_of"] == pl.Date


def test_the_case_engine_and_the_library_never_load_polars(tmp_path: Path) -> None:
    source = tmp_path / "one.jsonl"
    source.write_text('{"question": "application", "as_of": "2025-06-01", "case": {"institution": {"type": "clinic"}}}\n')
    code = ("import sys, contextlib, io; from dingdian_rules.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
            f"    assert main(['evaluate', '--pack', 'national', '--input', {str(source)!r}]) == 0\n"
            "assert 'polars' not in sys.modules, 'polars loaded'")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, "PYTHONPATH": SRC})
    assert done.returncode == 0, done.stderr[-2000:]


def test_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    source = write(tmp_path / "r.jsonl", ROWS[:2])
    assert run("--input", str(source), "--chunk-rows", "5") == 2  # goes with --engine columnar
    assert run("--input", str(source), "--engine", "columnar", "--jobs", "2") == 2
    assert run("--input", str(source), "--engine", "columnar", "--log", str(tmp_path / "log.jsonl")) == 2
    assert not (tmp_path / "log.jsonl").exists()
    assert run("--input", str(source), "--engine", "columnar", "--chunk-rows", "0") == 2
    assert "--chunk-rows" in capsys.readouterr().err


def test_a_decision_resting_on_an_unpublished_calendar_is_flagged_as_the_case_engine_warns(tmp_path: Path) -> None:
    # national art. 40: a major change not applied for within 30 working days; counts through 2027's
    # Spring Festival, whose 调休 the bundled calendar does not have, are estimated
    from oracles import NAT_FALSE
    source = tmp_path / "calendar.jsonl"
    with source.open("w", encoding="utf-8") as f:
        for k in range(40):
            approved = date(2026, 12, 1) + timedelta(days=k)
            case = {"agreement": {"term_start": "2026-07-01", "term_end": "2027-06-30", "suspensions": [],
                                  "is_home_region": True},
                    "conduct": NAT_FALSE, "information_change": {"is_major": True, "approved_on": approved.isoformat()}}
            f.write(json.dumps({"id": f"C{k}", "question": "agreement", "as_of": "2027-02-05", "case": case}) + "\n")
    expected, got, rc_case, rc_col = both(tmp_path, source)
    assert rc_case == rc_col == 0 and got == expected
    flagged = [r for r in got if r["decisions"][0].get("calendar_uncertain")]
    assert flagged and all(r["decisions"][0]["outcome"] == "undetermined" for r in flagged)
    assert any("calendar_uncertain" not in r["decisions"][0] for r in got)
