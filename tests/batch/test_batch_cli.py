"""``maskapp batch``: exit codes, files written, one-line errors, a real Dask cluster."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from batch_data import png, write_dataset

from maskapp.cli import main


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> tuple[Path, Path]:
    return write_dataset(tmp_path_factory.mktemp("clean"), 6, (64, 80), seed=2)


@pytest.fixture(scope="module")
def messy(tmp_path_factory) -> tuple[Path, Path]:
    """The issue's 'done when' folder: a corrupt file, a missing prediction, a size mismatch."""
    references, candidates = write_dataset(tmp_path_factory.mktemp("messy"), 5, (64, 80), seed=4)
    (candidates / "case_00001.png").write_bytes(b"not a png at all")
    (candidates / "case_00002.png").unlink()
    (candidates / "case_00003.png").write_bytes(png(np.ones((10, 10), bool)))
    return references, candidates


def run(*args: str, capsys) -> tuple[int, str, str]:
    code = main(["batch", *map(str, args), "--quiet"])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_clean_run_exits_0_and_prints_summary_and_worst_cases(clean, capsys):
    code, out, _ = run(*clean, "--workers", "0", capsys=capsys)
    assert code == 0
    assert "6 of 6 cases evaluated." in out
    assert "Summary over cases" in out and "Worst 6 cases by iou:" in out


def test_a_messy_folder_finishes_writes_every_case_and_exits_3(messy, tmp_path, capsys):
    json_path, csv_path = tmp_path / "out.json", tmp_path / "out.csv"
    code, out, err = run(
        *messy, "--workers", "0", "--json", json_path, "--csv", csv_path, capsys=capsys
    )
    assert code == 3
    assert "1 reference has no candidate (case_00002)" in err  # said before computing
    data = json.loads(json_path.read_text())
    status = {c["name"]: c["status"] for c in data["cases"]}
    assert status == {
        "case_00000": "ok", "case_00001": "failed", "case_00002": "missing_candidate",
        "case_00003": "failed", "case_00004": "ok",
    }
    stages = {f["name"]: f["stage"] for f in data["failures"]}
    assert stages == {"case_00001": "read candidate", "case_00003": "compare"}
    assert data["pairing"]["missing_candidate"] == ["case_00002"]
    rows = list(csv.DictReader(csv_path.open()))
    assert [r["name"] for r in rows] == [c["name"] for c in data["cases"]]
    assert "case_00001: " in out and "case_00003: " in out  # the reasons, in words


def test_nothing_comparable_exits_2(tmp_path, capsys):
    references, candidates = tmp_path / "r", tmp_path / "c"
    references.mkdir(), candidates.mkdir()
    (references / "a.png").write_bytes(b"junk")
    (candidates / "a.png").write_bytes(b"junk")
    code, _, _ = run(references, candidates, "--workers", "0", capsys=capsys)
    assert code == 2


@pytest.mark.parametrize(
    "args, message",
    [
        (["--sort", "nonsense"], "--sort nonsense is not a statistic of this run"),
        (["--workers", "-1"], "--workers must be 0 or more"),
        (["--tolerance", "-1"], "tolerance"),
    ],
)
def test_bad_options_are_one_line(clean, capsys, args, message):
    code, out, err = run(*clean, *args, capsys=capsys)
    assert code == 2 and out == ""
    line = err.strip().splitlines()[-1]
    assert line.startswith("maskapp: error: ") and message in line
    assert "Traceback" not in err


def test_a_folder_that_does_not_exist_is_one_line(tmp_path, capsys):
    code, _, err = run(tmp_path / "nowhere", tmp_path, capsys=capsys)
    assert code == 2 and err.startswith("maskapp: error: ") and len(err.strip().splitlines()) == 1


def test_json_to_stdout(clean, capsys):
    code, out, _ = run(*clean, "--workers", "0", "--json", "-", capsys=capsys)
    assert code == 0
    assert len(json.loads(out)["cases"]) == 6


@pytest.mark.slow
def test_the_process_pool_is_the_default_and_agrees(clean, tmp_path, capsys):
    serial, pooled = tmp_path / "serial.json", tmp_path / "pooled.json"
    run(*clean, "--workers", "0", "--json", serial, capsys=capsys)
    run(*clean, "--json", pooled, capsys=capsys)
    assert json.loads(serial.read_text()) == json.loads(pooled.read_text())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def dask_cluster(log_dir: Path):
    """A real ``dask scheduler`` and one ``dask worker`` on 127.0.0.1, stopped afterwards."""
    pytest.importorskip("distributed")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    common = dict(env=env, stdout=subprocess.DEVNULL, cwd=log_dir)
    scheduler = subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
         "--port", str(port), "--dashboard-address", ":0"],
        stderr=(log_dir / "scheduler.log").open("w"), **common,
    )
    worker = None
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            assert time.monotonic() < deadline, (log_dir / "scheduler.log").read_text()
            time.sleep(0.2)
        worker = subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
             "--nworkers", "1", "--no-dashboard"],
            stderr=(log_dir / "worker.log").open("w"), **common,
        )
        yield address
    finally:
        for process in (worker, scheduler):
            if process is not None:
                process.terminate()
        for process in (worker, scheduler):
            if process is not None:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_a_real_dask_scheduler_and_worker_give_the_same_numbers(messy, tmp_path, capsys):
    local = tmp_path / "local.json"
    assert run(*messy, "--workers", "0", "--json", local, capsys=capsys)[0] == 3
    remote = tmp_path / "remote.json"
    with dask_cluster(tmp_path) as address:
        code, _, err = run(*messy, "--dask", address, "--json", remote, capsys=capsys)
    assert code == 3, err
    assert "Dask dashboard:" in err
    assert json.loads(remote.read_text()) == json.loads(local.read_text())


def test_an_output_folder_that_does_not_exist_is_refused_before_the_run(clean, tmp_path, capsys):
    code, out, err = run(
        *clean, "--workers", "0", "--json", tmp_path / "nowhere" / "out.json", capsys=capsys
    )
    assert code == 2 and out == ""
    assert "does not exist; create it or choose another path" in err
    assert "pairs matched" not in err  # refused before pairing and computing
