"""benchmarks/parallel_ceiling.py: the two halves of the engine-alone track hold every item once, in
plan order, each half with every voice; and a real bare_engine.py run over them renders them all."""

import pickle
from pathlib import Path

from benchmarks.parallel_ceiling import engine_alone, speedup, split_requests
from synth.manifest import Prosody


def test_halves_hold_every_item_once_in_order_and_render(tmp_path: Path):
    plain = Prosody(rate=1.0, pitch=1.0, volume=1.0)
    items = [(f"Item number {i}.", ("en-us", "en")[i % 4 < 2], plain, i) for i in range(12)]
    requests = tmp_path / "requests.pickle"
    requests.write_bytes(pickle.dumps(("espeak", {"timeout_s": 60.0}, items)))
    halves = split_requests(requests, 2)
    parts = [pickle.loads(p.read_bytes())[2] for p in halves]
    assert parts[0] == items[0::2] and parts[1] == items[1::2]
    assert all({v for _, v, _, _ in part} == {"en-us", "en"} for part in parts)
    assert engine_alone(halves, tmp_path, pinned=True) > 0
    rendered = [len((tmp_path / f"rows{k}.jsonl").read_text().splitlines()) for k in range(2)]
    assert rendered == [6, 6]


def test_speedup_is_of_the_medians_and_per_round():
    one, two, ratio, each = speedup([10.0, 12.0, 11.0], [5.0, 8.0, 5.5])
    assert (one, two) == (11.0, 5.5) and ratio == 2.0
    assert each == [2.0, 1.5, 2.0]
