"""Deprecated alias of ``dingdian_rules.analysis.scenarios``, the packs' scenario runner (moved in the package layout of
issue 12; kept for one release, see CHANGELOG.md)."""

from .analysis.scenarios import *  # noqa: F401,F403
