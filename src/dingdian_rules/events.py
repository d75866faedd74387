"""Deprecated alias of ``dingdian_rules.supervisor.events``, the supervision events (moved in the package layout of
issue 12; kept for one release, see CHANGELOG.md)."""

from .supervisor.events import *  # noqa: F401,F403
