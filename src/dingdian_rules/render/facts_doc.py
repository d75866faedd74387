"""Generate ``docs/facts.md`` from the fact models, so the documentation cannot drift from them."""

from __future__ import annotations

import typing

from pydantic import BaseModel

from ..conditions.types import type_of_annotation
from ..facts.models import Case
from ..facts.values import WRITTEN_FORMS, FactEnum


def _models(root: type[BaseModel]) -> list[tuple[str, type[BaseModel]]]:
    out: list[tuple[str, type[BaseModel]]] = []
    seen: set[type] = set()

    def walk(prefix: str, model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.add(model)
        out.append((prefix, model))
        for name, f in model.model_fields.items():
            t = type_of_annotation(f.annotation)
            inner = t.elem if t.name == "list" and t.elem else t
            if inner.name == "object" and inner.model is not None:
                walk(f"{prefix}.{name}" if prefix else name + ("[]" if t.name == "list" else ""), inner.model)

    walk("", root)
    return out


def facts_markdown() -> str:
    """The fact reference as Markdown: one table per record, every field with its Chinese label
    (what decisions show for a missing fact), type and meaning; then every enum's values with theirs."""
    lines = ["# Facts", "",
             "The names a condition may use, generated from `dingdian_rules.facts` by",
             "`python -m dingdian_rules.render.facts_doc > docs/facts.md` (a test keeps it in sync).",
             "Every fact is optional: a fact that is not given is *unknown*, never false; `[]` is a known",
             "empty list. JSON Schema: `dingdian-rules schema case`.", "",
             "## How values are written", "",
             "Values are read strictly, in YAML and JSON alike: a value of the wrong type is a located",
             "`type-mismatch` or `bad-date` error (docs/errors.md), never converted. So `n` is not false,",
             "`0` is not 1970-01-01 and `'12'` is not 12. The same forms hold for events and pack values.", "",
             "| type | write | refused, for example |", "| --- | --- | --- |"]
    lines += [f"| {kind} | {form} | {refused} |" for kind, form, refused in WRITTEN_FORMS]
    lines.append("")
    for prefix, model in _models(Case):
        title = prefix or "case (root)"
        lines += [f"## `{title}` — {model.__name__}", "", " ".join((model.__doc__ or "").strip().split("\n\n")[0].split()), "",
                  "| fact | 中文 | type | meaning |", "| --- | --- | --- | --- |"]
        for name, f in model.model_fields.items():
            t = type_of_annotation(f.annotation)
            path = f"{prefix}.{name}" if prefix else name
            desc = (f.description or "").replace("|", "\\|")
            lines.append(f"| `{path}` | {f.title or ''} | {t} | {desc} |")
        lines.append("")
    lines += ["## Enum values", "", "What each code of an enum fact means; decisions and reports show the Chinese.", ""]
    for enum in _enums(Case):
        lines += [f"### {enum.__name__}", "", "| value | 中文 |", "| --- | --- |"]
        lines += [f"| `{m.value}` | {m.label} |" for m in enum]
        lines.append("")
    return "\n".join(lines)


def _enums(root: type[BaseModel]) -> list[type[FactEnum]]:
    """The fact enums the models use, in the order their fields first appear."""
    out: list[type[FactEnum]] = []
    for _, model in _models(root):
        for f in model.model_fields.values():
            todo = [f.annotation]
            while todo:  # the annotation and its arguments: X | None, list[X]
                a = todo.pop()
                if isinstance(a, type) and issubclass(a, FactEnum) and a not in out:
                    out.append(a)
                todo.extend(typing.get_args(a))
    return out


if __name__ == "__main__":
    print(facts_markdown())
