"""Deprecated alias of ``dingdian_rules.analysis.scenarios``, the packs' scenario runner (moved in the package layout of
issue 12; kept for one release, see CHANGELOG.md)."""

import warnings

warnings.warn("dingdian_rules.scenarios is deprecated and will be removed in the next release: "
              "use dingdian_rules.analysis.scenarios", DeprecationWarning, stacklevel=2)

from .analysis.scenarios import *  # noqa: F401,F403
