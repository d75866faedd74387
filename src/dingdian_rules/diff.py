"""Deprecated alias of the pack diff, which now lives in ``dingdian_rules.analysis`` (moved in the package
layout of issue 12; kept for one release, see CHANGELOG.md).

Use ``dingdian_rules.analysis.diff`` (``diff_packs`` and the records it returns), ``dingdian-rules diff A B``
for one diff, and ``python -m dingdian_rules.analysis.jurisdictions_doc`` for docs/jurisdictions.md.
``python -m dingdian_rules.diff --jurisdictions | A B [md|json|text]`` still works for this release.
"""

from __future__ import annotations

import sys
import warnings
from typing import Sequence

from .analysis.diff import RULE_FIELDS, FieldChange, PackDiff, ParameterDiff, RuleDiff, diff_packs, rule_parameters
from .analysis.jurisdictions_doc import jurisdictions_markdown, pack_status
from .packs.loader import load_pack

warnings.warn("dingdian_rules.diff is deprecated and will be removed in the next release: "
              "use dingdian_rules.analysis.diff", DeprecationWarning, stacklevel=2)

__all__ = ["FieldChange", "PackDiff", "ParameterDiff", "RULE_FIELDS", "RuleDiff", "diff_packs", "jurisdictions_markdown",
           "pack_status", "rule_parameters"]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m dingdian_rules.diff --jurisdictions`` or ``python -m dingdian_rules.diff A B [md|json|text]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--jurisdictions"]:
        sys.stdout.write(jurisdictions_markdown())
        return 0
    if len(args) in (2, 3):
        d = diff_packs(load_pack(args[0]), load_pack(args[1]))
        fmt = args[2] if len(args) == 3 else "md"
        sys.stdout.write({"md": d.to_markdown, "json": d.to_json, "text": d.to_text}[fmt]())
        return 0
    print("usage: python -m dingdian_rules.diff --jurisdictions | A B [md|json|text]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
