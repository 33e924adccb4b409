"""Per-item randomness that depends on nothing but (run seed, key).

Python's hash() is salted per process and numpy's global state depends on call order, so neither
can give the same draw for an item whatever the worker, shard or resume. A digest can.
"""

import hashlib

import numpy as np


def derive_seed(seed: int, *key: object) -> int:
    """A 32-bit seed (what np.random.seed and random.seed accept everywhere) for (seed, *key)."""
    text = "/".join([str(seed), *map(str, key)])
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:4], "little")


def unit_interval(seed: int, *key: object) -> float:
    """A uniform draw in [0, 1) for (seed, *key)."""
    return derive_seed(seed, *key) / 2**32


def item_rng(item_seed: int) -> np.random.Generator:
    return np.random.default_rng(item_seed)
