"""The engine alone, as a child process that benchmarks/steady_state.py can follow: one engine
(create_engine + synthesize, nothing of the pipeline), the given requests in order, one JSON line
with the audio's duration (and whether the engine timed its words) appended to ROWS per request as it finishes.

    python benchmarks/bare_engine.py REQUESTS.pickle ROWS.jsonl

REQUESTS.pickle: (engine name, create_engine keyword arguments, [(spoken text, engine voice,
Prosody, seed), ...]), written by engine_throughput.py from a run's own plan.
"""

from __future__ import annotations

import json
import pickle
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    from synth.engines import create_engine

    requests, rows = Path(sys.argv[1]), Path(sys.argv[2])
    name, options, items = pickle.loads(requests.read_bytes())
    engine = create_engine(name, **options)
    with open(rows, "a", buffering=1) as out:  # line-buffered: each row is visible as it finishes
        for text, voice, prosody, seed in items:
            synthesis = engine.synthesize(text, voice, prosody, seed)
            out.write(
                json.dumps(
                    {
                        "duration": len(synthesis.audio) / synthesis.sample_rate,
                        "timed": synthesis.word_events is not None,
                    }
                )
                + "\n"
            )
    engine.close()


if __name__ == "__main__":
    main()
