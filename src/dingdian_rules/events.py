"""Deprecated alias of ``dingdian_rules.supervisor.events``, the supervision events (moved in the package layout of
issue 12; kept for one release, see CHANGELOG.md)."""

import warnings

warnings.warn("dingdian_rules.events is deprecated and will be removed in the next release: "
              "use dingdian_rules.supervisor.events", DeprecationWarning, stacklevel=2)

from .supervisor.events import *  # noqa: F401,F403
