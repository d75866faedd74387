"""Deprecated alias of ``dingdian_rules.time.periods``, the Civil Code periods and 工作日 (now the time package) (moved in the package layout of
issue 12; kept for one release, see CHANGELOG.md)."""

from .time.periods import *  # noqa: F401,F403
