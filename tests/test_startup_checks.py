"""Start-up checks on a real command line: bad prompts and engines that cannot render stop the run
before output.dir exists, in one line; the corrected command then runs (it is not "a different config")."""

import pytest

from tests.conftest import run_cli


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "prompts.path=PATH: prompt file not found: PATH"),
        ("", "prompts.path=PATH gives nothing to render: it holds no prompt"),
        (
            "# only a comment\n\n",
            "prompts.path=PATH gives nothing to render: all 1 prompts were rejected (first: blank",
        ),
        ("\u0645\u0631\u062d\u0628\u0627\n", "prompts.path=PATH gives nothing to render: all 1 prompts were rejected"),
    ],
)
def test_a_prompt_file_with_nothing_to_render_stops_before_output_dir(tmp_path, small_prompts, content, message):
    path = tmp_path / "bad_prompts.txt"
    if content is not None:
        path.write_text(content)
    out = tmp_path / "out"
    done = run_cli([f"prompts.path={path}", f"output.dir={out}"], cwd=tmp_path)
    assert done.returncode == 2 and message.replace("PATH", str(path)) in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and not out.exists()
    if content is not None:
        return
    # The retry with the right path runs (a config.yaml left behind would refuse it as "a different config").
    fixed = run_cli([f"prompts.path={small_prompts}", f"output.dir={out}", "voices.per_prompt=1"], cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stderr


@pytest.mark.slow
def test_an_engine_that_cannot_render_stops_the_run_in_one_line_with_the_install_step(tmp_path, small_prompts):
    empty_cache = tmp_path / "no-models"
    empty_cache.mkdir()
    out = tmp_path / "out"
    args = [
        "voices.catalog=[espeak_en,vctk]",  # a mixed catalog: the missing engine's share must not vanish quietly
        f"engines.coqui.tts_home={empty_cache}",
        f"prompts.path={small_prompts}",
        f"output.dir={out}",
    ]
    done = run_cli(args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("error: 109 of 157 selected voices cannot render on this machine: 109 coqui voice(s) [")
    assert "to install: pip install torch==2.13.0 && pip install -e '.[coqui]'" in line
    assert "voices.unavailable=skip" in line and not out.exists()
    skipped = run_cli([*args, "voices.unavailable=skip"], cwd=tmp_path)
    assert skipped.returncode == 0, skipped.stderr
    output = skipped.stdout + skipped.stderr
    assert "voices.unavailable=skip: left out 109 coqui voice(s) [" in output
    assert f"{out}: 16 utterances" in output  # 8 prompts x 2 voices, all eSpeak NG
