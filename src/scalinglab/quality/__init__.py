"""Data quality as an axis next to size.

Per level: fit one law per quality level (``sl.fit`` on each curve) and compare them with
``compare_levels`` (exponent, floor, what a noisy sample is worth). Jointly: ``stack`` the
per-level curves into one (n, q) curve and fit the ``quality`` law, whose scale, exponent
and floor depend on quality (:class:`scalinglab.laws.Quality`); then ``clean_worth`` ("one clean
sample is worth k noisy ones at this size") and ``quality_floor`` ("at this noise rate the
floor is ε, so no amount of data reaches the target"). ``flip_labels`` and
``corrupt_features`` degrade data on purpose, nested across rates, for a quality study.
"""

from .degrade import corrupt_features, flip_labels
from .joint import CleanWorth, QualityFloor, clean_worth, quality_floor
from .levels import QualityLevels, as_quality, compare_levels, stack
from .study import QualityStudy, analyse_levels

__all__ = ["stack", "as_quality", "compare_levels", "clean_worth", "quality_floor", "flip_labels", "corrupt_features",
           "QualityLevels", "CleanWorth", "QualityFloor",
           "analyse_levels", "QualityStudy"]
