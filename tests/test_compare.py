"""``compare`` and ``compare_frame``: packs compared on one population. The reference is the per-case
evaluator: each registry row is evaluated with ``dr.evaluate`` under each pack, and the counts per
pack, the set of differing rows, the rows written out (outcome, fired and undetermined rules per
pack), the outcome changes between two packs and the rules responsible for them must all be what
those decisions say. The registry comes from ``dingdian_rules.testing.registry`` (seeded), read as
Parquet, JSON Lines and CSV, a few chunks at a time."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from collections import Counter
from html.parser import HTMLParser
from itertools import combinations
from pathlib import Path

import pytest

pl = pytest.importorskip("polars")
pytest.importorskip("pyarrow")

import dingdian_rules as dr  # noqa: E402
from dingdian_rules.cli import main  # noqa: E402
from dingdian_rules.population import compare_file  # noqa: E402
from dingdian_rules.testing.registry import arrow_table, as_entry, registry_rows, write_registry  # noqa: E402

PACKS = ("national", "jiangsu", "guangdong_foshan")
QUESTION = "application"
COUNT, SEED, CHUNK = 120, 7, 64  # two chunks, the last one short


@pytest.fixture(scope="module")
def packs() -> dict[str, dr.ResolvedPack]:
    return {p: dr.load_pack(p) for p in PACKS}


@pytest.fixture(scope="module")
def reference(packs: dict[str, dr.ResolvedPack]) -> dict[int, dict[str, dr.Decision]]:
    """Row number (1-based in the file) -> pack -> the per-case decision, for the rows asking the question."""
    out = {}
    for n, row in enumerate(registry_rows(COUNT, seed=SEED, unknown_rate=0.03), 1):
        if row["question"] != QUESTION:
            continue
        entry = as_entry(row)
        case = dr.parse_case(entry["case"])
        out[n] = {p: dr.evaluate(pack, case, QUESTION, as_of=entry["as_of"], trace=False) for p, pack in packs.items()}
    return out


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("registry")
    out = {}
    for ext in ("parquet", "jsonl", "csv"):
        out[ext] = d / f"registry.{ext}"
        write_registry(out[ext], COUNT, seed=SEED, unknown_rate=0.03)
    return out


def _differing(reference: dict[int, dict[str, dr.Decision]]) -> set[int]:
    return {n for n, ds in reference.items() if len({d.outcome for d in ds.values()}) > 1}


def _read(path: Path) -> list[dict]:
    if path.suffix == ".parquet":
        return pl.read_parquet(path).to_dicts()
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    rows = pl.read_csv(path, infer_schema=False).to_dicts()  # lists as JSON text in their cells
    return [{k: json.loads(v) if k == "row" or k.endswith((".fired", ".undetermined", ".missing_facts")) else v
             for k, v in r.items()} for r in rows]


@pytest.fixture(scope="module")
def runs(files: dict[str, Path], packs: dict, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple]:
    """Each input format compared once, its differing rows written in the same format: (result, file)."""
    d = tmp_path_factory.mktemp("differing")
    out = {}
    for fmt in ("parquet", "jsonl", "csv"):
        path = d / f"differing.{fmt}"
        out[fmt] = (compare_file(list(packs.values()), str(files[fmt]), QUESTION, output=str(path), chunk_rows=CHUNK),
                    path)
    return out


@pytest.mark.parametrize("fmt", ["parquet", "jsonl", "csv"])
def test_counts_and_differing_rows_are_the_per_case_evaluators(fmt: str, runs: dict, reference: dict) -> None:
    result, out = runs[fmt]
    assert result.rows == len(reference) and result.skipped == COUNT - len(reference)
    for p in PACKS:
        assert result.outcomes[p] == dict(Counter(ds[p].outcome for ds in reference.values())), p
    differing = _differing(reference)
    assert result.differing == len(differing) > 0
    written = _read(out)
    assert [r["row"] for r in written] == sorted(differing)
    for r in written:
        assert r["id"] == f"R{r['row']:07d}"
        for p in PACKS:
            d = reference[r["row"]][p]
            assert (r[f"{p}.outcome"], r[f"{p}.fired"], r[f"{p}.undetermined"], r[f"{p}.missing_facts"]) == (
                d.outcome, list(d.fired), list(d.unknown), list(d.missing_facts)), (r["row"], p)
    assert [s["row"] for s in result.sample] == sorted(differing)[:len(result.sample)]


def test_the_facts_of_a_differing_row_are_written_with_it(runs: dict) -> None:
    rows = {n: r for n, r in enumerate(registry_rows(COUNT, seed=SEED, unknown_rate=0.03), 1)}
    written = pl.read_parquet(runs["parquet"][1]).to_dicts()
    assert written
    for r in written:
        assert r["institution.type"] == rows[r["row"]]["institution.type"]
        assert r["application.materials"] == rows[r["row"]]["application.materials"]


def _deciding(d: dr.Decision) -> set[tuple[str, str]]:
    return {(r, "?") for r in d.unknown} if d.outcome == "undetermined" else {(r, "!") for r in d.fired}


def test_outcome_changes_and_the_rules_responsible(reference: dict, runs: dict) -> None:
    """For each pair of packs, each (outcome under A, outcome under B) counts its rows, and each side
    the rules deciding it that do not decide the other side the same way (fired / unknown)."""
    expected: dict[tuple, list] = {}
    for ds in reference.values():
        for a, b in combinations(PACKS, 2):
            da, db = ds[a], ds[b]
            if da.outcome == db.outcome:
                continue
            e = expected.setdefault((a, b, da.outcome, db.outcome), [0, Counter(), Counter()])
            e[0] += 1
            e[1].update(r for r, _ in _deciding(da) - _deciding(db))
            e[2].update(r for r, _ in _deciding(db) - _deciding(da))
    result = runs["parquet"][0]
    got = {(t.a, t.b, t.outcome_a, t.outcome_b): [t.rows, Counter(dict(t.rules_a)), Counter(dict(t.rules_b))]
           for t in result.transitions}
    assert got == expected
    assert any(e[2] for e in expected.values())  # the check sees responsible rules


def test_compare_frame_in_memory_gives_the_same_answer(runs: dict, reference: dict) -> None:
    table = arrow_table(list(registry_rows(COUNT, seed=SEED, unknown_rate=0.03)))
    on_file = runs["parquet"][0]
    in_memory = dr.compare_frame(list(PACKS), table, QUESTION)
    assert in_memory.outcomes == on_file.outcomes and in_memory.transitions == on_file.transitions
    assert in_memory.differing_rows.get_column("row").to_list() == sorted(_differing(reference))


def _cli(argv: list[str], cwd: Path | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def _args(files: dict[str, Path], *more: str) -> list[str]:
    return ["compare", "--packs", "national,jiangsu", "--input", str(files["parquet"]), "--question", QUESTION,
            "--chunk-rows", "1000", *more]


def test_the_report_is_chinese_by_default_and_english_with_lang_en(files: dict[str, Path]) -> None:
    code, zh, _ = _cli(_args(files))
    assert code == 0
    assert "结论不同的行" in zh and "符合申请条件 [conditions_met]" in zh and "能够独立承担民事责任" in zh
    code, en, _ = _cli(_args(files, "--lang", "en"))
    assert code == 0 and "Rows decided differently" in en and "conditions met" in en
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in en.split("Outcomes per pack")[1].split("\n")[1])
    code, md, _ = _cli(_args(files, "--format", "md"))
    assert code == 0 and md.startswith("# 规则包在同一人群上的比较") and "| 结论 | `national` |" in md
    _, json_zh, _ = _cli(_args(files, "--format", "json"))
    _, json_en, _ = _cli(_args(files, "--format", "json", "--lang", "en"))
    assert json_zh == json_en  # codes, whatever the language
    data = json.loads(json_zh)
    assert data["question"] == QUESTION and [p["id"] for p in data["packs"]] == ["national", "jiangsu"]
    assert set(data["outcomes"]["national"]) <= set(dr.render.OUTCOME_LABELS)


class _Strict(HTMLParser):
    """Every element closed in order (void elements aside); the text of the page."""

    VOID = {"meta", "br", "img", "input", "link", "hr"}

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.tags: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack.pop() == tag, f"</{tag}> closes nothing open"

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_the_html_page_parses_and_escapes_what_it_shows(tmp_path: Path) -> None:
    rows = list(registry_rows(60, seed=SEED, unknown_rate=0.03))
    for r in rows:
        r["id"] = f"<script>alert('{r['id']}')</script>"
        r["institution.can_bear_civil_liability"] = False  # Jiangsu art. 6 only: the packs differ on these rows
    path = tmp_path / "registry.parquet"
    import pyarrow.parquet as pq
    pq.write_table(arrow_table(rows), path)
    report = tmp_path / "compare.html"
    code, _, err = _cli(["compare", "--packs", "national,jiangsu", "--input", str(path), "--question", QUESTION,
                         "--format", "html", "--report", str(report)])
    assert code == 0, err
    text = report.read_text(encoding="utf-8")
    page = _Strict(text)
    assert page.stack == [] and page.tags.count("script") == 1  # the page's own script, not the ids
    assert "&lt;script&gt;alert(" in text
    shown = "".join(page.text)
    assert "规则包在同一人群上的比较" in shown and "能够独立承担民事责任" in shown
    assert "<script>alert(" in shown  # the id, as text
    _, _, _ = _cli(["compare", "--packs", "national,jiangsu", "--input", str(path), "--question", QUESTION,
                    "--format", "html", "--lang", "en", "--report", str(report)])
    assert "Packs compared on one population" in report.read_text(encoding="utf-8")


@pytest.mark.parametrize("argv, code, says", [
    (["--packs", "national"], 2, "at least two packs"),
    (["--packs", "national,national"], 2, "named twice"),
    (["--packs", "national,nosuch"], 3, "pack-not-found"),
    (["--packs", "national,jiangsu", "--question", "applic"], 2, "invalid choice"),
    (["--packs", "national,jiangsu", "--output", "out.xlsx"], 2, "name it .parquet, .jsonl or .csv"),
])
def test_bad_command_lines_say_what_is_wrong(argv: list[str], code: int, says: str, files: dict[str, Path]) -> None:
    full = ["compare", "--input", str(files["parquet"]), "--question", QUESTION, *argv]
    if "--question" in argv:
        full = ["compare", "--input", str(files["parquet"]), *argv]
    got, _, err = _cli(full)
    assert got == code and says in err, err


def test_a_question_the_engine_cannot_express_is_refused_before_any_row(files: dict[str, Path],
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # every bundled pack x question compiles (test_columnar_differential), so a compiler that
    # refuses one rule stands in for a pack using a construct the engine lacks
    from dingdian_rules.columnar import ColumnarUnsupported
    from dingdian_rules.population import compare as population

    def refuse(pack, question, *args, **kwargs):
        if pack.id == "jiangsu":
            raise ColumnarUnsupported("eligibility.civil_liability", "day_in_year(…)")
        return []
    monkeypatch.setattr(population, "compile_question", refuse)
    read = []
    monkeypatch.setattr(population, "iter_frames", lambda *a, **k: read.append(a) or iter(()))
    code, _, err = _cli(_args(files))
    assert code == 2 and "jiangsu" in err and "eligibility.civil_liability" in err and "day_in_year" in err, err
    assert "--engine case" in err or "per case" in err
    assert not read  # refused before the input is read


def test_bad_inputs_are_located(tmp_path: Path) -> None:
    bad_column = tmp_path / "bad.parquet"
    pl.DataFrame({"id": ["a"], "institution.bedz": [3]}).write_parquet(bad_column)
    code, _, err = _cli(["compare", "--packs", "national,jiangsu", "--input", str(bad_column), "--question", QUESTION])
    assert code == 4 and "error[bad-column]" in err and "institution.bedz" in err
    wrong_type = tmp_path / "double.parquet"
    pl.DataFrame({"institution.beds": [3.5]}).write_parquet(wrong_type)
    code, _, err = _cli(["compare", "--packs", "national,jiangsu", "--input", str(wrong_type), "--question", QUESTION])
    assert code == 4 and "error[bad-column]" in err and "institution.beds" in err
    bad_row = tmp_path / "bad.jsonl"
    bad_row.write_text('{"case": {"institution": {"beds": 3}}}\n{"case": {"institution": {"beds": "many"}}}\n',
                       encoding="utf-8")
    code, _, err = _cli(["compare", "--packs", "national,jiangsu", "--input", str(bad_row), "--question", QUESTION])
    assert code == 4 and "bad.jsonl:2:" in err
    code, _, err = _cli(["compare", "--packs", "national,jiangsu", "--input", str(tmp_path / "none.parquet"),
                         "--question", QUESTION])
    assert code == 4 and "no such file" in err


def test_a_struct_or_list_item_lacking_fields_reads_them_as_unknown(packs: dict) -> None:
    """The registry's evaluation items have no procedure_terminated_on, which Foshan's reevaluation
    bar reads: the field is unknown (null), as the per-case evaluator has it, not an error."""
    rows = [r for r in registry_rows(40, seed=SEED) if r["question"] == QUESTION]
    result = dr.compare_frame(["national", "guangdong_foshan"], arrow_table(rows), QUESTION)
    assert result.rows == len(rows)


def test_importing_the_population_package_does_not_load_polars() -> None:
    code = ("import sys, dingdian_rules as dr, dingdian_rules.population as p; dr.__dir__(); "
            "assert not any(m.split('.')[0] in ('polars', 'pyarrow') for m in sys.modules), 'polars loaded'")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


def test_the_chinese_report_has_no_english_sentences(files: dict[str, Path]) -> None:
    """The analyst's report is Chinese: what stays Latin is codes, ids, pack ids and paths
    (tests/english_words.py says which)."""
    from english_words import english_words
    names = frozenset(PACKS) | set(dr.render.OUTCOME_LABELS) | set(dr.QUESTIONS) | {"compare", "id"}
    for fmt in ("text", "md"):
        code, out, _ = _cli(_args(files, "--format", fmt))
        assert code == 0 and english_words(out, names, frozenset()) == [], fmt


def test_a_given_as_of_wins_over_the_rows_own(packs: dict) -> None:
    """``--as-of`` / ``as_of=``: every row is evaluated on that day, as ``dr.evaluate`` is told it."""
    from datetime import date
    day = date(2027, 3, 1)  # the registry's rows say 2025-06-01; periods and bars move with the day
    rows = [r for r in registry_rows(50, seed=SEED + 1, unknown_rate=0.03) if r["question"] == QUESTION]
    result = dr.compare_frame([packs["national"], packs["guangdong_foshan"]], arrow_table(rows), QUESTION, as_of=day)
    for p in ("national", "guangdong_foshan"):
        expected = Counter(dr.evaluate(packs[p], dr.parse_case(as_entry(r)["case"]), QUESTION, as_of=day,
                                       trace=False).outcome for r in rows)
        assert result.outcomes[p] == dict(expected), p
    assert result.as_of == day and json.loads(result.to_json())["as_of"] == "2027-03-01"
