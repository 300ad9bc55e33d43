"""One family of exceptions and warnings for the whole package.

Every error a user can cause raises :class:`ScalingLabError` (a ``ValueError``
subclass, so ``except ValueError`` keeps working) with a message that names the
argument, column or row at fault and what was expected.
"""

from __future__ import annotations


class ScalingLabError(ValueError):
    """Bad input or an impossible request; the message says how to fix it."""


class FitError(ScalingLabError):
    """A fit could not be carried out (for example no start gave a finite objective)."""


class ScalingLabWarning(UserWarning):
    """Something worth a careful analyst's attention (unidentifiable fit, parameter at a bound)."""
