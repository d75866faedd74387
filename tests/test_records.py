"""Decision records (issue 13 item 3): every decision's id, engine version and input digest; the
fingerprint's calendar; ``--log`` and ``dingdian-rules verify``.

Cases and their outcomes come from the national pack's own scenarios
(rulepacks/national/tests/application.yaml): the complete good applicant is ``conditions_met``; an
institution of a type art. 5 does not list is ``not_accepted`` with
``institution_type.eligible_types`` fired. Taking ``general_hospital`` off the art. 5 list in a
copy of the pack therefore turns the first into the second, which ``verify`` must report.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

import dingdian_rules as dr
from dingdian_rules.analysis.scenario_base import merge_case
from dingdian_rules.cli import main
from dingdian_rules.evaluation.decision_schema import DecisionModel
from dingdian_rules.evaluation.identity import ENGINE_VERSION, decided_at, input_digest, new_decision_id
from dingdian_rules.evaluation.records import DecisionLog, LogEntry, read_log
from dingdian_rules.evaluation.verification import verify_log
from dingdian_rules.packs.resolving import fingerprint_with
from dingdian_rules.time import calendar_versions

ROOT = Path(__file__).resolve().parents[1]
NATIONAL = ROOT / "rulepacks" / "national"
UUID7 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
_FILE = yaml.safe_load((NATIONAL / "tests" / "application.yaml").read_text("utf-8"))
SCENARIOS = {s["name"]: {**s, "case": merge_case(_FILE["base"]["case"], s.get("case", {}))}  # as the runner merges it
             for s in _FILE["scenarios"]}
GOOD = SCENARIOS["complete good applicant -> conditions met"]
UNLISTED = SCENARIOS["type not listed in art. 5 -> not accepted"]
PACK = dr.load_pack("national")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def case_file(tmp_path: Path, scenario: dict, name: str = "case.yaml") -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"question": scenario["question"], "as_of": scenario["as_of"],
                                    "case": scenario["case"]}, allow_unicode=True), encoding="utf-8")
    return str(path)


def good_decision(pack: dr.ResolvedPack = PACK) -> dr.Decision:
    return dr.evaluate(pack, GOOD["case"], "application", as_of=GOOD["as_of"])


# --- ids, engine version -------------------------------------------------------------------------

def test_every_decision_has_its_own_time_ordered_id() -> None:
    before = datetime.now(timezone.utc) - timedelta(seconds=1)
    decisions = [good_decision() for _ in range(500)]
    ids = [d.decision_id for d in decisions]
    assert len(set(ids)) == 500
    assert all(UUID7.fullmatch(i) for i in ids)
    assert decisions[0].outcome == GOOD["expect"]["outcome"] == "conditions_met"
    record = decisions[-1].to_dict()["record"]
    assert record["decision_id"] == ids[-1]  # the JSON names the same id every time it is asked
    assert decisions[-1].to_dict()["record"]["decision_id"] == ids[-1]
    when = datetime.fromisoformat(record["decided_at"].replace("Z", "+00:00"))
    assert before <= when <= datetime.now(timezone.utc)
    # time-ordered: an id made a few milliseconds later sorts after
    first = new_decision_id()
    while decided_at(new_decision_id()) <= decided_at(first):
        pass
    assert new_decision_id() > first


def test_the_engine_version_is_the_package_version() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert ENGINE_VERSION == dr.__version__ == pyproject["project"]["version"]
    assert good_decision().to_dict()["record"]["engine_version"] == dr.__version__


def test_the_record_validates_against_the_schema() -> None:
    data = good_decision().to_dict()
    assert data["schema_version"] == 6
    DecisionModel.model_validate_json(json.dumps(data))
    assert data["record"]["calendar"] == calendar_versions()
    assert set(calendar_versions()) == {"chinesecalendar", "tyme4py"}


# --- the input digest ------------------------------------------------------------------------------

def _written_differently(case: dict) -> dict:
    """The same facts: keys reversed, every unknown fact written as null, dates as text."""
    def flip(v):
        if isinstance(v, dict):
            return {k: flip(v[k]) for k in reversed(list(v))}
        if isinstance(v, list):
            return [flip(x) for x in v]
        return v.isoformat() if isinstance(v, date) else v
    out = flip(case)
    out["institution"]["name"] = None
    out["agreement"] = None
    return out


def test_equal_inputs_written_differently_have_one_digest() -> None:
    a = dr.evaluate(PACK, GOOD["case"], "application", as_of=date(2025, 6, 1))
    b = dr.evaluate(PACK, json.loads(json.dumps(_written_differently(GOOD["case"]))), "application",
                    as_of=date(2025, 6, 1))
    assert a.decision_id != b.decision_id
    assert a.input_digest == b.input_digest == a.to_dict()["record"]["input_digest"]
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", a.input_digest)


def test_a_date_time_with_t_or_a_space_is_one_input() -> None:
    """docs/facts.md: a date-time is written ``YYYY-MM-DDTHH:MM`` or ``YYYY-MM-DD HH:MM``, seconds optional."""
    written = ["2025-03-01T08:30", "2025-03-01 08:30", "2025-03-01T08:30:00"]
    digests = {dr.evaluate(PACK, {"conduct": {"upload_fault_cleared_at": w}}, "conduct",
                           as_of=date(2025, 6, 1)).input_digest for w in written}
    assert len(digests) == 1
    other = dr.evaluate(PACK, {"conduct": {"upload_fault_cleared_at": "2025-03-01T08:31"}}, "conduct",
                        as_of=date(2025, 6, 1))
    assert other.input_digest not in digests


@pytest.mark.parametrize("change", ["fact", "as_of", "question", "pack"])
def test_a_different_input_has_another_digest(change: str) -> None:
    case = json.loads(json.dumps(GOOD["case"], default=str))
    pack, question, as_of = PACK, "application", date(2025, 6, 1)
    if change == "fact":
        case["institution"]["beds"] = 151
    elif change == "as_of":
        as_of = date(2025, 6, 2)
    elif change == "question":
        question = "deadlines"
    else:
        pack = dr.load_pack("jiangsu")
    assert dr.evaluate(pack, case, question, as_of=as_of).input_digest != good_decision().input_digest


# --- the fingerprint covers the calendar ---------------------------------------------------------------

def test_the_fingerprint_covers_the_calendar_packages() -> None:
    assert PACK.fingerprint == fingerprint_with(PACK.content_fingerprint, calendar_versions())
    newer = {**calendar_versions(), "chinesecalendar": "99.0.0"}
    assert fingerprint_with(PACK.content_fingerprint, newer) != PACK.fingerprint
    assert fingerprint_with(PACK.content_fingerprint, {**calendar_versions(), "tyme4py": "99.0.0"}) != PACK.fingerprint


def test_a_caller_supplied_arrangement_changes_the_fingerprint() -> None:
    arrangement = dr.YearArrangement(2027, frozenset({date(2027, 10, 1)}), frozenset(), "test notice")
    with_it = dr.load_pack("national", holidays=[arrangement])
    assert with_it.fingerprint != PACK.fingerprint
    assert with_it.content_fingerprint != PACK.content_fingerprint
    again = dr.load_pack("national", holidays=[arrangement])
    assert again.fingerprint == with_it.fingerprint  # and it is stable


# --- --log ------------------------------------------------------------------------------------------

def test_log_appends_one_valid_record_per_decision(capsys, tmp_path: Path) -> None:
    log = tmp_path / "decisions.jsonl"
    good = case_file(tmp_path, GOOD, "good.yaml")
    code, _, err = run(capsys, "evaluate", "--pack", "national", good, "--log", str(log))
    assert code == 0, err
    code, _, err = run(capsys, "explain", "--pack", "national", good, "--log", str(log))
    assert code == 0, err
    lines = log.read_text("utf-8").splitlines()
    assert len(lines) == 2
    records = [json.loads(x) for x in lines]
    for r in records:
        DecisionModel.model_validate_json(json.dumps(r["decision"]))
        assert r["log_version"] == 1 and r["input"]["pack"] == "national" and r["input"]["as_of"] == "2025-06-01"
        assert dr.parse_case(r["input"]["case"]) == dr.parse_case(GOOD["case"])  # the canonical case reads back
    assert [r["input"]["question"] for r in records] == ["application", "application"]
    assert [r["decision"]["outcome"] for r in records] == ["conditions_met"] * 2  # the scenario's expectation
    assert "trace" not in records[0]["decision"]["rules"][0] and "trace" in records[1]["decision"]["rules"][0]
    assert records[0]["decision"]["record"]["decision_id"] != records[1]["decision"]["record"]["decision_id"]
    entries = list(read_log(log))
    assert all(isinstance(e, LogEntry) for e in entries) and [e.line for e in entries] == [1, 2]


def test_the_logged_decision_is_the_printed_one(capsys, tmp_path: Path) -> None:
    log = tmp_path / "decisions.jsonl"
    code, out, err = run(capsys, "evaluate", "--pack", "national", case_file(tmp_path, UNLISTED), "--format", "json",
                         "--log", str(log))
    assert code == 0, err
    (printed,) = json.loads(out)["decisions"]
    (logged,) = [json.loads(x)["decision"] for x in log.read_text("utf-8").splitlines()]
    assert logged == printed
    assert printed["outcome"] == UNLISTED["expect"]["outcome"] and printed["fired"] == UNLISTED["expect"]["fired"]


def test_log_into_a_folder_or_a_pipe_is_a_clear_error(capsys, tmp_path: Path) -> None:
    good = case_file(tmp_path, GOOD)
    code, out, err = run(capsys, "evaluate", "--pack", "national", good, "--log", str(tmp_path))
    assert code == 2 and out == "" and err.startswith("error:") and "Traceback" not in err
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    code, out, err = run(capsys, "evaluate", "--pack", "national", good, "--log", str(fifo))  # never waits
    assert code == 2 and out == "" and "error:" in err


def _append_many(path: str, n: int) -> None:
    pack = dr.load_pack("national")
    with DecisionLog(path) as log:
        for _ in range(n):
            log.append(dr.evaluate(pack, GOOD["case"], "application", as_of=date(2025, 6, 1)), pack_ref="national")


def test_concurrent_appenders_never_interleave(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.jsonl")
    with ProcessPoolExecutor(4) as pool:
        list(pool.map(_append_many, [path] * 4, [60] * 4))
    lines = Path(path).read_bytes().split(b"\n")
    assert lines[-1] == b"" and len(lines) == 241
    ids = {json.loads(x)["decision"]["record"]["decision_id"] for x in lines[:-1]}
    assert len(ids) == 240


# --- verify -----------------------------------------------------------------------------------------

@pytest.fixture
def copied(tmp_path: Path) -> Path:
    """A copy of the national pack, the pack a log names by its folder."""
    target = tmp_path / "packs" / "national"
    shutil.copytree(NATIONAL, target)
    return target


def log_good(capsys, tmp_path: Path, pack: Path) -> Path:
    log = tmp_path / "log.jsonl"
    code, _, err = run(capsys, "evaluate", "--pack", str(pack), case_file(tmp_path, GOOD), "--log", str(log))
    assert code == 0, err
    return log


def test_verify_an_untouched_log_is_the_same(capsys, tmp_path: Path, copied: Path) -> None:
    log = log_good(capsys, tmp_path, copied)
    code, out, err = run(capsys, "verify", str(log))
    assert code == 0, err
    assert "相同" in out and "共核对 1 条记录：相同 1，不同 0，无法核对 0" in out
    code, out, _ = run(capsys, "verify", str(log), "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["summary"] == {"records": 1, "same": 1, "differs": 0, "error": 0}
    (v,) = data["records"]
    assert (v["status"], v["causes"], v["changes"], v["line"]) == ("same", [], [], 1)


def test_verify_reports_a_pack_change_and_what_it_changed(capsys, tmp_path: Path, copied: Path) -> None:
    log = log_good(capsys, tmp_path, copied)
    params = copied / "rules" / "parameters.yaml"
    text = params.read_text("utf-8")
    params.write_text(text.replace("      - general_hospital\n", "", 1), encoding="utf-8")  # off the art. 5 list
    code, out, err = run(capsys, "verify", str(log), "--format", "json")
    assert code == 1, err
    (v,) = json.loads(out)["records"]
    assert v["status"] == "differs" and v["causes"] == ["pack-changed"]
    assert v["old"]["outcome"] == GOOD["expect"]["outcome"]
    assert v["new"]["outcome"] == UNLISTED["expect"]["outcome"]
    assert v["now_fired"] == UNLISTED["expect"]["fired"] and v["no_longer_fired"] == []
    assert "outcome" in v["changes"] and "fired" in v["changes"]
    code, out, _ = run(capsys, "verify", str(log))
    assert code == 1
    assert "不同" in out and "原因：规则包已变更" in out
    assert "结论：符合申请条件 [conditions_met] → 不予受理 [not_accepted]" in out
    assert "现在触发：institution_type.eligible_types" in out


def _rewrite(log: Path, edit) -> None:
    record = json.loads(log.read_text("utf-8"))
    edit(record)
    log.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")


def test_verify_tells_a_calendar_change_from_a_pack_change(capsys, tmp_path: Path, copied: Path) -> None:
    """A decision made under another chinesecalendar release: its fingerprint was that of the same
    content with the old versions, so only the calendar changed (and this case's answer did not)."""
    log = log_good(capsys, tmp_path, copied)
    old = {**calendar_versions(), "chinesecalendar": "1.9.0"}
    installed = calendar_versions()["chinesecalendar"]

    def older_calendar(r: dict) -> None:
        d = r["decision"]
        d["record"]["calendar"] = old
        d["pack"]["fingerprint"] = fingerprint_with(dr.load_pack(copied).content_fingerprint, old)
        d["record"]["input_digest"] = input_digest("national", d["pack"]["fingerprint"], "application",
                                                   date(2025, 6, 1), dr.parse_case(r["input"]["case"]))
    _rewrite(log, older_calendar)
    (v,) = verify_log(log)
    assert (v.status, v.causes) == ("same", ("calendar-changed",))
    code, out, _ = run(capsys, "verify", str(log))
    assert code == 0 and "节假日历已变更" in out and f"节假日历：chinesecalendar 1.9.0 → {installed}\n" in out


def test_verify_names_an_engine_change_and_an_edited_input(capsys, tmp_path: Path, copied: Path) -> None:
    log = log_good(capsys, tmp_path, copied)

    def edit(r: dict) -> None:
        r["decision"]["record"]["engine_version"] = "0.0.9"
        r["input"]["case"]["institution"]["beds"] = 10  # not what was decided
    _rewrite(log, edit)
    (v,) = verify_log(log)
    assert v.causes == ("engine-changed", "input-mismatch")


def test_a_bad_line_is_located_and_verify_goes_on(capsys, tmp_path: Path, copied: Path) -> None:
    log = log_good(capsys, tmp_path, copied)
    good_line = log.read_text("utf-8")
    bad_case = json.loads(good_line)
    bad_case["input"]["case"]["institution"]["bedz"] = 3
    log.write_text("{not json\n" + good_line + json.dumps(bad_case) + "\n" + "[1, 2]\n", encoding="utf-8")
    code, out, err = run(capsys, "verify", str(log))
    assert code == 4
    assert f"{log.name}:1:2: error[json-syntax]" in err
    assert f"{log.name}:3:1: error[" in err and "input.case.institution" in err
    assert f"{log.name}:4:1: error[bad-log-record]" in err and "Traceback" not in err
    assert "log.jsonl:2  相同" in out and "共核对 4 条记录：相同 1，不同 0，无法核对 3" in out


def test_a_pack_that_no_longer_loads_exits_3(capsys, tmp_path: Path, copied: Path) -> None:
    log = log_good(capsys, tmp_path, copied)
    (copied / "pack.yaml").write_text("id: national\nname: [broken\n", encoding="utf-8")
    code, out, err = run(capsys, "verify", str(log), "--format", "json")
    assert code == 3 and "pack.yaml:" in err
    (v,) = json.loads(out)["records"]
    assert v["status"] == "error" and v["error"] == "pack" and v["diagnostics"]


def test_a_missing_log_exits_4(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "verify", str(tmp_path / "nope.jsonl"))
    assert code == 4 and "error[file-unreadable]: cannot read the log: No such file or directory" in err


def test_verify_runs_as_a_command(tmp_path: Path) -> None:
    """The real thing: two processes, one writing the log, one verifying it."""
    log = tmp_path / "log.jsonl"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    cmd = [sys.executable, "-m", "dingdian_rules"]
    written = subprocess.run(cmd + ["evaluate", "--pack", "national", case_file(tmp_path, UNLISTED), "--log", str(log)],
                             capture_output=True, text=True, env=env, timeout=120)
    assert written.returncode == 0, written.stderr
    assert "结论：不予受理  [not_accepted]" in written.stdout
    checked = subprocess.run(cmd + ["verify", str(log), "--format", "json"], capture_output=True, text=True, env=env,
                             timeout=120)
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout)["summary"]["same"] == 1


def test_a_callers_arrangement_is_logged_and_used_again(tmp_path: Path) -> None:
    """A pack loaded with a caller's arrangement (load_pack(holidays=...)) is re-loaded with it by
    verify: the record keeps it, so the fingerprints match and nothing is reported changed."""
    arrangement = dr.YearArrangement(2027, frozenset({date(2027, 1, 1)}), frozenset({date(2027, 1, 9)}), "notice")
    pack = dr.load_pack("national", holidays=[arrangement])
    log = tmp_path / "log.jsonl"
    with DecisionLog(log) as out:
        record = out.append(dr.evaluate(pack, GOOD["case"], "application", as_of=date(2025, 6, 1)),
                            pack_ref="national", holidays=[arrangement])
    assert record["input"]["holidays"] == [{"year": 2027, "holidays": ["2027-01-01"], "makeup_workdays": ["2027-01-09"],
                                            "source": "notice"}]
    (v,) = verify_log(log)
    assert (v.status, v.causes) == ("same", ())


def test_a_lone_surrogate_in_a_case_still_logs_one_utf8_line(tmp_path: Path) -> None:
    """JSON's "\\ud800" is valid text a case may carry (docs/cli.md); the log line escapes it."""
    case = {**json.loads(json.dumps(GOOD["case"], default=str)), "case_id": "\ud800x"}
    log = tmp_path / "log.jsonl"
    with DecisionLog(log) as out:
        out.append(dr.evaluate(PACK, case, "application", as_of=date(2025, 6, 1)))
    line = log.read_bytes().decode("utf-8")
    assert json.loads(line)["input"]["case"]["case_id"] == "\ud800x"
    (v,) = verify_log(log)
    assert v.status == "same" and v.causes == ()


@pytest.mark.parametrize("example", ["conduct_breach.yaml", "deadlines_national_day.yaml", "agreement_second_suspension.yaml"])
def test_verify_compares_what_the_decision_json_says(example: str) -> None:
    """verify builds the new side without every rule's JSON; it must read as the JSON would."""
    from dingdian_rules.evaluation.verification import _compared, summary_of
    case, extras = dr.load_case_file(ROOT / "examples" / example)
    d = dr.evaluate(PACK, case, extras["question"], as_of=date.fromisoformat(extras["as_of"]), trace=False)
    assert summary_of(_compared(d)) == summary_of(d.to_dict())
    assert summary_of(d.to_dict())["deadlines"] or summary_of(d.to_dict())["measures"] or example.startswith("agreement")


def test_a_forked_child_does_not_repeat_its_parents_ids() -> None:
    # the ids' random bits come from a per-process generator, reseeded in a forked child
    import multiprocessing
    from dingdian_rules.evaluation.identity import new_decision_id
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as pool:
        children = pool.map(_ids_in_child, range(4))
    mine = {new_decision_id() & ((1 << 74) - 1) for _ in range(200)}
    theirs = [{i & ((1 << 74) - 1) for i in ids} for ids in children]
    assert all(len(t) == 200 for t in theirs) and len(set().union(*theirs) | mine) == 200 * 5


def _ids_in_child(_: int) -> list[int]:
    from dingdian_rules.evaluation.identity import new_decision_id
    return [new_decision_id() for _ in range(200)]
