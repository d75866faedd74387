"""Build cases from plain data or YAML/JSON files, with located errors (``CaseError``).

A ``.json`` file is read as JSON (``jsonio``) and anything else as YAML; both with the same
limits (2 MB, UTF-8 with or without a BOM, 64 levels of nesting, no duplicate keys) and the same
located diagnostics.

``read_case`` and ``load_case`` are what the evaluator and the CLI use: a case the strict plain
checker accepts (``plain``) is built as a twin of the models without pydantic, anything else is
validated by the models (and refused with their located diagnostics). ``parse_case`` and
``load_case_file``, the library's public readers, always give a pydantic ``Case``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from ..errors import CaseError, Diagnostic, Location
from ..reading.json_reader import load_json, load_json_file
from ..reading.yaml_doc import YamlDoc
from ..reading.yaml_reader import load_yaml, load_yaml_file
from .plain import build_case

if TYPE_CHECKING:
    from ..twins import Twin
    from .models import Case


def _validated(data: Any, doc: YamlDoc, base: tuple = (), source: str = "<case>") -> Case:
    """The pydantic ``Case`` of ``data``, or a ``CaseError`` with the models' located diagnostics."""
    import pydantic

    from ..reading.pydantic_errors import pydantic_diagnostics
    from .models import Case
    try:
        return Case.model_validate(data)
    except pydantic.ValidationError as exc:
        raise CaseError(pydantic_diagnostics(exc, Case, doc, base), f"{source}: not a valid case") from None


def _mapping(data: Any, source: str) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise CaseError([Diagnostic("not-a-mapping", f"a case must be a mapping, not {type(data).__name__}",
                                    Location(source), "", "write the case as `institution: {...}` etc.")])
    return dict(data)


def parse_case(data: Mapping[str, Any], *, source: str = "<case>") -> Case:
    """Validate plain data (dates as ISO strings or ``date`` objects) into a frozen ``Case``."""
    data = _mapping(data, source)
    return _validated(data, YamlDoc(data, {}, {}, source), (), source)


def read_case(data: Mapping[str, Any], *, source: str = "<case>") -> Case | Twin:
    """Like ``parse_case``, but a case the plain checker accepts is built without pydantic, as a
    twin of the models (``facts.plain``): what the evaluator holds."""
    data = _mapping(data, source)
    case = build_case(data)
    return case if case is not None else _validated(data, YamlDoc(data, {}, {}, source), (), source)


def load_case_file(path: str | Path) -> tuple[Case, dict[str, Any]]:
    """Read a case from YAML or JSON; return the case and the file's other top-level keys.

    A case file is either the case itself or ``{case: {...}, as_of: ..., question: ...}``.
    """
    return _load(path, plain=False)  # type: ignore[return-value]


def load_case(path: str | Path) -> tuple[Case | Twin, dict[str, Any]]:
    """Like ``load_case_file``; a case the plain checker accepts is a twin built without pydantic."""
    return _load(path, plain=True)


def _load(path: str | Path, plain: bool) -> tuple[Case | Twin, dict[str, Any]]:
    p = Path(path)
    doc, diags = read_case_file(p)
    if doc is None:
        raise CaseError(diags, f"{p}: not readable as {'JSON' if _is_json(p) else 'YAML'}")
    data = doc.data
    base: tuple = ()
    extras: dict[str, Any] = {}
    if not isinstance(data, dict):
        raise CaseError([Diagnostic("not-a-mapping", "a case file must be a mapping", doc.locate(()), "",
                                    "write `institution: ...` or `case: ...` at the top level")], f"{p}: not a case")
    if "case" in data:
        extras = {k: v for k, v in data.items() if k != "case"}
        unknown = set(extras) - {"as_of", "question", "name", "note"}
        if unknown:
            k = sorted(unknown)[0]
            raise CaseError([Diagnostic("unknown-field", f"unknown top-level key '{k}'", doc.locate_key((k,)), k,
                                        "allowed beside `case:`: as_of, question, name, note")], f"{p}: not a case")
        data, base = data["case"], ("case",)
        if not isinstance(data, dict):
            raise CaseError([Diagnostic("not-a-mapping", "`case:` must be a mapping", doc.locate(base), "case")])
    case = build_case(data) if plain else None
    return (case if case is not None else _validated(data, doc, base, str(p))), extras


def case_from_json(text: str, *, source: str = "<json>") -> Case:
    """A case from JSON text, with the limits and located errors of a JSON case file."""
    doc, diags = load_json(text, source)
    if doc is None:
        raise CaseError(diags, f"{source}: not readable as JSON")
    if not isinstance(doc.data, dict):
        raise CaseError([Diagnostic("not-a-mapping", f"a case must be a mapping, not {type(doc.data).__name__}",
                                    doc.locate(()), "", "write the case as {\"institution\": {...}} etc.")])
    return _validated(doc.data, doc, (), source)


def _is_json(path: Path) -> bool:
    return path.suffix.lower() == ".json"


def read_case_file(path: str | Path) -> tuple[YamlDoc | None, list[Diagnostic]]:
    """The located data of a case file: JSON for ``.json``, else YAML."""
    p = Path(path)
    return load_json_file(p) if _is_json(p) else load_yaml_file(p)


__all__ = ["parse_case", "load_case_file", "case_from_json", "read_case_file", "load_yaml", "read_case", "load_case"]
