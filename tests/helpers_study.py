"""Estimators and a study entry point for the runner tests (importable by subprocesses)."""

from __future__ import annotations

import os
import sys
import time

from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression


class LoggedEstimator(BaseEstimator, ClassifierMixin):
    """Logistic regression that appends "size seed" to a log file on every fit (to count how
    often each cell was trained), sleeps ``delay`` seconds, and fails at ``fail_size``."""

    def __init__(self, log_path="", delay=0.0, fail_size=-1, random_state=None):
        self.log_path = log_path
        self.delay = delay
        self.fail_size = fail_size
        self.random_state = random_state

    def fit(self, X, y):
        if self.log_path:
            with open(self.log_path, "a") as fh:
                fh.write(f"{len(y)} {self.random_state} {os.getpid()}\n")
        if len(y) == self.fail_size:
            raise ValueError(f"deliberate failure at size {len(y)}")
        time.sleep(self.delay)
        self.model_ = LogisticRegression(max_iter=300).fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)


def make_spec(name, log_path, delay=0.0, fail_size=-1, sizes=(30, 60, 120, 240), seeds=(0, 1, 2)):
    import scalinglab as sl
    return sl.StudySpec(name=name, dataset="digits", sizes=list(sizes), seeds=list(seeds),
                        estimators={"logged": LoggedEstimator(log_path, delay, fail_size)})


def main():
    """python helpers_study.py DB NAME LOG DELAY LEASE: run the study serially."""
    import helpers_study                    # the estimator's class path as the tests see it (not __main__)
    import scalinglab as sl
    db, name, log, delay, lease = sys.argv[1:6]
    study = sl.Study(helpers_study.make_spec(name, log, float(delay)), store=db, lease=float(lease))
    sys.exit(study.run(n_jobs=1, progress=False).exit_code)


if __name__ == "__main__":
    main()
