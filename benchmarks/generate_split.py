"""`generate.py`, reporting where its CPU time went: this process (the pipeline, when n_jobs=1 runs
in-process) and its children (the engine helper, its voice servers and per-utterance forks).

With n_jobs=1 and augment banks already cached, the children are the engine and nothing else, so
children / (self + children) is the pipeline's throughput as a fraction of the engine's own, both
measured in the same run on the same utterances: the machine's drift (a noisy neighbour, a slower
period) moves both alike, unlike two separate runs.

    python benchmarks/generate_split.py SPLIT.json [generate.py overrides ...]
"""

from __future__ import annotations

import atexit
import json
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _report(path: str) -> None:
    from synth.render import close_engines

    close_engines()  # waits for the helpers, so their CPU time is counted as children
    Path(path).write_text(
        json.dumps({"self_cpu_s": _cpu(resource.RUSAGE_SELF), "children_cpu_s": _cpu(resource.RUSAGE_CHILDREN)})
    )


if __name__ == "__main__":
    out = sys.argv.pop(1)
    atexit.register(_report, out)
    from synth.cli import main

    main()
