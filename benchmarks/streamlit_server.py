"""A real ``streamlit run app.py`` on 127.0.0.1, and how to launch Debian's Chromium.

One helper for everything that drives the app in a browser: the browser tests
(``tests/browser/conftest.py``), ``bench_app_browser.py`` and ``load_test.py``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]

# Headless Chromium without the services that phone home or wait on a GPU.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """Debian's ``chromium`` on PATH, or None (Playwright never downloads a browser here)."""
    return shutil.which("chromium")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class StreamlitServer:
    """``streamlit run app.py`` headless on 127.0.0.1, its output in a log file.

    Use it as a context manager, or call :meth:`start` and :meth:`stop`.

    Parameters
    ----------
    port : int
        0 picks a free port.
    log_path : Path, optional
        Where the server's output goes; by default a new temporary file.
    """

    def __init__(self, port: int = 0, log_path: Path | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path or Path(
            tempfile.mkstemp(prefix="maskapp-streamlit-", suffix=".log")[1]
        )
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> StreamlitServer:
        """Start the server and wait until ``/_stcore/health`` answers ``ok``."""
        command = [
            sys.executable, "-m", "streamlit", "run", "app.py",
            "--server.headless", "true",
            "--server.address", "127.0.0.1",
            "--server.port", str(self.port),
            "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none",
        ]  # fmt: skip
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"streamlit exited with code {self.process.returncode}:\n{self.log()[-4000:]}"
                )
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200 and answer.read().strip() == b"ok":
                        return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(
            f"streamlit did not answer /_stcore/health within {timeout:.0f} s:\n"
            f"{self.log()[-4000:]}"
        )

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def rss_mb(self) -> float:
        """Resident memory of the server and its children, in MB (10⁶ bytes)."""
        process = psutil.Process(self.process.pid)
        total = 0
        for p in [process, *process.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        return total / 1e6

    def __enter__(self) -> StreamlitServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class MemorySampler(threading.Thread):
    """Samples a server's RSS every ``interval`` seconds: ``samples`` and ``peak``."""

    def __init__(self, server: StreamlitServer, interval: float = 1.0) -> None:
        super().__init__(daemon=True)
        self.server, self.interval = server, interval
        self.samples: list[tuple[float, float]] = []  # (time.monotonic(), MB)
        self._halt = threading.Event()

    @property
    def first(self) -> float:
        return self.samples[0][1] if self.samples else 0.0

    @property
    def peak(self) -> float:
        return max((mb for _, mb in self.samples), default=0.0)

    def run(self) -> None:
        while not self._halt.is_set():
            try:
                self.samples.append((time.monotonic(), self.server.rss_mb()))
            except psutil.Error:  # the server has ended
                return
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join(5)
