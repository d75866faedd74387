"""Renderers: decisions and resolved packs as Chinese (or, with ``lang="en"``, English) text,
Markdown, HTML and JSON strings.

The library never prints; these functions only build strings, so the ``dingdian-rules`` command
and library users show the same thing. Every view is read from the frozen ``Decision`` (or
``ResolvedPack``); nothing here evaluates a rule. Citations are written the Chinese way,
《办法》第十二条第（四）项, using the titles of the pack's source documents when given
(``source_titles(pack)``) and the document id otherwise. ``labels`` holds what the views say,
``decisions`` and ``decisions_md`` the views of decisions, ``packs`` those of resolved packs, ``facts_doc`` docs/facts.md;
``html``, ``html_decision`` and ``law_text`` the HTML page of decisions (Jinja2 templates in
``templates/``, imported only when a page is asked for).

May import: errors, twins, reading, time, facts, conditions, packs, evaluation.
"""

from __future__ import annotations

from .decisions import citation_lines, decision_text, decisions_json, decisions_text, trace_lines
from .decisions_md import decision_markdown, decisions_markdown
from .labels import (DEADLINE_STATUS_LABELS, KIND_LABELS, MODALITY_LABELS, OUTCOME_LABELS, QUESTION_LABELS, STATUS_LABELS,
                     cite, json_default, source_titles, zh_number)
from .packs import norm_difference_dict, pack_dict, pack_markdown, pack_text

__all__ = [
    "DEADLINE_STATUS_LABELS", "KIND_LABELS", "MODALITY_LABELS", "OUTCOME_LABELS", "QUESTION_LABELS", "STATUS_LABELS", "cite", "decision_markdown",
    "decision_text", "decisions_json", "decisions_markdown", "decisions_text", "json_default", "pack_dict",
    "pack_markdown", "pack_text", "source_titles", "trace_lines", "zh_number",
]
