"""Hypothesis strategies for property tests of rule packs and of code that uses decisions: valid
cases (``case_strategies``), the shape of a case and the values its facts are drawn from
(``fact_values``), and what a pack's conditions read (``pack_reads``); and a synthetic registry of
institutions for batch and columnar runs (``registry``, no hypothesis needed); import them from here
(``from dingdian_rules.testing import cases``). The package needs the ``test`` extra
(``pip install 'dingdian-rules[test]'``); importing ``dingdian_rules`` itself never does.

May import: anything in the package except cli.
"""

from __future__ import annotations

try:  # before any module of the package, each of which imports hypothesis: a missing extra is named here
    from hypothesis import strategies as st  # noqa: F401
    from hypothesis.strategies import SearchStrategy  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("dingdian_rules.testing needs hypothesis: install the test extra, "
                      "pip install 'dingdian-rules[test]'") from exc

from .case_strategies import COMBINED_FACTS, QUESTION_SECTIONS, cases, complete_cases, dated_cases, fill_unknowns
from .fact_values import as_of_dates, dates_near, leaf_fact_paths
from .pack_reads import closed_world_facts, facts_read, rules_testing_known
from .registry import registry_rows, write_registry

__all__ = [
    "COMBINED_FACTS", "QUESTION_SECTIONS", "as_of_dates", "cases", "closed_world_facts", "complete_cases",
    "dated_cases", "dates_near",
    "facts_read", "fill_unknowns", "leaf_fact_paths", "registry_rows", "rules_testing_known", "write_registry",
]
