"""Shards in a local S3 server, checked locally and on a Dask cluster of worker processes.

The S3 server is moto's (`tests.support.s3`), reached by s3fs through the usual
``AWS_*`` variables; the cluster is a real `distributed.LocalCluster`. Small
ranges (`RANGE_BYTES` lowered) cut every shard into many tasks, cut anywhere.
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import os
import signal
from pathlib import Path

import pytest

import prep
from prep.reports.reporters import REPORTERS
from prep.validation import distributed as engine
from tests.helpers import chat, generated

SHARDS = 3


@pytest.fixture(scope="module")
def shards(tmp_path_factory) -> list[Path]:
    """Three shards of generated chat data with corrupted lines, and a copy of the first in the second."""
    folder = tmp_path_factory.mktemp("shards")
    paths = [
        generated(folder / f"part-{i}.jsonl", "400KB", 30 + i, "--corrupt-fraction", "0.02") for i in range(SHARDS)
    ]
    first = paths[0].read_bytes().splitlines(keepends=True)
    with paths[1].open("ab") as fp:
        fp.writelines(first[:5] * 2)  # duplicates (P403), and leakage when part-1 validates part-0 (P404)
    return paths


@pytest.fixture(scope="module")
def bucket(s3, shards) -> str:
    """The shards uploaded to s3://shards/data/, plus a gzip copy of the first."""
    s3.create_bucket(Bucket="shards")
    for p in shards:
        s3.upload_file(str(p), "shards", f"data/{p.name}")
    s3.put_object(Bucket="shards", Key="gz/part-0.jsonl.gz", Body=gzip.compress(shards[0].read_bytes()))
    return "s3://shards"


@pytest.fixture
def small_ranges(monkeypatch):
    monkeypatch.setattr(engine, "RANGE_BYTES", 50_000)


def json_report(report: prep.Report, *prefixes: str) -> dict:
    """The JSON report, with each file's folder (local or in the bucket) left out of its path."""
    out = io.StringIO()
    REPORTERS["json"](report, out, max_issues=None)
    text = out.getvalue()
    for prefix in prefixes:
        text = text.replace(prefix, "")
    return json.loads(text)


def test_shards_in_s3_report_as_local_copies(bucket, shards):
    remote = prep.check([f"{bucket}/data/{p.name}" for p in shards])
    local = prep.check(shards)
    assert json_report(remote, f"{bucket}/data/") == json_report(local, f"{shards[0].parent}/")
    assert remote.files[0].path == "s3://shards/data/part-0.jsonl"
    assert {"P101", "P403"} <= {i.code for i in remote.issues}


def test_on_the_cluster_the_report_is_the_local_one(bucket, shards, dask_scheduler, small_ranges):
    assert len(engine.ranges_of(prep.reading.sources.stat_source(str(shards[0])))) >= 8
    urls = [f"{bucket}/data/{p.name}" for p in shards] + [f"{bucket}/gz/part-0.jsonl.gz"]
    on_cluster = prep.check(urls, dask=dask_scheduler)
    local = prep.check([*shards, shards[0]])
    got = json_report(on_cluster, f"{bucket}/data/", f"{bucket}/gz/", ".gz")
    assert got == json_report(local, f"{shards[0].parent}/")
    assert [f.examples for f in on_cluster.files] == [f.examples for f in local.files]


def test_a_validation_file_on_the_cluster_reports_leakage_as_locally(bucket, shards, dask_scheduler, small_ranges):
    on_cluster = prep.check(f"{bucket}/data/part-0.jsonl", valid=f"{bucket}/data/part-1.jsonl", dask=dask_scheduler)
    local = prep.check(shards[0], valid=shards[1])
    assert json_report(on_cluster, f"{bucket}/data/") == json_report(local, f"{shards[0].parent}/")
    assert "P404" in {i.code for i in on_cluster.issues}


def test_a_killed_worker_changes_nothing(shards, dask_scheduler, small_ranges):
    """SIGKILL a worker that is running ranges at the first progress message; dask runs them again."""
    import distributed

    killed: list[int] = []
    with distributed.Client(dask_scheduler, set_as_default=False) as watcher:
        pids = watcher.run(os.getpid)

        class KillOnce(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                busy = [w for w, keys in watcher.processing().items() if keys and w in pids]
                if not killed and busy:
                    killed.append(pids[busy[0]])
                    os.kill(pids[busy[0]], signal.SIGKILL)

        handler = KillOnce()
        engine.progress_log.addHandler(handler)
        engine.progress_log.setLevel(logging.INFO)
        try:
            on_cluster = prep.check(shards, dask=dask_scheduler)
        finally:
            engine.progress_log.removeHandler(handler)
        assert killed, "no worker was running a range when the first range came back"
        assert killed[0] not in watcher.run(os.getpid).values()  # the nanny started a new process
    assert json_report(on_cluster) == json_report(prep.check(shards))


def test_cli_local_cluster_on_s3_reports_progress(bucket, shards, run_prep, caplog):
    caplog.set_level(logging.INFO, logger="prep.progress")
    code, out, err = run_prep("check", "--format", "json", "--dask", "local:2", f"{bucket}/data/*.jsonl")
    expected = json_report(prep.check(shards), f"{shards[0].parent}/")
    assert out, err
    assert json.loads(out.replace(f"{bucket}/data/", "")) == expected
    assert code == 1
    said = [r.getMessage() for r in caplog.records if r.name == "prep.progress"]
    assert any(m.startswith(f"{SHARDS}/{SHARDS} ranges") and "MB/s" in m for m in said)
    assert "ranges" not in err  # progress is drawn on a terminal only (tests/unit/test_progress.py), not on a pipe


@pytest.mark.parametrize("spec", ["local:0", "local:two"])
def test_a_bad_local_cluster_is_one_sentence(run_prep, shards, spec):
    code, _, err = run_prep("check", "--dask", spec, shards[0])
    assert code == 2
    assert err == f"prep: error: --dask {spec}: N in local:N is a number of worker processes, 1 or more.\n"


def test_a_folder_in_the_bucket_stands_for_its_data_files(bucket, shards, run_prep):
    _, out, _ = run_prep("check", "--format", "json", "--no-tokens", f"{bucket}/data/")
    assert [f["path"] for f in json.loads(out)["files"]] == [f"{bucket}/data/{p.name}" for p in shards]


@pytest.fixture(scope="module")
def parquet(s3, bucket, tmp_path_factory) -> tuple[Path, str]:
    """A Parquet file of 301 rows in row groups of 64 (one row without a reply), locally and in the bucket."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path_factory.mktemp("pq") / "train.parquet"
    rows = [chat(f"q{i % 150}") for i in range(300)] + [{"messages": [{"role": "user", "content": "alone"}]}]
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=64)
    s3.upload_file(str(path), "shards", "pq/train.parquet")
    return path, f"{bucket}/pq/train.parquet"


def test_parquet_in_the_bucket_reports_as_the_local_file(parquet):
    path, url = parquet
    remote, local = prep.check(url), prep.check(path)
    assert json_report(remote, url.rpartition("/")[0] + "/") == json_report(local, f"{path.parent}/")
    assert [i.line for i in remote.issues if i.code == "P204"] == [301]
    assert remote.files[0].examples == 301


def test_parquet_row_groups_on_the_cluster_report_as_locally(parquet, shards, dask_scheduler):
    path, url = parquet
    on_cluster = prep.check([url, shards[0]], dask=dask_scheduler)
    local = prep.check([path, shards[0]])
    folders = (url.rpartition("/")[0] + "/", f"{path.parent}/", f"{shards[0].parent}/")
    assert json_report(on_cluster, *folders) == json_report(local, *folders)
    assert [i.line for i in on_cluster.issues if i.code == "P403"][:2] == [151, 152]


def test_an_unreachable_scheduler_is_one_sentence(run_prep, shards):
    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        code, _, err = run_prep("check", "--dask", "tcp://127.0.0.1:9", shards[0])
    assert code == 2
    assert err.startswith("prep: error: --dask tcp://127.0.0.1:9: cannot reach the scheduler (")
    assert err.count("\n") == 1
