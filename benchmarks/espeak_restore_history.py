"""Randomized-history check of eSpeak NG's state restore (synth/engines/espeak_zygote.py).

The shipped engine renders every utterance in its voice's process after copying back the library's
writable segments. That is only sound if nothing else carries state from one utterance to the next.
This renders random requests (texts, voices, prosody, seeds, repeats) in a random order through the
restoring engine, and the same requests through a child forked per utterance from the same
warmed-up state (which cannot see any history), and counts requests whose audio or word events
differ. A second pass renders them again in another order with room for only two voice servers
(evictions, restarts). tests/test_espeak_restore.py runs a small one; this script runs thousands.

    python benchmarks/espeak_restore_history.py [--renders N] [--seed S] [--no-record]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import append_results, builtin_spoken_texts  # noqa: E402

# what the built-in prompts do not cover: numbers read as digits, letters, punctuation runs,
# one-word and very long clauses, a breath-only string
ODD_TEXTS = [
    "A.",
    "Hmm",
    "1 2 3 4 5 6 7 8 9 10",
    "W X Y Z",
    "Wait... what?! No; yes: maybe (or not).",
    "supercalifragilisticexpialidocious",
    " ".join(["and then the quick brown fox jumped"] * 30),
]


def random_requests(n: int, seed: int) -> list[tuple[str, str, tuple[float, float, float], int]]:
    """`n` requests (text, engine voice, (rate, pitch, volume), seed), some repeated."""
    from voices.catalog import load_catalog

    rng = random.Random(seed)
    texts = builtin_spoken_texts() + ODD_TEXTS
    voices = sorted({v.engine_voice for v in load_catalog("espeak_en")})
    voices += ["en+f2", "en-us+whisper", "en+croak"]  # breathy and noisy variants: the noise generator's seed
    unique = max(1, int(n * 0.8))
    requests = []
    for _ in range(unique):
        prosody = (rng.uniform(0.4, 2.6), rng.uniform(0.5, 1.7), rng.uniform(0.0, 2.0))
        if rng.random() < 0.7:  # most near the defaults, as a corpus draws them
            prosody = (rng.uniform(0.9, 1.1), rng.uniform(0.9, 1.1), 1.0)
        requests.append((rng.choice(texts), rng.choice(voices), prosody, rng.getrandbits(63)))
    requests += [rng.choice(requests) for _ in range(n - unique)]
    rng.shuffle(requests)
    return requests


def render_all(engine, requests) -> list[tuple[bytes, tuple]]:
    from synth.engines import Prosody

    out = []
    for text, voice, (rate, pitch, volume), seed in requests:
        result = engine.synthesize(text, voice, Prosody(rate=rate, pitch=pitch, volume=volume), seed)
        out.append((result.audio.tobytes(), tuple((w.char_start, w.char_len, w.sample) for w in result.word_events)))
    return out


def history_check(n: int, seed: int) -> dict:
    """Differences between the restoring engine (two orders, two server limits) and a fork per item."""
    from synth.engines import create_engine

    requests = random_requests(n, seed)
    shuffled = list(range(n))
    random.Random(seed + 1).shuffle(shuffled)
    timings = {}
    results = {}
    for name, options, order in (
        ("fork", {"isolation": "fork"}, list(range(n))),
        ("restore", {}, list(range(n))),
        ("restore, 2 voice servers, other order", {"max_voice_servers": 2}, shuffled),
    ):
        engine = create_engine("espeak", **options)
        started = time.perf_counter()
        try:
            rendered = render_all(engine, [requests[i] for i in order])
        finally:
            engine.close()
        timings[name] = time.perf_counter() - started
        by_request = [None] * n
        for i, got in zip(order, rendered):
            by_request[i] = got
        results[name] = by_request
    reference = results.pop("fork")
    differing = {name: [i for i in range(n) if got[i] != reference[i]] for name, got in results.items()}
    return {"requests": requests, "differing": differing, "wall_s": timings}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    outcome = history_check(args.renders, args.seed)
    voices = len({r[1] for r in outcome["requests"]})
    lines = [
        f"{args.renders} random requests (seed {args.seed}; {voices} voices, built-in prompts plus odd texts, "
        "prosody over the engine's whole range for 30%, ~20% repeats), each rendered by a child forked per "
        "utterance (the reference) and by the restoring engine in two histories",
        "",
        "| engine | requests differing from the fork per utterance | wall s (loaded machine) |",
        "|---|---|---|",
        f"| fork per utterance (reference) | – | {outcome['wall_s']['fork']:.1f} |",
    ]
    for name, bad in outcome["differing"].items():
        lines.append(f"| {name} | {len(bad)} {bad[:10] if bad else ''} | {outcome['wall_s'][name]:.1f} |")
    print("\n".join(lines))
    if not args.no_record:
        append_results(
            "eSpeak NG state restore: randomized history check",
            " ".join(["benchmarks/espeak_restore_history.py", *sys.argv[1:]]),
            lines,
        )
    if any(outcome["differing"].values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
