"""Shared test setup: hypothesis profiles (``ci`` is fast and derandomized; ``dev`` explores more),
and a private on-disk parse cache, so the tests never read or write the user's cache folder."""

import atexit
import os
import shutil
import tempfile

from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

# set before any test module loads a pack (several do at import); subprocesses inherit it
_CACHE = tempfile.mkdtemp(prefix="dingdian-rules-test-cache-")
os.environ["DINGDIAN_RULES_CACHE"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, True)
