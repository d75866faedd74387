"""Deprecated alias of ``dingdian_rules.analysis.coverage``, the article coverage report (moved in the package layout of
issue 12; kept for one release, see CHANGELOG.md)."""

import warnings

warnings.warn("dingdian_rules.coverage is deprecated and will be removed in the next release: "
              "use dingdian_rules.analysis.coverage", DeprecationWarning, stacklevel=2)

from .analysis.coverage import *  # noqa: F401,F403
