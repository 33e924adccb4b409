"""A successful run prints one line, with the corpus's absolute path; executor=dask adds nothing of
dask.distributed's own unless executor.log_level asks for it."""

import pytest

from tests.conftest import run_cli


@pytest.mark.slow
def test_dask_run_prints_only_the_summary_line_unless_asked(tmp_path, small_prompts):
    done = run_cli(["executor=dask", f"prompts.path={small_prompts}", "output.dir=rel/corpus"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert lines == [f"{(tmp_path / 'rel' / 'corpus').resolve()}: 16 utterances, {lines[0].split(', ')[1]}, 0 rejected"]
    loud = run_cli(
        ["executor=dask", "executor.log_level=info", f"prompts.path={small_prompts}", "output.dir=loud"], cwd=tmp_path
    )
    assert loud.returncode == 0, loud.stderr
    assert len((loud.stdout + loud.stderr).splitlines()) > 10  # the scheduler's and workers' INFO lines
