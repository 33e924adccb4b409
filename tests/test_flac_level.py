"""output.flac_level: a FLAC file's size and bytes change with the level, its samples and labels do not."""

import numpy as np
import pytest
import soundfile as sf

from synth.run import ConfigError, generate
from tests.conftest import read_manifest


def test_level_changes_bytes_not_samples(compose_cfg, tmp_path, small_prompts):
    common = [f"prompts.path={small_prompts}", "voices.per_prompt=1", "output.report=false"]
    generate(compose_cfg(*common, f"output.dir={tmp_path / 'five'}"))  # the default, 5
    generate(compose_cfg(*common, "output.flac_level=0", f"output.dir={tmp_path / 'zero'}"))
    five, zero = read_manifest(tmp_path / "five"), read_manifest(tmp_path / "zero")
    assert [r["id"] for r in five] == [r["id"] for r in zero] and five
    sizes = {"five": 0, "zero": 0}
    for a, b in zip(five, zero):
        file_a, file_b = tmp_path / "five" / a["audio_filepath"], tmp_path / "zero" / b["audio_filepath"]
        assert np.array_equal(sf.read(file_a, dtype="int16")[0], sf.read(file_b, dtype="int16")[0])
        sizes["five"] += file_a.stat().st_size
        sizes["zero"] += file_b.stat().st_size
        # every label but the file's own hash is the same
        assert {k: v for k, v in a.items() if k not in ("sha256", "row_sha256")} == {
            k: v for k, v in b.items() if k not in ("sha256", "row_sha256")
        }
    assert sizes["zero"] > sizes["five"]  # level 0 skips the linear predictor search


@pytest.mark.parametrize("level", [9, -1, "fast"])
def test_bad_level_is_refused_by_name(compose_cfg, tmp_path, level):
    with pytest.raises(ConfigError, match="output.flac_level"):
        generate(compose_cfg(f"output.flac_level={level}", f"output.dir={tmp_path / 'c'}"))
