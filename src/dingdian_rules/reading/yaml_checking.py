"""The checking YAML loader: composes nodes with a SafeLoader subclass (PyYAML constructs nothing)
and builds plain values from them, reporting every problem as a located diagnostic (aliases, tags,
duplicate, null and merge keys, deep nesting, syntax errors with hints, full-width colons).
``yaml_reader.load_yaml`` runs it on whatever its fast path declines, so every diagnostic comes
from here.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.events import AliasEvent, MappingStartEvent, SequenceStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import Diagnostic, DiagnosticBag, Location
from .yaml_doc import _NULLS, Path_, _resolve_plain, format_path

_Y = "tag:yaml.org,2002:"
_PLAIN = "tag:dingdian,2024:plain"  # marks untagged plain scalars, resolved by _resolve_plain
_REFUSED = "tag:dingdian,2024:refused-alias"  # stands in for an alias we refused to follow
_ALIAS_HINT = "write the value out; aliases are refused to keep files readable and to prevent size blow-ups"
_MAX_ALIAS_REPORTS = 20


class _TooDeep(Exception):
    """Nesting beyond max_depth at ``args[0]`` (a mark), or alias expansion out of budget (None)."""


class _Loader(yaml.SafeLoader):
    """Composes nodes only; counts depth, refuses aliases, leaves plain scalars unresolved."""

    def __init__(self, text: str, file: str, bag: DiagnosticBag, max_aliases: int, max_depth: int) -> None:
        super().__init__(text)
        self.file, self.bag, self.max_aliases, self.max_depth = file, bag, max_aliases, max_depth
        self.depth = self.aliases = self.node_count = 0

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:  # type: ignore[override]
        if kind is ScalarNode and implicit[0]:
            return _PLAIN
        return super().resolve(kind, value, (False, False))  # no implicit typing by PyYAML

    def compose_node(self, parent: Node | None, index: Any) -> Node:  # type: ignore[override]
        if self.check_event(AliasEvent):
            event = self.peek_event()
            self.aliases += 1
            if self.aliases > self.max_aliases:
                self.get_event()
                if self.aliases <= self.max_aliases + _MAX_ALIAS_REPORTS:
                    self.bag.error("yaml-alias", f"alias '*{event.anchor}' is not allowed",
                                   _loc(self.file, event.start_mark), hint=_ALIAS_HINT)
                return ScalarNode(_REFUSED, "", event.start_mark, event.end_mark)
        nested = self.check_event(SequenceStartEvent, MappingStartEvent)
        if nested:
            self.depth += 1
            if self.depth > self.max_depth:
                raise _TooDeep(self.peek_event().start_mark)
        try:
            node = super().compose_node(parent, index)
        finally:
            self.depth -= 1 if nested else 0
        self.node_count += 1
        return node


def _loc(file: str, mark: Any) -> Location:
    return Location(file, mark.line + 1, mark.column + 1) if mark is not None else Location(file)


def _show_tag(tag: str) -> str:
    return "!!" + tag[len(_Y):] if tag.startswith(_Y) else tag


class _Builder:
    """Turns the node graph into plain values, recording locations and collecting problems."""

    def __init__(self, file: str, bag: DiagnosticBag, max_depth: int, budget: int) -> None:
        self.file, self.bag, self.max_depth, self.budget = file, bag, max_depth, budget
        self.locations: dict[Path_, Location] = {}
        self.key_locations: dict[Path_, Location] = {}
        self.active: set[int] = set()

    def tag_error(self, node: Node, path: Path_, detail: str = "") -> None:
        self.bag.error("yaml-tag", detail or f"tag '{_show_tag(node.tag)}' is not allowed",
                       _loc(self.file, node.start_mark), format_path(path),
                       "remove the tag; only plain text, numbers, true/false, null, lists and mappings are accepted")

    def build(self, node: Node, path: Path_, depth: int) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise _TooDeep(None)  # only reachable through aliases that expand enormously
        self.locations[path] = _loc(self.file, node.start_mark)
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        if id(node) in self.active:
            self.bag.error("yaml-alias", "alias refers to a node that contains it", _loc(self.file, node.start_mark),
                           format_path(path), _ALIAS_HINT)
            return None
        if depth + 1 > self.max_depth:
            raise _TooDeep(node.start_mark)
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                if node.tag != _Y + "seq":
                    self.tag_error(node, path)
                return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
            if node.tag != _Y + "map":
                self.tag_error(node, path)
            return self.mapping(node, path, depth)
        finally:
            self.active.discard(id(node))

    def scalar(self, node: ScalarNode, path: Path_) -> Any:
        tag, text = node.tag, node.value
        if tag == _PLAIN:
            return _resolve_plain(text)
        if tag in (_Y + "str", _REFUSED):
            return text if tag != _REFUSED else None
        value = _resolve_plain(text)
        expected = {_Y + "int": int, _Y + "float": (int, float), _Y + "bool": bool, _Y + "null": type(None)}.get(tag)
        if expected is None:
            self.tag_error(node, path)
        elif not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            self.tag_error(node, path, f"'{text}' is not a valid {_show_tag(tag)}")
        else:
            return float(value) if tag == _Y + "float" else value
        return None

    def key(self, node: Node, path: Path_) -> str | None:
        where = _loc(self.file, node.start_mark)
        if isinstance(node, ScalarNode):
            if node.tag == _REFUSED:
                return None  # already reported as yaml-alias
            if node.tag == _Y + "str" or (node.tag == _PLAIN and node.value not in _NULLS):
                return node.value
            if node.tag not in (_PLAIN, _Y + "int", _Y + "float", _Y + "bool", _Y + "null"):
                self.tag_error(node, path)
                return None
        self.bag.error("non-string-key", "mapping keys must be text", where, format_path(path),
                       "write a plain name such as `name:`, or quote the key, e.g. `'12':`")
        return None

    def mapping(self, node: MappingNode, path: Path_, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        seen: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = self.key(key_node, path)
            if key is None:
                continue
            if key_node.tag == _PLAIN and key == "<<":
                self.bag.error("yaml-alias", "merge keys (<<) are not supported", _loc(self.file, key_node.start_mark),
                               format_path(path), _ALIAS_HINT)
                continue
            if key in seen:
                self.bag.error("duplicate-key", f"duplicate key '{key}'", _loc(self.file, key_node.start_mark),
                               format_path(path + (key,)),
                               f"'{key}' is already set on line {seen[key].start_mark.line + 1}; "
                               "keep one (YAML would silently drop the first)")
                continue
            seen[key] = key_node
            self.key_locations[path + (key,)] = _loc(self.file, key_node.start_mark)
            out[key] = self.build(value_node, path + (key,), depth + 1)
        return out


_SYNTAX_HINTS = (
    ("'\\t'", "indent with spaces, not tabs"),
    ("mapping values are not allowed", "quote values that contain ': ', and check the indentation"),
    ("could not find expected ':'", "check that each key is followed by ': ' and the indentation lines up"),
    ("expected <block end>", "check the indentation of this line against the lines above"),
    ("found character", "quote values that start with a special character (@ ` % | > ! & * [ {)"),
    ("unexpected end of stream", "close the open quote or bracket"),
)


def _syntax_diagnostic(exc: yaml.YAMLError, file: str, text: str) -> Diagnostic:
    if isinstance(exc, yaml.reader.ReaderError):
        before = text[: exc.position]
        where = Location(file, before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1)
        return Diagnostic("yaml-syntax", f"character U+{exc.character:04X} is not allowed in YAML", where,
                          hint="remove control characters from the file")
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    if context and context_mark is not None and context_mark is not mark:
        context += f" started at line {context_mark.line + 1}"
    message = f"{problem} ({context})" if context else problem
    if mark is not None:
        first = min(mark.line, context_mark.line if context_mark is not None else mark.line) - 1
        slip = _fullwidth_key(text, max(first, 0), mark.line, file)
        if slip is not None:
            return slip
    hint = next((h for key, h in _SYNTAX_HINTS if key in message),
                "check the indentation and quoting on this line and the line above")
    return Diagnostic("yaml-syntax", message, _loc(file, mark), hint=hint)


_FULLWIDTH_KEY = re.compile(r"^[ \t\u3000]*(?:-[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*：")


def _fullwidth_key(text: str, first: int, last: int, file: str) -> Diagnostic | None:
    """A key written with a full-width colon (``title：``, typed with a Chinese input method) on
    lines ``first``..``last`` (0-based): YAML reads it as text, and only fails a line or two later
    with a message that does not mention it, so the diagnostic points at the colon itself."""
    for n, line in enumerate(text.split("\n")[first:last + 1], first):
        m = _FULLWIDTH_KEY.match(line)
        if m is not None:
            key = m.group(1)
            return Diagnostic("yaml-syntax", f"'{key}：' has a full-width colon '：', so YAML does not read "
                              f"'{key}' as a key", Location(file, n + 1, m.end()),
                              hint=f"write `{key}:` with an ASCII colon followed by a space")
    return None
