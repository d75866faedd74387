"""Syntax tree of the condition language; every node knows its span in the source string."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(eq=False)
class Node:
    start: int
    end: int
    idx: int = field(default=-1, init=False)  # preorder number, set by ``number_nodes``


@dataclass(eq=False)
class Lit(Node):
    value: object = None


@dataclass(eq=False)
class DateLit(Node):
    value: date = date.min


@dataclass(eq=False)
class ListLit(Node):
    items: list[Node] = field(default_factory=list)


@dataclass(eq=False)
class Fact(Node):
    path: tuple[str, ...] = ()
    var: str | None = None  # first segment is a comprehension variable


@dataclass(eq=False)
class Param(Node):
    name: str = ""


@dataclass(eq=False)
class Today(Node):
    pass


@dataclass(eq=False)
class Not(Node):
    operand: Node | None = None


@dataclass(eq=False)
class BoolOp(Node):
    op: str = "and"  # and | or
    items: list[Node] = field(default_factory=list)


@dataclass(eq=False)
class Compare(Node):
    op: str = "=="
    left: Node | None = None
    right: Node | None = None


@dataclass(eq=False)
class Member(Node):
    element: Node | None = None
    container: Node | None = None
    negated: bool = False


@dataclass(eq=False)
class Known(Node):
    operand: Node | None = None
    negated: bool = False  # ``is unknown``


@dataclass(eq=False)
class Arith(Node):
    op: str = "+"
    left: Node | None = None
    right: Node | None = None


@dataclass(eq=False)
class Quant(Node):
    kind: str = "any"  # any | all | count
    var: str | None = None
    source: Node | None = None
    pred: Node | None = None


@dataclass(eq=False)
class Call(Node):
    name: str = ""
    args: list[Node] = field(default_factory=list)


def children(node: Node) -> list[Node]:
    """Direct children in evaluation order."""
    if isinstance(node, (ListLit,)):
        return list(node.items)
    if isinstance(node, BoolOp):
        return list(node.items)
    if isinstance(node, Not) or isinstance(node, Known):
        return [node.operand] if node.operand else []
    if isinstance(node, (Compare, Arith)):
        return [n for n in (node.left, node.right) if n is not None]
    if isinstance(node, Member):
        return [n for n in (node.element, node.container) if n is not None]
    if isinstance(node, Quant):
        return [n for n in (node.source, node.pred) if n is not None]
    if isinstance(node, Call):
        return list(node.args)
    return []


def number_nodes(root: Node) -> int:
    """Give every node a preorder index (the trace slot it records into); return the count."""
    count = 0
    stack = [root]
    while stack:
        node = stack.pop()
        node.idx = count
        count += 1
        stack.extend(reversed(children(node)))
    return count


def depth(root: Node) -> int:
    kids = children(root)
    return 1 + (max(depth(k) for k in kids) if kids else 0)
