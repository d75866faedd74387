"""Deprecated alias of ``dingdian_rules.time``, the Civil Code periods and 工作日 (moved in the package layout of
issue 12; kept for one release, see CHANGELOG.md). Besides the time package's public API it keeps the
other public names the old ``timecalc`` module defined (``Bound``, ``natural_last_day``)."""

from .time import *  # noqa: F401,F403
from .time.periods import natural_last_day  # noqa: F401
from .time.workdays import Bound  # noqa: F401
