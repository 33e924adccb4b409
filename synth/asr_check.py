"""ASR round trip: does a recognizer hear the transcript the label claims?

pocketsphinx (CMU Sphinx; its PyPI wheel ships a US English acoustic model, dictionary and LM)
transcribes the clean render and the word error rate against the row's `transcript` is recorded.
Its acoustic model was trained on human speech: it suits natural-sounding voices (Piper, Coqui,
MBROLA) far better than eSpeak NG's formant voices, where even correct labels score a high WER:
measured on the built-in prompts in the 48 default eSpeak NG voices, WER 0.89 with pocketsphinx's
general LM and 0.59 with `--lm corpus` (en-us 0.27, en-029 0.81). On eSpeak NG, read the figure
per voice or accent, relative to its peers, and set `max_wer` high.
`lm: corpus` (a trigram LM of the run's own transcripts) hears far better and decodes ~3x faster,
but it favours the labels: a wrong label that is another prompt's transcript is still caught, a
near-miss less often. Cost per second of audio, one core: ~0.22 s CPU with the general LM,
~0.07 s with the corpus LM (eSpeak NG itself renders a second in ~1.3 ms): check a sample.

    python -m synth.asr_check CORPUS [--sample N] [--lm default|corpus]   WER per engine/voice/accent
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from synth.audio_io import resample, to_pcm16
from synth.letter_runs import spell_out
from synth.manifest import read_manifest

ASR_RATE = 16000  # the shipped acoustic model's rate


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(substitutions + deletions + insertions, words in the reference): Levenshtein over words."""
    ref, hyp = reference.split(), hypothesis.split()
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        diagonal, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            diagonal, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diagonal + (r != h))
    return row[-1], len(ref)


def wer(reference: str, hypothesis: str) -> float:
    errors, n = word_errors(reference, hypothesis)
    return errors / n if n else float(errors > 0)


def selected(seed: int, fraction: float) -> bool:
    """Is the item with this seed in the checked sample? Depends on the seed alone, so the choice
    is the same whatever the shard layout, worker count or order."""
    if fraction >= 1:
        return True
    digest = hashlib.sha256(f"asr-check:{int(seed)}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < fraction


def write_language_model(texts, path: str | Path) -> Path:
    """An ARPA trigram LM of `texts` (e.g. every transcript of a run's full plan, not one shard's:
    the LM must be the same for every shard, or WERs would depend on the layout)."""
    from pocketsphinx.lm import ArpaBoLM

    model = ArpaBoLM(text="".join(f"{t}\n" for t in sorted(set(texts)) if t.strip()), add_start=True)
    model.compute()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    model.write_file(str(path))
    return path


def _arpa_words(path: Path) -> set[str]:
    words, section = set(), None
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            line = line.strip()
            if line.startswith("\\"):
                section = line
            elif section == "\\1-grams:" and line:
                words.add(line.split()[1])
    return words


def _dictionary_for(lm_path: Path, out: Path) -> Path:
    from pocketsphinx import get_model_path

    words = _arpa_words(lm_path)
    with open(Path(get_model_path()) / "en-us" / "cmudict-en-us.dict", encoding="utf-8") as full:
        # Entries look like "word P R O N" or "word(2) P R O N" for alternative pronunciations.
        out.write_text(
            "".join(line for line in full if line.split(" ", 1)[0].split("(", 1)[0] in words), encoding="utf-8"
        )
    return out


class AsrChecker:
    """One pocketsphinx decoder; build once per worker (loading the model takes ~1-2 s)."""

    def __init__(self, max_wer: float | None = 0.5, lm_path: str | Path | None = None):
        from pocketsphinx import Decoder

        if max_wer is not None and max_wer < 0:
            raise ValueError(f"max_wer must be >= 0 or None; got {max_wer}")
        options = {"samprate": ASR_RATE, "loglevel": "FATAL"}
        self.max_wer = max_wer
        if lm_path is None:
            self._decoder = Decoder(**options)
            return
        if not Path(lm_path).is_file():
            raise FileNotFoundError(f"ASR language model {lm_path} does not exist")
        # With the full 135k-word dictionary, pocketsphinx takes 15-45 s to set up the search for a
        # small LM; only words in both the LM and the dictionary can be recognized anyway, so a
        # dictionary cut down to the LM's words decodes the same and starts in milliseconds.
        with tempfile.TemporaryDirectory() as tmp:
            dictionary = _dictionary_for(Path(lm_path), Path(tmp) / "lm.dict")
            self._decoder = Decoder(**options, lm=str(lm_path), dict=str(dictionary))

    def transcribe(self, audio: np.ndarray, sample_rate: int) -> str:
        pcm = to_pcm16(resample(np.asarray(audio, dtype=np.float32), sample_rate, ASR_RATE))
        # pocketsphinx adapts its cepstral mean across utterances: reset it, or an item's result
        # would depend on what this worker decoded before (and so on n_jobs and shard layout).
        self._decoder.reinit_feat()
        self._decoder.start_utt()
        self._decoder.process_raw(pcm.tobytes(), full_utt=True)
        self._decoder.end_utt()
        hyp = self._decoder.hyp()
        return hyp.hypstr if hyp is not None else ""

    def out_of_vocabulary(self, transcript: str) -> list[str]:
        """Words the recognizer cannot output at all: each one is a WER the voice is not to blame for."""
        return [w for w in transcript.split() if self._decoder.lookup_word(w) is None]

    def check(self, audio: np.ndarray, sample_rate: int, transcript: str) -> dict:
        """The row's `qc.asr`: {hyp, wer, oov, flagged}; flagged items deserve a listen."""
        hyp = self.transcribe(audio, sample_rate)
        result = {"hyp": hyp, "wer": round(wer(transcript, hyp), 4), "oov": self.out_of_vocabulary(transcript)}
        result["flagged"] = self.max_wer is not None and result["wer"] > self.max_wer
        return result


@dataclass(frozen=True)
class AsrSettings:
    """The `qc.asr` config as the workers need it (hashable, picklable)."""

    sample_fraction: float = 0.1
    max_wer: float | None = 0.5
    lm: str = "default"  # default: pocketsphinx's general English LM; corpus: the run's own transcripts
    lm_path: str | None = None  # the corpus LM, once written

    def __post_init__(self):
        if not 0 <= self.sample_fraction <= 1:
            raise ValueError(f"qc.asr.sample_fraction must be in [0, 1]; got {self.sample_fraction}")
        if self.lm not in ("default", "corpus"):
            raise ValueError(f"qc.asr.lm {self.lm!r} is not supported; valid: default, corpus")
        if self.max_wer is not None and self.max_wer < 0:
            raise ValueError(f"qc.asr.max_wer must be >= 0 or null; got {self.max_wer}")

    @classmethod
    def from_config(cls, asr_cfg: dict) -> AsrSettings | None:
        """Validate `qc.asr` early (before any folder is made); None when the check is off."""
        if not asr_cfg.get("enabled", False):
            return None
        max_wer = asr_cfg.get("max_wer", 0.5)
        return cls(
            float(asr_cfg.get("sample_fraction", 0.1)),
            None if max_wer is None else float(max_wer),
            str(asr_cfg.get("lm", "default")),
        )

    def with_language_model(self, transcripts: Callable[[], Iterable[str]], lm_dir: Path) -> AsrSettings:
        """In the parent, once the corpus folder exists: for `lm: corpus`, write the LM of
        `transcripts()` (the full plan's, whatever the shard) to lm_dir/asr_lm.arpa."""
        if self.lm != "corpus":
            return self
        path = write_language_model(transcripts(), Path(lm_dir) / "asr_lm.arpa")
        return dataclasses.replace(self, lm_path=str(path.resolve()))


_CHECKERS: dict[AsrSettings, AsrChecker] = {}  # one decoder per (worker process, settings)


def check_item(
    settings: AsrSettings | None, seed: int, audio: np.ndarray, sample_rate: int, transcript: str
) -> dict | None:
    """The row's `qc.asr`, or None when the check is off or this item is not in the checked share."""
    if settings is None or not selected(seed, settings.sample_fraction):
        return None
    if settings.lm == "corpus" and settings.lm_path is None:
        raise ValueError(
            "qc.asr.lm=corpus but no LM was written: call AsrSettings.with_language_model in the parent first"
        )
    if settings not in _CHECKERS:
        _CHECKERS[settings] = AsrChecker(settings.max_wer, settings.lm_path)
    return _CHECKERS[settings].check(audio, sample_rate, transcript)


def corpus_wer(root: Path, sample: int | None = 200, seed: int = 0, lm: str = "default") -> dict:
    """WER of a corpus's clean rows on a random sample, overall and per engine, voice and accent."""
    import soundfile as sf

    rows = list(read_manifest(root / "manifest.jsonl"))
    clean = [r for r in rows if not r.augment]
    pool = clean or rows  # an augmented-only corpus: measure what there is, and say so
    if sample is not None and sample < len(pool):
        pool = [pool[i] for i in sorted(np.random.default_rng(seed).choice(len(pool), sample, replace=False))]
    with tempfile.TemporaryDirectory() as tmp:
        lm_path = (
            write_language_model((spell_out(r.transcript) for r in rows), Path(tmp) / "corpus.arpa")
            if lm == "corpus"
            else None
        )
        checker = AsrChecker(max_wer=None, lm_path=lm_path)
        totals = defaultdict(lambda: [0, 0, 0, 0])  # errors, words, items, oov words
        for row in pool:
            audio, rate = sf.read(root / row.audio_filepath, dtype="float32")
            spelled = spell_out(row.transcript)  # normalize.letters=joined: "PM" is the letter names p, m
            errors, words = word_errors(spelled, checker.transcribe(audio, rate))
            oov = len(checker.out_of_vocabulary(spelled))
            speaker = row.speaker
            for key in ("all", f"engine={speaker.engine}", f"accent={speaker.accent}", f"voice={speaker.id}"):
                for i, value in enumerate((errors, words, 1, oov)):
                    totals[key][i] += value
    groups = {
        k: {"wer": round(e / w, 4) if w else None, "items": n, "words": w, "oov_rate": round(o / w, 4) if w else None}
        for k, (e, w, n, o) in sorted(totals.items())
    }
    return {
        "corpus": str(root),
        "lm": lm,
        "audio": "clean" if clean else "augmented",
        "items": len(pool),
        "groups": groups,
    }


def main(argv=None, prog: str = "python -m synth.asr_check") -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--sample", type=int, default=200, help="rows to decode (0: all); default 200")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--lm",
        choices=["default", "corpus"],
        default="default",
        help="default: pocketsphinx's general English LM; corpus: a trigram LM of the corpus's own "
        "transcripts (lower WER, but it favours the labels: a relative figure only)",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    if not (args.corpus / "manifest.jsonl").is_file():
        print(f"{args.corpus}: no manifest.jsonl; is it a corpus folder?", file=sys.stderr)
        return 2
    report = corpus_wer(args.corpus, args.sample or None, args.seed, args.lm)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"{report['corpus']}: {report['items']} {report['audio']} utterances, LM {report['lm']}")
    print(f"{'group':40s} {'WER':>7s} {'items':>6s} {'words':>6s} {'OOV':>6s}")
    for key, g in report["groups"].items():
        print(f"{key:40s} {g['wer']:7.3f} {g['items']:6d} {g['words']:6d} {g['oov_rate']:6.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
