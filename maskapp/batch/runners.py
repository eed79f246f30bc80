"""Where the chunks of a batch run: this process, a process pool, or Dask.

One scheduling loop serves all three. Chunks are sized from the measured time
per case so each is worth ~0.75 s of work (a first round of one case per chunk
measures it): large enough that pickling and scheduling cost little (one task
per pair made a 2-worker Dask cluster ~4× slower than a pool in the issue's
measurement), small enough that two workers finish together. At most two
chunks per worker are in flight, so results stream to the caller and nothing
waits in memory.

Pool and Dask workers run each comparison on one thread
(:func:`maskapp.parallel.set_threads`): two processes × two threads on two
cores would only contend.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from typing import Any

from .. import __version__
from ..errors import MaskError
from ..pair import Options
from .evaluate import ChunkResult, Outcome, Task, evaluate_chunk
from .pairing import Case, Pairing

#: Seconds of work a chunk should hold once the time per case is known.
CHUNK_SECONDS = 0.75
#: Largest chunk (cases), whatever the time per case.
MAX_CHUNK = 256
#: How long to wait for a Dask scheduler that was named but does not answer.
DASK_TIMEOUT_S = 20


class Chunker:
    """Hands out chunks of cases, sized from the time per case measured so far."""

    def __init__(self, cases: tuple[Case, ...], workers: int) -> None:
        self.cases, self.workers, self.next = cases, max(1, workers), 0
        self.seconds = 0.0
        self.done = 0

    def record(self, result: ChunkResult) -> None:
        self.seconds += result.seconds
        self.done += len(result.outcomes)

    def take(self) -> tuple[Case, ...]:
        remaining = len(self.cases) - self.next
        if remaining <= 0:
            return ()
        if self.done == 0:
            size = 1  # the first round measures
        else:
            per_case = max(self.seconds / self.done, 1e-4)
            size = max(1, min(MAX_CHUNK, round(CHUNK_SECONDS / per_case)))
            # Near the end, smaller chunks so no worker is left alone with a big one.
            size = min(size, max(1, remaining // (2 * self.workers)))
        chunk = self.cases[self.next : self.next + size]
        self.next += len(chunk)
        return chunk


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity, not the machine's count)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def run(
    pairing: Pairing,
    options: Options,
    *,
    workers: int | None = None,
    dask: str | None = None,
    sink: Callable[[Outcome], None],
    progress: Callable[[int, int], None] | None = None,
    log: Callable[[str], None] | None = None,
    max_pixels: int | None = None,
) -> None:
    """Evaluate every case of ``pairing``, handing each outcome to ``sink`` as it arrives.

    Outcomes arrive in completion order; whatever reduces them must not depend on it.
    """
    if workers is not None and (isinstance(workers, bool) or workers < 0):
        raise MaskError(f"--workers must be 0 or more, not {workers}.")
    cases = pairing.cases
    sets = (pairing.references, pairing.candidates, pairing.against)
    total = len(cases)

    def task(chunk: tuple[Case, ...], single_thread: bool) -> Task:
        return Task(sets, chunk, options, single_thread=single_thread, max_pixels=max_pixels)

    if progress is not None:
        progress(0, total)
    if dask is not None:
        return _run_dask(dask, sets, cases, task, workers, sink, progress, log)
    count = usable_cores() if workers is None else workers
    if count == 0 or total <= 1:
        return _run_here(cases, task, sink, progress)
    count = min(count, total)
    with cf.ProcessPoolExecutor(
        max_workers=count, mp_context=_context(), initializer=_ignore_interrupts
    ) as pool:
        return _schedule(pool.submit, cf.wait, cases, task, count, sink, progress)


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C to the parent, which stops the run (no traceback per worker)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _context() -> multiprocessing.context.BaseContext:
    """Fork when this process has one thread: workers start in milliseconds and a
    script needs no ``if __name__ == "__main__"`` guard. A process with threads
    (a notebook, a server, the overlap pass's pool) could deadlock a forked
    child on a lock held by another thread, so it gets a fork server instead.
    """
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["maskapp.batch.evaluate"])
    return context


def _run_here(cases, task, sink, progress) -> None:
    """In this process, one case at a time (the app; a single case)."""
    for done, case in enumerate(cases, start=1):
        for outcome in evaluate_chunk(task((case,), False)).outcomes:
            sink(outcome)
        if progress is not None:
            progress(done, len(cases))


def _schedule(
    submit: Callable[..., Any],
    wait: Callable[..., tuple[set, set]],
    cases: tuple[Case, ...],
    task: Callable[[tuple[Case, ...], bool], Task],
    workers: int,
    sink: Callable[[Outcome], None],
    progress: Callable[[int, int], None] | None,
) -> None:
    """Keep two chunks per worker in flight; collect results as they finish."""
    chunker = Chunker(cases, workers)
    pending: set = set()

    def top_up() -> None:
        while len(pending) < 2 * workers:
            chunk = chunker.take()
            if not chunk:
                return
            pending.add(submit(evaluate_chunk, task(chunk, True)))

    try:
        top_up()
        while pending:
            done, still = wait(pending, return_when="FIRST_COMPLETED")
            pending.clear()
            pending.update(still)
            for future in done:
                result: ChunkResult = future.result()
                chunker.record(result)
                for outcome in result.outcomes:
                    sink(outcome)
            if progress is not None:
                progress(chunker.done, len(cases))
            top_up()
    except BaseException:
        for future in pending:
            future.cancel()
        raise


def _maskapp_version() -> str:
    """What a Dask worker or scheduler reports (runs there)."""
    import maskapp

    return maskapp.__version__


def _run_dask(address, sets, cases, task, workers, sink, progress, log) -> None:
    try:
        from distributed import Client, LocalCluster
        from distributed import wait as dask_wait
    except ImportError as err:
        raise MaskError(
            "--dask needs dask.distributed, which is not installed; "
            "install it with pip install 'maskapp[dask]'."
        ) from err
    if any(getattr(s, "in_memory", False) for s in sets if s is not None):
        raise MaskError(
            "Files uploaded into memory cannot travel to a Dask cluster; "
            "give folder or zip paths the workers can read."
        )
    cluster = None
    try:
        if address == "local":
            count = usable_cores() if not workers else workers
            cluster = LocalCluster(
                n_workers=count,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
                silence_logs=40,
            )
            client = Client(cluster)
        else:
            client = Client(address, timeout=DASK_TIMEOUT_S)
    except (OSError, TimeoutError) as err:
        raise MaskError(
            f"Could not connect to the Dask scheduler at {address} ({err}); "
            "check the address and that the scheduler is running."
        ) from err
    try:
        _check_versions(client, address)
        if log is not None and client.dashboard_link:
            log(f"Dask dashboard: {client.dashboard_link}")
        count = max(1, len(client.scheduler_info().get("workers", {})))

        def submit(fn, task):
            return client.submit(fn, task, pure=False)

        def wait(pending, return_when):
            done, still = dask_wait(list(pending), return_when=return_when)
            return set(done), set(still)

        return _schedule(submit, wait, cases, task, count, sink, progress)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _check_versions(client, address: str) -> None:
    """Refuse a cluster whose workers or scheduler run another maskapp."""
    where = "the local cluster" if address == "local" else address
    try:
        client.wait_for_workers(1, timeout=DASK_TIMEOUT_S)
    except (TimeoutError, OSError) as err:
        raise MaskError(
            f"The Dask cluster at {where} has no workers; start at least one dask worker."
        ) from err
    try:
        versions = dict(client.run(_maskapp_version))
        versions["scheduler"] = client.run_on_scheduler(_maskapp_version)
    except Exception as err:  # the remote side cannot import maskapp
        raise MaskError(
            f"The Dask cluster at {where} cannot run maskapp ({type(err).__name__}: {err}); "
            f"install maskapp {__version__} on the scheduler and every worker."
        ) from err
    other = {who: v for who, v in versions.items() if v != __version__}
    if other:
        who, version = next(iter(other.items()))
        raise MaskError(
            f"The Dask cluster at {where} runs maskapp {version} on {who}, but this is "
            f"maskapp {__version__}; install the same version everywhere."
        )

