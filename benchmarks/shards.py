"""Shards in a local S3 server, checked locally and on Dask clusters: the same report, the client's memory.

    python benchmarks/shards.py                       # 8 shards of 40 MB in /tmp/prep-shards
    python benchmarks/shards.py --shard-size 5MB --repeat 1

Generates the shards (benchmarks/generate.py, seeds 0-7, 1% corrupted lines),
uploads them to moto's S3 server (started here, on 127.0.0.1), then runs, as
separate processes, round-robin:

- ``prep check`` on the local copies (``--jobs 2``, every core of this machine);
- ``prep check --jobs 1`` on the local copies (one core: the per-core baseline);
- ``prep check s3://...`` (the client streams every shard from S3 itself);
- ``prep check --dask local:1`` and ``--dask local:2`` on ``s3://bench/shards/*.jsonl``;
- once: a scheduler and two workers started with the ``dask`` command, ``prep
  check --dask ADDRESS`` on the shards, and one worker killed (SIGKILL) midway.

Each JSON report is compared with the local run's (paths reduced to file
names). The client's peak RSS is the VmHWM of the ``prep`` process itself (with
``local:N`` it hosts the scheduler; workers are separate processes).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from generate import generate, parse_size
from harness import MB, Measurement, descendants, format_table, measure
from run import machine

MIB = 2**20
BUCKET = "bench"


def make_shards(folder: Path, count: int, size: str) -> list[Path]:
    from conversations import Options

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for seed in range(count):
        path = folder / f"shard-{seed:02d}-of-{count:02d}.jsonl"
        if not path.exists():
            generate(path, size=parse_size(size), seed=seed, options=Options(), corrupt_fraction=0.01)
        paths.append(path)
    return paths


def start_s3(paths: list[Path]) -> tuple[object, dict[str, str]]:
    """moto's S3 server in this process, holding the shards; the environment that points s3fs at it."""
    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": f"http://{host}:{port}",
    }
    s3 = boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"], aws_access_key_id="bench", aws_secret_access_key="x")
    s3.create_bucket(Bucket=BUCKET)
    for p in paths:
        s3.upload_file(str(p), BUCKET, f"shards/{p.name}")
    return server, env


def prep(env: dict[str, str], *args: str) -> Measurement:
    m = measure([sys.executable, "-m", "prep", "check", "--format", "json", *args], env=env)
    if m.returncode not in (0, 1):
        raise SystemExit(f"prep failed ({m.returncode}): {m.stderr[-2000:]}")
    return m


def normalized(m: Measurement) -> dict:
    """The JSON report with every file's folder (local or in the bucket) left out, wherever a path appears."""
    report = json.loads(m.stdout)
    text = m.stdout
    for folder in {f["path"].rpartition("/")[0] + "/" for f in report["files"]}:
        text = text.replace(folder, "")
    return dict(json.loads(text))


def client_rss(m: Measurement) -> float:
    """Peak RSS of the prep process itself (the first process measured), in MiB."""
    return next(iter(m.peaks.values()), m.max_rss) / MIB


def killed_worker_run(env: dict[str, str], url: str, delay: float) -> tuple[Measurement, int, list[str]]:
    """A scheduler and two workers from the ``dask`` command; one worker killed ``delay`` s into the check.

    Returns the check, the killed process and what the scheduler logged about the lost worker."""
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    with tempfile.TemporaryDirectory() as tmp:
        info = Path(tmp) / "scheduler.json"
        log = open(Path(tmp) / "cluster.log", "wb")  # noqa: SIM115 - closed below
        procs = [
            subprocess.Popen(
                [
                    *dask,
                    "--scheduler-file",
                    str(info),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "0",
                    "--dashboard-address",
                    ":0",
                ],
                env=env,
                stdout=log,
                stderr=log,
            )
        ]
        address = _scheduler_address(info)
        worker = [
            sys.executable,
            "-m",
            "distributed.cli.dask_worker",
            address,
            "--host",
            "127.0.0.1",
            "--nthreads",
            "1",
        ]
        procs += [subprocess.Popen([*worker, "--name", f"w{i}"], env=env, stdout=log, stderr=log) for i in range(2)]
        time.sleep(4)
        killed: list[int] = []
        killer = threading.Thread(target=_kill_one_worker, args=(procs[1].pid, killed, delay), daemon=True)
        killer.start()
        try:
            m = prep(env, "--dask", address, url)
        finally:
            for p in procs:
                p.send_signal(signal.SIGTERM)
            for p in procs:
                p.wait(30)
            log.close()
        logged = (Path(tmp) / "cluster.log").read_text(errors="replace").splitlines()
    lost = [line for line in logged if any(w in line for w in ("Remove worker", "lost", "Lost", "KilledWorker"))]
    return m, (killed[0] if killed else 0), lost


def _scheduler_address(info: Path) -> str:
    """The address the scheduler writes to its file, once the file is whole."""
    while True:
        try:
            return str(json.loads(info.read_text())["address"])
        except (OSError, ValueError, KeyError):
            time.sleep(0.1)


def _kill_one_worker(nanny: int, killed: list[int], delay: float) -> None:
    """SIGKILL the worker process under ``nanny`` after ``delay`` seconds (the nanny starts another)."""
    time.sleep(delay)
    children = [p for p in descendants(nanny) if p != nanny and b"spawn_main" in _cmdline(p)]
    if children:
        os.kill(children[0], signal.SIGKILL)
        killed.append(children[0])


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("/tmp/prep-shards"), help="where the shards are generated")
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--shard-size", default="40MB")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement (the fastest is shown)")
    args = parser.parse_args(argv)
    paths = make_shards(args.data, args.shards, args.shard_size)
    total = sum(p.stat().st_size for p in paths)
    server, env = start_s3(paths)
    url = f"s3://{BUCKET}/shards/*.jsonl"
    local = [str(p) for p in paths]
    runs = {
        "prep check (local copies, --jobs 2)": ["--jobs", "2", *local],
        "prep check --jobs 1 (local copies)": ["--jobs", "1", *local],
        "prep check s3://... (client streams)": [url],
        "prep check --dask local:1 s3://...": ["--dask", "local:1", url],
        "prep check --dask local:2 s3://...": ["--dask", "local:2", url],
    }
    results: dict[str, list[Measurement]] = {name: [] for name in runs}
    for _ in range(args.repeat):
        for name, run_args in runs.items():
            results[name].append(prep(env, *run_args))
            m = results[name][-1]
            print(f"{name}: {m.wall_s:.1f} s, client {client_rss(m):.0f} MiB", file=sys.stderr, flush=True)
    reference = normalized(results["prep check (local copies, --jobs 2)"][0])
    rows = []
    for name, ms in results.items():
        m = min(ms, key=lambda r: r.wall_s)  # other load on the machine only ever adds time
        row = _row(name, m, total, all(normalized(x) == reference for x in ms))
        row["slowest run s"] = max(x.wall_s for x in ms)
        rows.append(row)
    delay = 0.5 * min(m.wall_s for m in results["prep check --dask local:2 s3://..."])
    killed, pid, lost = killed_worker_run(env, url, delay)
    rows.append(
        _row(
            f"--dask ADDRESS (dask scheduler + 2 workers), worker {pid} killed",
            killed,
            total,
            normalized(killed) == reference,
        )
    )
    server.stop()  # type: ignore[attr-defined]
    issues = sum(len(f["issues"]) for f in reference["files"])
    print(f"Machine: {machine()}")
    print(
        f"{len(paths)} shards, {total / MB:,.1f} MB, {issues:,} issues in the report; fastest of {args.repeat} run(s)\n"
    )
    print(format_table(rows))
    print(f"\nThe worker was killed {delay:.1f} s into the check; the scheduler logged:\n")
    print("\n".join(f"    {line}" for line in lost) or "    (nothing)")
    return 0


def _row(name: str, m: Measurement, total: int, same: bool) -> dict:
    return {
        "run": name,
        "wall s": m.wall_s,
        "MB/s": total / MB / m.wall_s,
        "client peak RSS MiB": client_rss(m),
        "largest process MiB": m.max_rss / MIB,
        "processes": len(m.peaks),
        "report = local": same,
    }


if __name__ == "__main__":
    raise SystemExit(main())
