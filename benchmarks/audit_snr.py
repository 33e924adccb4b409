"""How far the audit's least-squares file SNR is from the truth, per device profile.

The truth is the chain's own speech part (`AugmentResult.speech`, with `augment.chain.file_snr_db`):
the clean rows of CORPUS go through the corpus's augment config again with several seeds, and the
audit's estimate from (delivered file, clean render, RIR) is compared with it. Needs a chain that
carries the speech part.

    python benchmarks/audit_snr.py CORPUS [--seeds 6]
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import soundfile as sf
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from augment import chain as augment_chain  # noqa: E402
from augment.cache import cache_root  # noqa: E402
from benchmarks.common import append_results  # noqa: E402
from synth.audit import snr  # noqa: E402
from synth.audit.reverb import RirBanks  # noqa: E402
from synth.manifest import read_manifest  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--seeds", type=int, default=6)
    args = parser.parse_args()
    if not hasattr(augment_chain, "file_snr_db"):
        sys.exit("this augment chain does not carry the speech part (AugmentResult.speech): nothing to compare with")
    cfg = yaml.safe_load((args.corpus / "config.yaml").read_text())["augment"]
    cfg["paired"] = False
    prepared = augment_chain.prepare(cfg, 16000, 1234)
    chain, banks = prepared.build(), RirBanks(cache_root(cfg.get("cache_dir")))
    errors = defaultdict(list)
    for row in read_manifest(args.corpus / "manifest.jsonl"):
        if row.augment:
            continue
        clean, rate = sf.read(args.corpus / row.audio_filepath, dtype="float32")
        for seed in range(args.seeds):
            result = chain.apply(clean, rate, seed * 7919 + row.seed % 1000)
            if result.speech is None:
                continue
            delivered = np.clip(np.round(result.audio * 32767), -32768, 32767) / 32768  # as a file holds it
            truth = augment_chain.file_snr_db(delivered, result.speech)
            reference = clean
            for step in result.applied:
                if "rir_id" in step["params"]:
                    reference = snr.reverberant(reference, banks.get(step["params"]["rir_id"]))
            estimate = snr.file_snr(delivered, reference, rate, varying_gain=True)
            if truth is not None and estimate is not None:
                errors[result.device or "none"].append(estimate - truth)
                errors["all"].append(estimate - truth)
    lines = [
        "| device | renders | median (estimate − truth) dB | p10 | p90 | worst low | worst high |",
        "|---|---|---|---|---|---|---|",
    ]
    for device, values in sorted(errors.items()):
        v = np.asarray(values)
        lines.append(
            f"| {device} | {len(v)} | {np.median(v):+.2f} | {np.percentile(v, 10):+.2f} | {np.percentile(v, 90):+.2f} "
            f"| {v.min():+.2f} | {v.max():+.2f} |"
        )
    print("\n".join(lines))
    append_results("Audit: least-squares file SNR against the chain's speech part", " ".join(sys.argv), lines)


if __name__ == "__main__":
    main()
