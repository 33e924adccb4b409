"""Per-item randomness that depends on nothing but (run seed, key).

Python's hash() is salted per process and numpy's global state depends on call order, so neither
can give the same draw for an item whatever the worker, shard or resume. A digest can.
"""

import hashlib

import numpy as np

# 63 bits: wide enough that items practically never share a seed (expected colliding pairs among n
# items are n(n-1)/2 / 2**63: 5e-8 for a million, 5e-6 for ten million; 32 bits gave ~116 pairs per
# million), and narrow enough to fit a signed 64-bit integer in Parquet, Arrow and lhotse's custom
# fields. C engines whose seed API is 32-bit (libc srand, espeak_ng_SetRandSeed) take the low bits.
SEED_BITS = 63


def derive_seed(seed: int, *key: object) -> int:
    """A 63-bit seed for (seed, *key): the low bits of sha256 over "seed/key/...".

    Args:
        seed: the run seed (``seed`` in the config).
        key: what the draw is for, e.g. an item id, or ("split", "speaker", name).
    """
    text = "/".join([str(seed), *map(str, key)])
    digest = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")
    return digest & ((1 << SEED_BITS) - 1)


def unit_interval(seed: int, *key: object) -> float:
    """A uniform draw in [0, 1) for (seed, *key)."""
    return derive_seed(seed, *key) / 2**SEED_BITS


def item_rng(item_seed: int) -> np.random.Generator:
    return np.random.default_rng(item_seed)
