"""ASR round trip with the real pocketsphinx model on real eSpeak NG renders: a planted wrong
transcript (render text A, label it B) is flagged; WER maths; deterministic sampling; the CLI."""

import json

import numpy as np
import pytest

pytest.importorskip("pocketsphinx", reason="pocketsphinx is not installed (pip install pocketsphinx)")

from synth.asr_check import (
    AsrChecker,
    AsrSettings,
    check_item,
    main,
    selected,
    wer,
    word_errors,  # noqa: E402
    write_language_model,
)
from synth.engines import Prosody, create_engine  # noqa: E402
from synth.normalize import to_spoken  # noqa: E402
from synth.run import generate  # noqa: E402
from tests.conftest import SMALL_PROMPTS, read_manifest  # noqa: E402

# A voice pocketsphinx (trained on human speech) hears fairly well; most eSpeak NG voices it does not.
VOICE = "en-us+f1"


@pytest.fixture(scope="module")
def renders():
    engine = create_engine("espeak")
    try:
        out = []
        for text in SMALL_PROMPTS:
            spoken = to_spoken(text)
            s = engine.synthesize(spoken.spoken, VOICE, Prosody(), seed=7)
            out.append((spoken.transcript, s.audio, s.sample_rate))
        return out
    finally:
        engine.close()


@pytest.fixture(scope="module")
def checker(renders, tmp_path_factory):
    # The in-domain LM (qc.asr.lm=corpus): the run's own transcripts; the audio must still pick one.
    lm = write_language_model([t for t, _, _ in renders], tmp_path_factory.mktemp("lm") / "plan.arpa")
    # A label of another prompt scores WER >= 1.0 on this set; the true labels up to 0.55 (measured: pocketsphinx
    # mishears some of eSpeak NG's formant digits, e.g. "five five five zero"): the threshold sits between the two.
    return AsrChecker(max_wer=0.75, lm_path=lm)


def test_word_error_rate_known_values():
    assert word_errors("the cat sat", "the cat sat") == (0, 3)
    assert word_errors("the cat sat", "the bat sat down") == (2, 3)  # one substitution, one insertion
    assert word_errors("the cat sat on the mat", "cat on mat") == (3, 6)  # three deletions
    assert word_errors("a b", "") == (2, 2)
    assert wer("a b c d", "a x c") == 0.5
    assert wer("", "") == 0.0 and wer("", "uh") == 1.0


def test_planted_wrong_transcripts_are_flagged(renders, checker):
    for i, (transcript, audio, rate) in enumerate(renders):
        wrong_label = renders[(i + 1) % len(renders)][0]  # rendered A, labelled B
        right = checker.check(audio, rate, transcript)
        wrong = checker.check(audio, rate, wrong_label)
        assert wrong["flagged"], (transcript, wrong_label, wrong)
        assert not right["flagged"], (transcript, right)
        assert wrong["wer"] > right["wer"]
        assert right["hyp"] == wrong["hyp"]  # the label does not steer the recognizer


def test_default_lm_round_trip(renders):
    # pocketsphinx's general English LM: on formant voices its WER is high even for right labels
    # (see the module doc), so only the ordering is asserted here, on a clip it hears well.
    checker = AsrChecker(max_wer=0.5)
    transcript, audio, rate = renders[6]  # "the f b i opened an office ...": WER ~0.36 here
    right = checker.check(audio, rate, transcript)
    wrong = checker.check(audio, rate, "remind me to water the plants every sunday")
    assert set(right) == {"hyp", "wer", "oov", "flagged"} and isinstance(right["hyp"], str)
    assert wrong["flagged"] and wrong["wer"] > right["wer"]


def test_result_does_not_depend_on_what_was_decoded_before(renders, checker):
    transcript, audio, rate = renders[0]
    first = checker.check(audio, rate, transcript)
    for other, a, r in renders[1:4]:
        checker.check(a, r, other)
    assert checker.check(audio, rate, transcript) == first


def test_out_of_vocabulary_words_are_reported(renders, checker):
    transcript, audio, rate = renders[0]
    assert checker.check(audio, rate, transcript + " zyxwvut")["oov"] == ["zyxwvut"]


def test_sampling_by_seed_is_deterministic_and_near_the_fraction():
    seeds = range(5000)
    picked = [s for s in seeds if selected(s, 0.2)]
    assert picked == [s for s in seeds if selected(s, 0.2)]
    assert 0.18 < len(picked) / 5000 < 0.22
    assert all(selected(s, 1.0) for s in seeds[:50]) and not any(selected(s, 0.0) for s in seeds[:50])
    assert set(s for s in seeds if selected(s, 0.1)) <= set(picked)  # a larger fraction adds items


def test_render_helpers_configure_once_and_check_the_sampled_share(renders, tmp_path):
    transcripts = [t for t, _, _ in renders]
    assert AsrSettings.from_config({"enabled": False}) is None
    settings = AsrSettings.from_config({"enabled": True, "sample_fraction": 1.0, "max_wer": 0.5, "lm": "corpus"})
    assert settings == AsrSettings(1.0, 0.5, "corpus")
    transcript, audio, rate = renders[0]
    with pytest.raises(ValueError, match="with_language_model"):
        check_item(settings, 1, audio, rate, transcript)
    ready = settings.with_language_model(lambda: transcripts, tmp_path / "a")
    assert ready.lm_path == str((tmp_path / "a" / "asr_lm.arpa").resolve())
    # The LM is a function of the set of transcripts: any order, any shard gives the same bytes.
    settings.with_language_model(lambda: reversed(transcripts * 2), tmp_path / "b")
    assert (tmp_path / "a" / "asr_lm.arpa").read_bytes() == (tmp_path / "b" / "asr_lm.arpa").read_bytes()
    assert check_item(ready, 1, audio, rate, transcript)["flagged"] is False
    assert check_item(AsrSettings(0.0), 1, audio, rate, transcript) is None
    assert check_item(None, 1, audio, rate, transcript) is None
    with pytest.raises(ValueError, match="qc.asr.lm 'whisper'"):
        AsrSettings.from_config({"enabled": True, "lm": "whisper"})
    with pytest.raises(ValueError, match="sample_fraction"):
        AsrSettings(sample_fraction=2)


def test_checker_validates_its_arguments(tmp_path):
    with pytest.raises(ValueError, match="max_wer"):
        AsrChecker(max_wer=-1)
    with pytest.raises(FileNotFoundError, match="nothere.arpa"):
        AsrChecker(lm_path=tmp_path / "nothere.arpa")


def test_cli_reports_wer_per_engine_voice_and_accent(compose_cfg, tmp_path, small_prompts, capsys):
    out = tmp_path / "corpus"
    generate(compose_cfg(f"output.dir={out}", f"prompts.path={small_prompts}", "voices.per_prompt=2", "n_jobs=1"))
    rows = read_manifest(out)
    assert main([str(out), "--sample", "6", "--lm", "corpus", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    groups = report["groups"]
    assert report["items"] == 6 and groups["all"]["items"] == 6 and groups["engine=espeak"]["items"] == 6
    assert sum(g["items"] for k, g in groups.items() if k.startswith("accent=")) == 6
    assert {k.split("=", 1)[1] for k in groups if k.startswith("voice=")} <= {r["speaker"]["id"] for r in rows}
    assert 0 <= groups["all"]["wer"] and np.isfinite(groups["all"]["wer"])
    assert main([str(out), "--sample", "2"]) == 0
    assert "engine=espeak" in capsys.readouterr().out
    assert main([str(tmp_path / "missing")]) == 2
