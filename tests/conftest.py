"""Shared test configuration: hypothesis profiles.

``dev`` is the default. ``ci`` is loaded when the ``CI`` environment variable is set; it is
registered here explicitly (derandomized, no deadline, no example database) rather than left to
hypothesis' built-in profile of the same name, so CI runs the same fixed, bounded examples
every time. ``HYPOTHESIS_PROFILE`` picks a profile by name and wins over both.

Deadlines are off in both profiles: examples build pendulum instants and fold whole chronicles,
and the test machines are shared, so a wall-clock deadline would only add flakiness. The example
counts keep the whole suite fast.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "dev",
    max_examples=50,
    stateful_step_count=30,
    deadline=None,
)
settings.register_profile(
    "ci",
    max_examples=40,
    stateful_step_count=30,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)

settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)
