"""executor=dask on a real LocalCluster of worker processes gives joblib's corpus, byte for byte."""

from tests.conftest import check_corpus, corpus_fingerprint, run_cli


def test_dask_local_cluster_matches_joblib(tmp_path, small_prompts):
    common = [f"prompts.path={small_prompts}", "voices.per_prompt=3", "n_jobs=2"]
    dask = run_cli([*common, "executor=dask", "output.dir=dask"], cwd=tmp_path)
    assert dask.returncode == 0, dask.stderr[-3000:]
    joblib = run_cli([*common, "executor=joblib", "output.dir=joblib"], cwd=tmp_path)
    assert joblib.returncode == 0, joblib.stderr[-3000:]
    check_corpus(tmp_path / "dask")
    assert (tmp_path / "dask" / "manifest.jsonl").read_bytes() == (tmp_path / "joblib" / "manifest.jsonl").read_bytes()
    assert corpus_fingerprint(tmp_path / "dask") == corpus_fingerprint(tmp_path / "joblib")


def test_unreachable_scheduler_is_a_clear_error(tmp_path, small_prompts):
    result = run_cli(
        [f"prompts.path={small_prompts}", "executor=dask", "executor.address=tcp://127.0.0.1:9", "output.dir=x"],
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 2
    assert "executor.address 'tcp://127.0.0.1:9'" in result.stderr and "Traceback" not in result.stderr
