"""Deprecated alias of ``dingdian_rules.analysis.coverage``, the article coverage report (moved in the package layout of
issue 12; kept for one release, see CHANGELOG.md)."""

from .analysis.coverage import *  # noqa: F401,F403
