"""Data-scaling experiments: specs, a durable store, a resumable runner and offline datasets."""

from . import datasets
from .runner import StoredStudy, Study, StudySummary
from .spec import StudySpec, geometric
from .store import Store

__all__ = ["Study", "StoredStudy", "StudySpec", "StudySummary", "Store", "geometric", "datasets"]
