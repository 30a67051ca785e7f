"""Settings shared by every test."""

import os

from hypothesis import HealthCheck, settings

# CI on a shared 2-core machine: no per-example deadline (timing is not what these
# tests check), and a fixed seed so a red run can be reproduced exactly. Locally,
# hypothesis explores new examples on every run.
settings.register_profile(
    "ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))
