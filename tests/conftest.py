"""Shared test setup: hypothesis profiles, and a private on-disk parse cache, so the tests never
read or write the user's cache folder.

Profiles (docs/testing.md), chosen with ``HYPOTHESIS_PROFILE`` (or pytest's
``--hypothesis-profile``):

- ``ci``: 60 derandomized examples per property, the same on every run (``.ci/run`` sets it);
- ``dev``: 300 random examples, the default when neither ``HYPOTHESIS_PROFILE`` nor ``CI`` is set;
- ``thorough``: 2,000 random examples per property (not derandomized, so every run explores new
  cases); failures print the blob that reproduces them (``@reproduce_failure``).
"""

import atexit
import os
import shutil
import tempfile

from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=300, deadline=None)
settings.register_profile("thorough", max_examples=2000, deadline=None, derandomize=False, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

# set before any test module loads a pack (several do at import); subprocesses inherit it
_CACHE = tempfile.mkdtemp(prefix="dingdian-rules-test-cache-")
os.environ["DINGDIAN_RULES_CACHE"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, True)
