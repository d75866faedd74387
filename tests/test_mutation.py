"""The mutation machinery of ``python -m bench.mutate`` (docs/testing.md), run on a few national
entries, and how the suite guarantees the two promises of issue 16, item 4.

**Changing any bundled parameter fails at least two tests.**

1. The pack lint runs at every load (``dingdian_rules.lint``): a parameter whose value does not
   stand in its own quote with its unit (3 / 三 with 年, 100 with 张床位 …) is a
   ``number-not-in-quote`` error, so the pack does not load. A pack that does not load fails
   every one of its scenario tests and those of the packs that inherit from it
   (tests/test_scenarios.py), ``tests/test_bundled_diagnostics.py`` and every property test that
   loads it. The lint is skipped only for a parameter that states how it is derived
   (``derivation:``), and the mutation run marks those.
2. Each pack's ``tests/boundaries.yaml`` (written by the pack engineers) holds, for every numeric
   parameter, a scenario just inside and one just outside the boundary, with the expected outcome
   read from the text: a value moved by one flips at least one of them, with the lint bypassed.
3. For the national numbers the review named, the property tests also fail (art. 12 bars,
   art. 6(3) beds, art. 6(1) operation, art. 43(1) count, art. 44 notice: tests/test_properties.py
   and tests/boundary_cases.py).

**Changing a rule's modality fails a test other than the scenario that names the rule.**

1. The lint refuses a modality the modal words of the rule's quote or of a further citation
   contradict (``modality-mismatch``: 应当/应/必须 shall, 可以/可 may, 不得/禁止 shall_not, none for
   effect). It cannot judge a rule that states ``modality_source:`` (the word stands in no
   quote), nor a quote that carries two modal words (可以中止…但…不得超过180日 admits both).
2. The boundary scenarios and the property tests assert outcomes, which depend on modality (a
   ``may`` rule never decides an outcome alone) without naming the rule; ``bench.mutate``
   reports, per rule, the failing scenarios that do not name it (``others``).
3. A time limit's modality decides nothing (deadlines are computed whatever it is), nor does a
   ``may`` option beside a ``shall`` rule of the same outcome, nor a measure rule's beside
   another that orders the same measure. For these the lint is the first test and a scenario of
   ``rulepacks/<pack>/tests/mutation_guards.yaml`` that states the modality as the text words it
   (``expect: modality:``) the second. When a time limit's quote carries two modal words
   (可以中止…但…不得超过180日), the lint reads the word nearest before the limit's number.

**Changing a citation's article or item fails.** ``python -m bench.mutate --kind citation``
moves every citation (``citation:``, ``also_cites:``, a parameter's, an override's …) one article
or item up and down. The quote check refuses the move when the quote does not stand in the new
place (``quote-outside-article`` …); a further citation of words the rule's own article says must
cite that article (``further-citation-elsewhere``); and where two articles open with the same
words (Jiangsu arts. 42 and 43), ``mutation_guards.yaml`` asserts the article a decision cites
(``expect: cited:``), in two scenarios with different items.

**A number no rule reads** (a fixed term, a deposit rate) shows in no decision: the lint is the
first test, and ``expect: parameters:`` in ``mutation_guards.yaml`` the second.

``python -m bench.mutate`` checks all of this over every bundled parameter and rule and exits 1
when a mutation is caught by fewer than two tests (the load refusal counted as one); its table
says which. The tests below run the same machinery on three national parameters and one rule,
quickly, and check that each is refused at load and that at least one scenario fails with the
lint bypassed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/ is not installed; pytest may run elsewhere
from bench import mutate  # noqa: E402
from dingdian_rules.packs.chain import bundled_root  # noqa: E402
from dingdian_rules.packs.loader import check_pack  # noqa: E402
from dingdian_rules.reading.yaml_reader import load_yaml  # noqa: E402

SAMPLE = [("violation_rescission_bar", "3", "2"),             # art. 12(5) 未满3年
          ("insurance_department_bed_threshold", "100", "101"),  # art. 6(3) 100张床位以上
          ("max_suspensions_per_term", "2", "3"),               # art. 43(1) 累计2次及以上
          ("rescission.principal_unable_or_dishonest", "shall", "may")]  # art. 43(10) 应解除


@pytest.fixture(scope="module")
def workspace():
    with mutate.Workspace(packs=["national"]) as ws:
        yield ws


@pytest.fixture(scope="module")
def national(workspace: mutate.Workspace) -> list[mutate.Mutation]:
    return mutate.mutations(["national"], workspace.root)


def test_every_numeric_parameter_and_every_rule_is_mutated(national: list[mutate.Mutation]) -> None:
    """Each numeric national parameter once up and once down (1 -> 0 included), each rule's
    modality once; lists (unit ``types``) are left alone; the order is the files' order."""
    params = [m for m in national if m.kind == "parameter"]
    rules = [m for m in national if m.kind == "rule"]
    assert len(params) == 2 * 17 and {m.target for m in params} >= {t for t, _, _ in SAMPLE[:3]}
    assert not {"eligible_institution_types", "eligible_licences"} & {m.target for m in params}
    assert len(rules) == len({m.target for m in rules}) == 69  # 62 + issue 9's procedural outcomes (3) and per-item limits (4)
    assert all(mutate.MODALITY_MUTANT[m.old] == m.new for m in rules)
    assert national == mutate.mutations(["national"], bundled_root())  # same list from the same files
    assert mutate.spread(national, 5) == mutate.spread(national, 5) and len(mutate.spread(national, 5)) == 5


def _find(national: list[mutate.Mutation], target: str, old: str, new: str) -> mutate.Mutation:
    [m] = [m for m in national if m.target == target and m.old == old and m.new == new]
    return m


@pytest.mark.parametrize("target, old, new", SAMPLE, ids=[s[0] for s in SAMPLE])
def test_a_mutation_is_refused_at_load_and_fails_a_scenario_with_the_lint_bypassed(
        workspace: mutate.Workspace, national: list[mutate.Mutation], target: str, old: str, new: str) -> None:
    m = _find(national, target, old, new)
    assert m.linted
    result = workspace.run(m, descendants=False)
    assert result.refused, result
    assert result.codes == ["number-not-in-quote" if m.kind == "parameter" else "modality-mismatch"]
    assert result.loads_bypassed, result.bypass_codes
    assert result.scenario_failures >= 1, result
    assert result.caught >= 2
    path = workspace.root / m.pack / m.file  # the copy is restored after the run
    assert path.read_bytes() == (bundled_root() / m.pack / m.file).read_bytes()


def test_the_mutant_text_changes_one_value_and_the_bypass_one_key(national: list[mutate.Mutation]) -> None:
    m = _find(national, *SAMPLE[1])
    original = (bundled_root() / m.pack / m.file).read_text(encoding="utf-8")
    for bypass in (False, True):
        doc, diags = load_yaml(mutate.mutated_text(original, m, bypass), m.file)
        assert doc is not None and not diags
        entry = doc.data["parameters"][m.path[1]]
        assert entry["value"] == 101 and ("derivation" in entry) == bypass
    before = load_yaml(original, m.file)[0].data
    after = load_yaml(mutate.mutated_text(original, m, True), m.file)[0].data
    del after["parameters"][m.path[1]]["derivation"]
    after["parameters"][m.path[1]]["value"] = 100
    assert after == before


def test_a_flow_style_entry_gets_the_bypass_inside_its_mapping() -> None:
    text = "parameters:\n  - {id: x, title: {zh: 期, en: x}, value: 7, unit: days, citation: {document: d, article: 1, quote: q}}\n"
    m = mutate.Mutation("p", "rules/x.yaml", "parameter", "x", ("parameters", 0, "value"), "7", "8", True)
    doc, diags = load_yaml(mutate.mutated_text(text, m, True), "x.yaml")
    assert doc is not None and not diags
    assert doc.data["parameters"][0]["value"] == 8 and doc.data["parameters"][0]["derivation"].startswith("mutation run")


def test_the_bundled_packs_are_never_touched(workspace: mutate.Workspace, national: list[mutate.Mutation]) -> None:
    """Mutants are written to the workspace's copy only; after the runs above the bundled national
    pack still loads without an error."""
    assert workspace.root.resolve() != bundled_root().resolve()
    assert not [d for d in check_pack("national") if d.severity == "error"]


def test_an_unknown_pack_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        mutate.main(["--pack", "atlantis"])
    assert exc.value.code == 2 and "not a bundled pack" in capsys.readouterr().err


def test_a_citation_moved_to_the_next_article_is_refused(workspace: mutate.Workspace) -> None:
    """The review's M13: art. 43(10) cited as art. 44 failed nothing; now the quote check refuses
    it at load, so every scenario of the pack fails too. Each citation's article is moved both
    ways, and its item when it names one."""
    cites = mutate.mutations(["national"], workspace.root, kinds=("citation",))
    assert all(m.kind == "citation" for m in cites)
    [m] = [m for m in cites if m.target == "rescission.principal_unable_or_dishonest citation.article"
           and m.new == str(int(m.old) + 1)]
    assert (m.old, m.new) == ("43", "44")
    result = workspace.run(m, descendants=False)
    assert result.refused and result.codes == ["quote-outside-article"], result
    assert result.scenario_failures >= 2 and result.caught >= 2
    items = [c for c in cites if c.target == "rescission.principal_unable_or_dishonest citation.item"]
    assert sorted(c.new for c in items) == ["11", "9"]
    path = workspace.root / m.pack / m.file
    assert path.read_bytes() == (bundled_root() / m.pack / m.file).read_bytes()


def test_a_further_citation_of_shared_words_cannot_move() -> None:
    """Qinghai art. 65's consequence 甲方不予支付或追回已支付的医保费用 also closes art. 66: a further
    citation of those words in art. 65, moved to art. 66, would pass the quote check alone; it is
    refused as further-citation-elsewhere. (The bundled rules that once carried such a citation were
    replaced by the item-code rules of issue 10, so the workspace gives measures.tier3.items one.)"""
    with mutate.Workspace(packs=["qinghai_agreement"]) as ws:
        tiers = ws.root / "qinghai_agreement" / "rules" / "tiers.yaml"
        text = tiers.read_text(encoding="utf-8")
        head = text.index("- id: measures.tier3.items")
        at = text.index("  modality: shall\n", head)
        tiers.write_text(text[:at] + "  also_cites:\n  - {document: qinghai_agreement_2025, article: 65, "
                         "quote: 甲方不予支付或追回已支付的医保费用}\n" + text[at:], encoding="utf-8")
        cites = mutate.mutations(["qinghai_agreement"], ws.root, kinds=("citation",))
        [m] = [m for m in cites if m.target == "measures.tier3.items also_cites.0.article" and m.new == "66"]
        result = ws.run(m, descendants=False)
    assert result.codes == ["further-citation-elsewhere"], result
