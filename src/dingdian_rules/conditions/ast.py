"""Syntax tree of the condition language; every node knows its span in the source string."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(eq=False)
class Node:
    start: int
    end: int
    idx: int = field(default=-1, init=False)  # preorder number, set by ``number_and_measure``


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
class Limit(Node):
    """A time_limit rule named in ``due(...)`` or ``status(...)``; the checker binds ``ref``."""

    rule_id: str = ""
    ref: object = None  # deadlines.LimitRef, set by the checker


@dataclass(eq=False)
class Call(Node):
    name: str = ""
    args: list[Node] = field(default_factory=list)


def _present(*nodes: Node | None) -> list[Node]:
    return [n for n in nodes if n is not None]


_CHILDREN = {
    ListLit: lambda n: list(n.items),
    BoolOp: lambda n: list(n.items),
    Call: lambda n: list(n.args),
    Not: lambda n: [n.operand] if n.operand else [],
    Known: lambda n: [n.operand] if n.operand else [],
    Compare: lambda n: _present(n.left, n.right),
    Arith: lambda n: _present(n.left, n.right),
    Member: lambda n: _present(n.element, n.container),
    Quant: lambda n: _present(n.source, n.pred),
}


def children(node: Node) -> list[Node]:
    """Direct children in evaluation order."""
    get = _CHILDREN.get(type(node))
    return get(node) if get is not None else []


def number_and_measure(root: Node) -> tuple[int, int, Node]:
    """Give every node a preorder index (the trace slot it records into) and find the tree's
    depth and its deepest node, in one walk without recursion: (count, depth, deepest node)."""
    count, deepest, deepest_node = 0, 0, root
    stack = [(root, 1)]
    pop, push, get = stack.pop, stack.extend, _CHILDREN.get
    while stack:
        node, d = pop()
        node.idx = count
        count += 1
        if d > deepest:
            deepest, deepest_node = d, node
        kids = get(type(node))
        if kids is not None:
            push((k, d + 1) for k in reversed(kids(node)))
    return count, deepest, deepest_node
