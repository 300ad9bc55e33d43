"""Data-scaling experiments: specs, a durable store, a resumable runner and offline datasets."""

from . import datasets
from .runner import PENDING, TOTAL, StoredStudy, Study, StudySummary
from .spec import StudySpec, geometric
from .store import COMPLETE, FAILED, RECLAIMABLE, RUNNING, Store

#: The run states in the order status tables show them (TOTAL: all cells of a study).
RUN_STATES = (COMPLETE, FAILED, RUNNING, RECLAIMABLE, PENDING, TOTAL)

__all__ = ["Study", "StoredStudy", "StudySpec", "StudySummary", "Store", "geometric", "datasets",
           "RUN_STATES", "COMPLETE", "FAILED", "RUNNING", "RECLAIMABLE", "PENDING", "TOTAL"]
