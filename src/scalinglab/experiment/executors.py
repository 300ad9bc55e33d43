"""Executors: existing engines behind one function, never a home-made scheduler.

``joblib`` (local processes, the default), ``serial`` (this process), ``dask`` (a
``distributed`` client: a cluster, or a LocalCluster of n_jobs workers). Results come back
as they finish, with a rich progress bar.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..errors import ScalingLabError

EXECUTORS = ("joblib", "serial", "dask")


def _results(fn: Callable, tasks: Sequence, executor: str, n_jobs: int, client):
    if executor == "serial" or (executor == "joblib" and n_jobs == 1):
        return (fn(t) for t in tasks)
    if executor == "joblib":
        from joblib import Parallel, delayed
        return Parallel(n_jobs=n_jobs, return_as="generator_unordered")(delayed(fn)(t) for t in tasks)
    if executor == "dask":
        try:
            from distributed import Client, LocalCluster, as_completed
        except ImportError:
            raise ScalingLabError("executor='dask' needs dask.distributed: pip install 'scalinglab[dask]'") from None
        own = client is None
        if own:
            cluster = LocalCluster(n_workers=max(1, n_jobs), threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            client = Client(cluster)

        def gen():
            try:
                futures = client.map(fn, list(tasks), pure=False)
                for future in as_completed(futures):
                    yield future.result()
            finally:
                if own:
                    client.close()
                    cluster.close()
        return gen()
    raise ScalingLabError(f"executor must be one of {EXECUTORS}, got {executor!r}")


def run(fn: Callable, tasks: Sequence, *, executor: str = "joblib", n_jobs: int = 1, progress: bool = True,
        client=None, label: str = "running") -> list:
    """Apply ``fn`` to every task with the chosen executor; results in completion order."""
    if int(n_jobs) < 1:
        raise ScalingLabError(f"n_jobs must be >= 1, got {n_jobs!r}")
    if not tasks:
        return []
    results = _results(fn, tasks, executor, int(n_jobs), client)
    if not progress:
        return list(results)
    out = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=True) as bar:
        job = bar.add_task(label, total=len(tasks))
        for result in results:
            out.append(result)
            bar.advance(job)
    return out
