"""How many examples a property-based test draws: the number written in the test when CI=true
(as ``.ci/run`` sets it, so CI runs a few hundred per property), a tenth of it (at least 20)
in a developer's quick run of the default suite."""

from __future__ import annotations

import os


def examples(n: int) -> int:
    if os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
        return n
    return max(20, n // 10)
