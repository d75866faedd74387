"""Regression tests for the defects the project's fuzz suite found (bench/fuzz; docs/reliability.md).

Each test fails on the code before its fix and names the fuzz input that found it.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import date
from pathlib import Path

import pytest

import dingdian_rules as dr
from dingdian_rules.analysis.coverage import coverage_report
from dingdian_rules.analysis.validation import validate_pack

FIX = Path(__file__).parent / "fixtures" / "packs"


def _chain(tmp_path: Path, n: int) -> Path:
    """``base`` and ``n`` packs above it, each extending the one before."""
    shutil.copytree(FIX / "base", tmp_path / "base")
    parent = "base"
    for i in range(1, n + 1):
        folder = tmp_path / f"p{i}"
        folder.mkdir()
        (folder / "pack.yaml").write_text(f"id: p{i}\nname: {{zh: 子, en: p}}\nlevel: city\nextends: {parent}\n",
                                          encoding="utf-8")
        parent = f"p{i}"
    return tmp_path / f"p{n}"


def test_a_chain_of_more_than_eight_packs_is_located_at_the_extends_that_names_the_ninth(tmp_path):
    """Found by the `packs` category (operator `extends`, nine stub packs above a bundled leaf):
    the error stood at a folder path with no line, the one unlocated pack diagnostic left."""
    leaf = _chain(tmp_path, 8)  # p8 -> ... -> p1 -> base: nine packs
    [d] = [d for d in dr.check_pack(leaf) if d.severity == "error"]
    assert d.code == "inheritance-too-deep"
    text = (tmp_path / "p1" / "pack.yaml").read_text(encoding="utf-8").splitlines()
    line = next(i for i, t in enumerate(text, 1) if t.startswith("extends:"))
    assert (Path(d.location.file), d.location.line, d.location.column) == (tmp_path / "p1" / "pack.yaml", line, 10)
    assert d.path == "extends" and d.hint
    assert "p8 -> p7" in d.message and d.message.endswith("-> base")


@pytest.mark.parametrize("kind", ["fifo", "folder", "device", "dangling link"])
def test_a_coverage_file_that_is_not_a_regular_file_is_refused_not_skipped(tmp_path, kind):
    """Found by the `packs` category (operator `special-file` on coverage.yaml): validate said
    `ok` and `coverage` counted every article unaccounted, as if there were no coverage file."""
    if kind == "fifo" and not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    pack = tmp_path / "national"
    shutil.copytree(dr.packs.chain.bundled_root() / "national", pack, ignore=shutil.ignore_patterns("tests"))
    path = pack / "coverage.yaml"
    path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    elif kind == "device":
        path.symlink_to(os.devnull)
    else:
        path.symlink_to(tmp_path / "nowhere")
    found = validate_pack(pack).errors
    assert [(d.code, d.location.file) for d in found] == [("file-unreadable", str(path))]
    report = coverage_report(dr.load_pack(pack))
    assert [d.code for d in report.diagnostics if d.severity == "error"] == ["file-unreadable"]


@pytest.mark.parametrize("arrangement,message", [
    ("{year: 2400, holidays: ['2025-10-01'], source: x}", "a date in another year"),
    ("{year: 2027, holidays: ['2027-01-01'], makeup_workdays: ['2027-01-01'], source: x}",
     "both a holiday and a make-up working day"),
    ("{year: 2028, holidays: [], makeup_workdays: ['2028-01-04'], source: x}", "is a weekday"),
])
def test_a_wrong_holiday_arrangement_in_pack_yaml_is_a_located_error_not_a_value_error(tmp_path, arrangement, message):
    """Found by the `packs` category (operator `holidays`): load_pack raised the ValueError of
    timecalc.YearArrangement from inside the loader, a traceback for `validate`."""
    pack = tmp_path / "national"
    shutil.copytree(dr.packs.chain.bundled_root() / "national", pack, ignore=shutil.ignore_patterns("tests"))
    meta = pack / "pack.yaml"
    text = meta.read_text(encoding="utf-8")
    assert "holidays: []" in text
    meta.write_text(text.replace("holidays: []", f"holidays:\n  - {arrangement}"), encoding="utf-8")
    with pytest.raises(dr.PackError) as info:
        dr.load_pack(pack)
    [d] = [d for d in info.value.diagnostics if d.severity == "error"]
    line = text.splitlines().index("holidays: []") + 2
    assert (d.code, d.location.file, d.location.line) == ("invalid-value", str(meta), line)
    assert message in d.message and d.path.startswith("holidays[0].")


@pytest.mark.parametrize("amount", [1e16, 1e20, 1e308, 1e-05, 5e-324, 12345.5])
def test_the_supervisor_takes_any_finite_amount_and_agrees_with_the_native_evaluator(amount):
    """Found by the `events` category (a conduct_found with loss_amount 1e308 under
    jiangsu_nantong): durable_rules' parser refuses the exponent json.dumps writes for floats from
    1e16 and below 1e-4 (`error: Could not assert fact, error code: 204`), a traceback from post()."""
    from dingdian_rules.supervisor.events import fold
    from dingdian_rules.supervisor import Supervisor

    events = [{"type": "term_started", "institution_id": "b", "on": "2024-01-24", "term_end": "2024-12-31"},
              {"type": "conduct_found", "institution_id": "b", "on": "2024-01-29",
               "conduct": {"split_or_nominal_admission": True, "loss_amount": amount}}]
    with Supervisor("jiangsu_nantong") as sup:
        for e in events:
            sup.post(e)
        got = sup.decisions("b")
        native = fold(sup.history("b"), sup.clock_of("b"))
        for q in ("agreement", "conduct"):
            want = dr.evaluate(sup.pack, native, q, as_of=sup.clock_of("b"), trace=False)
            assert (got[q].outcome, got[q].fired) == (want.outcome, want.fired)
        assert "measures.tier2.fund_loss" in got["conduct"].fired  # conduct.loss_amount > 0, compared in durable_rules


def test_facts_reach_durable_rules_with_their_values():
    """What the engine compares is the number sent: a fraction before every exponent, and an
    integer beyond 64 bits (which the engine would saturate) as the nearest float."""
    from dingdian_rules.supervisor.engine import wire_json

    assert wire_json({"a": 1e16, "b": 1e-05, "c": 1.5e300, "d": 2**70, "e": 3, "f": True, "g": "?", "h": 0.1}) == (
        '{"a": 1.0e+16, "b": 1.0e-05, "c": 1.5e+300, "d": 1.1805916207174113e+21, "e": 3, "f": true, "g": "?", '
        '"h": 0.1}')


def test_a_lone_surrogate_in_a_source_documents_text_does_not_stop_the_fingerprint(tmp_path):
    """Found by the `packs` category (operator `unicode-text`, sources[0].issuer += '\\udfff'):
    the pack loaded, then its fingerprint (and so every decision) raised UnicodeEncodeError."""
    pack = tmp_path / "national"
    shutil.copytree(dr.packs.chain.bundled_root() / "national", pack, ignore=shutil.ignore_patterns("tests"))
    meta = pack / "pack.yaml"
    text = meta.read_text(encoding="utf-8")
    assert "    issuer: 国家医疗保障局\n" in text
    meta.write_text(text.replace("    issuer: 国家医疗保障局\n", '    issuer: "国家医疗\\udfff保障局"\n'), encoding="utf-8")
    loaded = dr.load_pack(pack)
    assert loaded.sources["nhsa_order_2"].document.issuer == "国家医疗\udfff保障局"
    assert loaded.fingerprint.startswith("sha256:") and loaded.fingerprint != dr.load_pack("national").fingerprint
    case = dr.load_case_file(Path(__file__).parents[1] / "examples" / "application_clinic.yaml")[0]
    assert dr.evaluate(loaded, case, "application").to_dict()["pack"]["fingerprint"] == loaded.fingerprint


@pytest.mark.parametrize("written", ["!!float 19", "19.0", "'19'", "true"])
def test_coverage_files_are_read_strictly_like_the_rest_of_a_pack(tmp_path, written):
    """Found by the `packs` category (operator `anchor-tag`, `!!float` on a coverage.yaml article):
    coverage.yaml was read in pydantic's lax mode, so `19.0`, `'19'` and even `true` (article 1)
    were silently taken as article numbers (the review's D4, in the one pack file it missed)."""
    pack = tmp_path / "national"
    shutil.copytree(dr.packs.chain.bundled_root() / "national", pack, ignore=shutil.ignore_patterns("tests"))
    cov = pack / "coverage.yaml"
    text = cov.read_text(encoding="utf-8")
    assert "{article: 19, " in text
    cov.write_text(text.replace("{article: 19, ", "{article: " + written + ", ", 1), encoding="utf-8")
    line = next(i for i, t in enumerate(cov.read_text(encoding="utf-8").splitlines(), 1) if "{article: " + written in t)
    found = validate_pack(pack).errors
    assert [(d.code, d.location.line) for d in found] == [("type-mismatch", line)]
    assert [d.code for d in coverage_report(dr.load_pack(pack)).diagnostics if d.severity == "error"] == ["type-mismatch"]


def test_a_parent_whose_pack_yaml_is_a_dangling_link_is_an_error_not_the_bundled_pack(tmp_path):
    """Found by the `packs` category (operator `special-file`, national/pack.yaml a dangling link
    beside qinghai_agreement): the child loaded with the bundled national instead, silently."""
    for pid in ("national", "qinghai_agreement"):
        shutil.copytree(dr.packs.chain.bundled_root() / pid, tmp_path / pid, ignore=shutil.ignore_patterns("tests"))
    meta = tmp_path / "national" / "pack.yaml"
    meta.unlink()
    meta.symlink_to(tmp_path / "moved-away.yaml")
    with pytest.raises(dr.PackError) as info:
        dr.load_pack(tmp_path / "qinghai_agreement")
    assert [(d.code, d.location.file) for d in info.value.diagnostics if d.severity == "error"] == [
        ("file-unreadable", str(meta))]


@pytest.mark.parametrize("loss", [1e308, 1.7976931348623157e308, 12345.5])
def test_a_damages_amount_of_a_huge_loss_is_a_number_json_can_hold(loss):
    """Found by hand, following up the `events` finding on loss_amount (the fuzzer's JSON check
    then took NaN and Infinity for JSON; it is strict now): base × rate overflowed before the
    division by 100, so max_amount was inf and the decision's JSON held `Infinity`, which is not
    JSON (the share itself, 20% of the loss, is an ordinary number)."""
    pack = dr.load_pack("jiangsu")
    case = dr.parse_case({"conduct": {"split_or_nominal_admission": True, "loss_amount": loss}})
    d = dr.evaluate(pack, case, "conduct", as_of=date(2025, 6, 1))
    [m] = [m for m in d.measures if m.measure_id == "liquidated_damages"]
    rate = pack.parameters["tier2_damages_max_rate"].value
    assert m.base_amount == loss and m.max_amount == pytest.approx(loss / 100 * rate)
    if loss < 1e300:
        assert m.max_amount == round(loss * rate / 100, 2)  # an ordinary amount exactly as before
    json.dumps(d.to_dict(), allow_nan=False)  # strict JSON: no Infinity


@pytest.mark.parametrize("name", ["sources/national\\ud800.txt", "sources/na\\0tional.txt"])
def test_a_file_name_no_file_can_have_is_a_missing_file_not_a_traceback(tmp_path, name):
    """Found by the `packs` category (operator `unicode-text`, sources[0].file += '\\ud800'):
    reading the source raised UnicodeEncodeError (a NUL in the name: ValueError) out of load_pack."""
    pack = tmp_path / "national"
    shutil.copytree(dr.packs.chain.bundled_root() / "national", pack, ignore=shutil.ignore_patterns("tests"))
    meta = pack / "pack.yaml"
    text = meta.read_text(encoding="utf-8")
    meta.write_text(text.replace("file: sources/national_nhsa_order_2_2020.txt", f'file: "{name}"'), encoding="utf-8")
    with pytest.raises(dr.PackError) as info:
        dr.load_pack(pack)
    assert [d.code for d in info.value.diagnostics if d.severity == "error"] == ["file-missing"]


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_a_case_file_name_no_file_can_have_is_unreadable_not_a_traceback(suffix):
    for name in ("case\0" + suffix, "case\ud800" + suffix):
        with pytest.raises(dr.CaseError) as info:
            dr.load_case_file(name)
        assert [d.code for d in info.value.diagnostics] == ["file-unreadable"]


def test_a_traced_value_past_the_largest_float_is_written_as_json_can_hold():
    """Found by the `cases` category (conduct.drug_sales[0].purchase_price = 1e+308 under
    qinghai_agreement): `d.purchase_price * (100 + $markup_rate_low)` is inf, and the trace of
    the decision's JSON held `Infinity`, which is not JSON. The decision itself is unchanged."""
    pack = dr.load_pack("qinghai_agreement")
    case = dr.parse_case({"institution": {"is_public": False},
                          "conduct": {"drug_sales": [{"purchase_price": 1e308, "sale_price": 5.0}]}})
    d = dr.evaluate(pack, case, "conduct", as_of=date(2025, 6, 1), trace=True)
    text = json.dumps(d.to_dict(), allow_nan=False)  # strict JSON: raised ValueError before
    assert '"Infinity"' in text
    assert d.outcome == dr.evaluate(pack, case, "conduct", as_of=date(2025, 6, 1), trace=False).outcome


def test_a_condition_shared_from_a_load_still_in_progress_counts_its_time_limit(tmp_path, monkeypatch):
    """Found by the `threads` category (3-5 threads loading their own copies of jiangsu,
    guangdong_zhongshan, national..., a cache-clearing thread): `AttributeError: 'NoneType'
    object has no attribute 'deadline'` from deadlines.py. A condition naming a time limit is
    shared between packs whose limit has the same signature, and it holds the time-limit
    reference of the load that compiled it; that reference is bound only at the end of that load.
    A second load that reused the condition in between evaluated an unbound reference. Here the
    first load is held just before it binds its limits while a second one loads and evaluates."""
    import threading

    from dingdian_rules.packs import loader, resolving

    copy = tmp_path / "national"
    shutil.copytree(dr.packs.chain.bundled_root() / "national", copy, ignore=shutil.ignore_patterns("tests"))
    inside, release = threading.Event(), threading.Event()
    bind = resolving._bind_limits

    def held(*args, **kwargs):
        if threading.current_thread().name == "first":
            inside.set()
            release.wait(60)
        return bind(*args, **kwargs)

    monkeypatch.setattr(resolving, "_bind_limits", held)
    loader.clear_caches()  # nothing compiled yet: the first load compiles the conditions
    first = threading.Thread(target=dr.load_pack, args=(copy,), name="first")
    first.start()
    try:
        assert inside.wait(60)
        pack = dr.load_pack("national")
        # art. 44: a request to suspend filed a month before it takes effect, under 3 months' notice
        case = {"request": {"kind": "suspend", "filed_on": "2025-05-01", "effective_on": "2025-06-01"}}
        d = dr.evaluate(pack, case, "request", as_of=date(2025, 6, 1))
        assert "request_limit.insufficient_notice" in d.fired
    finally:
        release.set()
        first.join(60)
    loader.clear_caches()


def test_an_emptied_source_text_that_no_quote_cites_is_refused(tmp_path):
    """bench.fuzz run F (seed 5, packs chunk 5140): jiangsu_nantong's source text emptied still
    loaded, since no quote cites 通医保发〔2023〕67号 and so nothing read its articles. A source text
    with no text is now refused on its own (source-empty), located at its file: in pack.yaml."""
    for pid in ("national", "jiangsu", "jiangsu_nantong"):
        shutil.copytree(dr.packs.chain.bundled_root() / pid, tmp_path / pid, ignore=shutil.ignore_patterns("tests"))
    (tmp_path / "jiangsu_nantong" / "sources" / "jiangsu_sybg_2023_3_with_nantong_forward.txt").write_bytes(b"")
    report = validate_pack(tmp_path / "jiangsu_nantong")
    errors = [d for d in report.diagnostics if d.severity == "error"]
    assert [d.code for d in errors] == ["source-empty"]
    assert Path(errors[0].location.file).name == "pack.yaml" and errors[0].location.line == 15
    with pytest.raises(dr.PackError):
        dr.load_pack(tmp_path / "jiangsu_nantong")
