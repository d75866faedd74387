"""docs/facts.md is generated from the fact models; this keeps the two from drifting."""

from pathlib import Path

from dingdian_rules.render.facts_doc import facts_markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "facts.md"


def test_facts_doc_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8").strip() == facts_markdown().strip(), \
        "docs/facts.md is stale: run `python -m dingdian_rules.render.facts_doc > docs/facts.md`"


def test_every_fact_has_a_description() -> None:
    from dingdian_rules.facts.models import Case
    from dingdian_rules.render.facts_doc import _models
    undocumented = [f"{p}.{n}" for p, m in _models(Case) for n, f in m.model_fields.items()
                    if not f.description and m is not Case]
    assert undocumented == []
