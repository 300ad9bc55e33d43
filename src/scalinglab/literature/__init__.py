"""Published scaling laws as a queryable table, and priors built from them.

``table()`` (normalised rows with citations), ``query(...)`` and ``similar("image
classification", x="data")`` to find fits like yours, ``Prior`` / ``make_prior`` for MAP fits
(``sl.fit(curve, law="power", prior="literature:image classification")``).
"""

from .prior import Prior, exponent_parameter, make_prior
from .search import Matches, query, similar
from .rows import load as table

__all__ = ["table", "query", "similar", "Matches", "Prior", "make_prior", "exponent_parameter"]
