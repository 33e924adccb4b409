"""benchmarks/steady_state.py, the sampler behind the per-engine table: it must count the CPU of
descendants (an engine's helper, its forks), not only the root's, and keep the window's rows."""

import sys
import textwrap
from pathlib import Path

from benchmarks.steady_state import follow, tree_cpu

# A root that does nothing but wait, and a grandchild that burns CPU and writes one row per item:
# only a sampler that walks the whole tree sees the work.
_SCRIPT = textwrap.dedent(
    """
    import json, subprocess, sys, time
    if sys.argv[1] == "root":
        subprocess.run([sys.executable, __file__, "middle", sys.argv[2]], check=True)
    elif sys.argv[1] == "middle":
        subprocess.run([sys.executable, __file__, "worker", sys.argv[2]], check=True)
    else:
        with open(sys.argv[2], "a", buffering=1) as out:
            for i in range(10):
                end = time.process_time() + 0.05
                while time.process_time() < end:
                    pass
                out.write(json.dumps({"duration": 1.0}) + "\\n")
    """
)


def test_the_window_holds_the_grandchild_cpu(tmp_path: Path):
    script, rows = tmp_path / "tree.py", tmp_path / "rows.jsonl"
    script.write_text(_SCRIPT)
    window = follow([sys.executable, str(script), "root", str(rows)], rows, expected=10)
    assert 6 <= window.rows <= 8  # the rows between 20% (2) and 90% (9), as the polls saw them
    assert window.audio_s == window.rows
    # 7 items of 50 ms each, in a process two levels below the root; clock ticks are 10 ms
    assert 0.25 <= window.cpu_s <= 0.6, window
    assert window.total_cpu_s >= 0.5 >= window.cpu_s - 0.1


def test_tree_cpu_of_a_gone_process_is_zero():
    assert tree_cpu(2**22 + 12345) == 0.0  # above any pid_max: never a live process
