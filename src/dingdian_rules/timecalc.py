"""Deprecated alias of ``dingdian_rules.time``, the Civil Code periods and 工作日 (moved in the package layout of
issue 12; kept for one release, see CHANGELOG.md). Besides the time package's public API it keeps the
other public names the old ``timecalc`` module defined (``Bound``, ``natural_last_day``)."""

import warnings

warnings.warn("dingdian_rules.timecalc is deprecated and will be removed in the next release: "
              "use dingdian_rules.time", DeprecationWarning, stacklevel=2)

from .time import *  # noqa: E402,F401,F403
from .time.periods import natural_last_day  # noqa: F401
from .time.workdays import Bound  # noqa: F401
