"""Coqui TTS engine: a tiny random-weight VITS built here with coqui-tts's own classes, saved as a
model folder and loaded through TTS.api exactly as a user's model would be (by path, and by name from
a model cache that stands in for ~/.local/share/tts)."""

import hashlib
import json
import math
from pathlib import Path

import numpy as np
import pytest

from synth.engines.base import EngineError, Prosody, create_engine, voice_available
from synth.engines.coqui import import_torchaudio

# coqui-tts and torch are ~1.5 GB: installed by scripts/test.sh --all (CI), not by the default test command.
pytestmark = pytest.mark.extras


@pytest.fixture(scope="module", autouse=True)
def _coqui_installed():
    # in a fixture, not at import: a module-level skip would show in the default run, which deselects it
    pytest.importorskip("TTS", reason="coqui-tts is not installed (pip install -e '.[test-extras]')")


TEXT = "hello world, this is a tiny test of the coqui engine."
VCTK_SPEAKERS = ("p225", "p226", "p326", "p335")  # English F, English M, Australian M, New Zealand F


def build_tiny_vits(folder: Path, speakers=VCTK_SPEAKERS, frames_per_token: float = 1.8) -> Path:
    """A ~1.4 M-parameter multi-speaker VITS at 16 kHz, laid out like Coqui's downloaded model folders.

    Its duration predictor is set to a constant `frames_per_token`, so utterances have a plausible
    length for their text (random weights would give any length); everything else is random.
    """
    import_torchaudio()
    import torch
    from TTS.config.shared_configs import BaseAudioConfig
    from TTS.tts.configs.shared_configs import CharactersConfig
    from TTS.tts.configs.vits_config import VitsArgs, VitsConfig
    from TTS.tts.models.vits import Vits

    folder.mkdir(parents=True, exist_ok=True)
    speakers_file = folder / "speaker_ids.json"
    speakers_file.write_text(json.dumps({name: i for i, name in enumerate(speakers)}))
    args = VitsArgs(
        hidden_channels=32,
        hidden_channels_ffn_text_encoder=64,
        num_heads_text_encoder=2,
        num_layers_text_encoder=1,
        num_layers_posterior_encoder=1,
        num_layers_flow=1,
        use_sdp=False,
        init_discriminator=False,
        upsample_rates_decoder=[8, 8, 4],
        upsample_initial_channel_decoder=32,
        upsample_kernel_sizes_decoder=[16, 16, 8],
        resblock_kernel_sizes_decoder=[3],
        resblock_dilation_sizes_decoder=[[1, 3, 5]],
        use_speaker_embedding=True,
        speaker_embedding_channels=16,
        speakers_file=str(speakers_file),
        out_channels=257,
    )
    config = VitsConfig(
        model_args=args,
        audio=BaseAudioConfig(sample_rate=16000, fft_size=512, win_length=512, hop_length=256, num_mels=80),
        use_phonemes=False,
        text_cleaner="english_cleaners",
        characters=CharactersConfig(
            characters_class="TTS.tts.models.vits.VitsCharacters",
            pad="_",
            eos="",
            bos="",
            blank=None,
            characters="abcdefghijklmnopqrstuvwxyz",
            punctuations=" !',.?-",
            phonemes=None,
        ),
        add_blank=True,
        use_speaker_embedding=True,
        speakers_file=str(speakers_file),
    )
    torch.manual_seed(0)
    model = Vits(config)
    with torch.no_grad():
        model.duration_predictor.proj.weight.zero_()
        model.duration_predictor.proj.bias.fill_(math.log(frames_per_token))
    torch.save({"model": model.state_dict()}, folder / "model_file.pth")
    config.save_json(str(folder / "config.json"))
    return folder


@pytest.fixture(scope="module")
def tts_home(tmp_path_factory):
    """A Coqui model cache holding the tiny model under the VCTK VITS model's name."""
    home = tmp_path_factory.mktemp("tts_home")
    build_tiny_vits(home / "tts" / "tts_models--en--vctk--vits")
    return home


@pytest.fixture(scope="module")
def engine(tts_home):
    e = create_engine("coqui", timeout_s=60, tts_home=str(tts_home))
    yield e
    e.close()


def _sha(audio):
    return hashlib.sha256(np.ascontiguousarray(audio).tobytes()).hexdigest()


def test_renders_a_speaker_by_model_name_from_the_cache(engine):
    out = engine.synthesize(TEXT, "tts_models/en/vctk/vits#p326", Prosody(), seed=1)
    duration = len(out.audio) / out.sample_rate
    assert out.sample_rate == 16000 and out.audio.dtype == np.float32
    assert 20 * np.log10(np.sqrt(np.mean(out.audio**2))) > -40  # not silent
    assert 1.5 < len(TEXT.split()) / duration < 7  # words per second of a plausible utterance
    assert out.word_events is None and out.prosody == Prosody(1.0, 1.0, 1.0)


def test_model_by_path_through_tts_api(tts_home, tmp_path):
    folder = build_tiny_vits(tmp_path / "my_model", speakers=("alice", "bob"))
    e = create_engine("coqui", timeout_s=60)
    by_folder = e.synthesize(TEXT, f"{folder}#bob", Prosody(), seed=3)
    by_file = create_engine("coqui", timeout_s=60).synthesize(
        TEXT, f"{folder / 'model_file.pth'}#bob", Prosody(), seed=3
    )
    assert np.array_equal(by_folder.audio, by_file.audio)
    with pytest.raises(EngineError, match="no speaker 'carol'; known: alice, bob"):
        e.synthesize(TEXT, f"{folder}#carol", Prosody(), seed=3)


def test_same_arguments_same_samples_and_seed_and_speaker_matter(engine):
    a = engine.synthesize(TEXT, "tts_models/en/vctk/vits#p225", Prosody(), seed=7)
    engine.synthesize("something else entirely.", "tts_models/en/vctk/vits#p226", Prosody(1.1, 1, 1), seed=8)
    b = engine.synthesize(TEXT, "tts_models/en/vctk/vits#p225", Prosody(), seed=7)
    c = engine.synthesize(TEXT, "tts_models/en/vctk/vits#p225", Prosody(), seed=9)
    d = engine.synthesize(TEXT, "tts_models/en/vctk/vits#p226", Prosody(), seed=7)
    assert _sha(a.audio) == _sha(b.audio)
    assert _sha(a.audio) != _sha(c.audio) and _sha(a.audio) != _sha(d.audio)


def test_prosody_rate_and_volume_are_applied_and_recorded(engine):
    base = engine.synthesize(TEXT, "tts_models/en/vctk/vits#p225", Prosody(), seed=1)
    slow = engine.synthesize(TEXT, "tts_models/en/vctk/vits#p225", Prosody(rate=0.5, pitch=1.3, volume=0.5), seed=1)
    assert slow.prosody == Prosody(rate=0.5, pitch=1.0, volume=0.5)  # VITS has no pitch control
    assert len(slow.audio) > 1.5 * len(base.audio)
    assert np.max(np.abs(slow.audio)) == pytest.approx(0.5 * np.max(np.abs(base.audio)), rel=1e-3)


def test_missing_model_says_where_to_put_it(tmp_path):
    ok, why = voice_available("coqui", "tts_models/en/vctk/vits#p225", tts_home=str(tmp_path))
    assert not ok and str(tmp_path / "tts" / "tts_models--en--vctk--vits") in why and "TTS_HOME" in why
    e = create_engine("coqui", timeout_s=60, tts_home=str(tmp_path))
    with pytest.raises(EngineError, match="not in the local model cache"):
        e.synthesize(TEXT, "tts_models/en/vctk/vits#p225", Prosody(), seed=1)


def test_vctk_catalog_through_the_generator(compose_cfg, tts_home, tmp_path, small_prompts):
    from synth.run import generate
    from tests.conftest import check_corpus

    out = tmp_path / "corpus"
    generate(
        compose_cfg(
            "voices=vctk",
            f"prompts.path={small_prompts}",
            f"++engines.coqui.tts_home={tts_home}",
            "voices.ids=[vctk-p225,vctk-p226,vctk-p326,vctk-p335]",
            "n_jobs=1",
            f"output.dir={out}",
            "words.align=false",
        )
    )  # random weights speak no words: nothing to align
    rows = check_corpus(out)
    assert len(rows) == 16
    by_id = {r["speaker"]["id"]: r["speaker"] for r in rows}
    assert by_id["vctk-p326"] == {
        "id": "vctk-p326",
        "engine": "coqui",
        "voice": "tts_models/en/vctk/vits#p326",
        "accent": "en-au",
        "gender": "male",
        "locale": "en-AU",
        "license": by_id["vctk-p326"]["license"],
        "commercial_use": True,
    }
    assert "VCTK" in by_id["vctk-p326"]["license"] and by_id["vctk-p335"]["accent"] == "en-nz"
    assert all(r["words"] is None and r["prosody"]["pitch"] == 1.0 for r in rows)
