"""Room impulse response banks: simulated once (pyroomacoustics image-source shoebox rooms) or read
from the user's folder of measured RIRs, cached on disk keyed by every parameter that shapes them.

Every RIR is aligned so its direct-path peak is sample 0: convolving then adds reverberation
without delaying speech, so word times stay true. Its RT60 is measured (Schroeder, see rt60.py)
from the stored RIR itself: image-source rooms do not decay exactly at the Sabine target, so a
simulated room's absorption is corrected from that measurement, and a room whose RIR still decays
outside the configured `rt60_s` is drawn again: every RIR in a simulated bank, and so every `rt60`
label, lies within the configured range.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from augment.audio_files import find_audio, read_mono
from augment.cache import bank_key, require_bank, save_bank
from augment.errors import AugmentConfigError
from augment.params import Spec
from augment.rt60 import direct_to_reverberant_db, schroeder_rt60, trim_tail

WALL_MARGIN_M = 0.3
SOURCE_HEIGHT_M = (1.1, 1.9)  # a talker's mouth, seated to standing
MIC_HEIGHT_M = (0.6, 1.6)  # a device on a table, shelf or held


def _aligned(rir: np.ndarray, around: int | None) -> np.ndarray:
    """Cut everything before the direct-path peak; normalize that peak to 1."""
    rir = np.asarray(rir, dtype=np.float64)
    if around is None:
        peak = int(np.argmax(np.abs(rir)))
    else:
        lo, hi = max(0, around - 8), min(len(rir), around + 9)
        peak = lo + int(np.argmax(np.abs(rir[lo:hi])))
    out = trim_tail(rir[peak:])
    return (out / np.max(np.abs(out))).astype(np.float32)


def _place(rng: np.random.Generator, dims: list[float], distance: float):
    """Microphone and source positions `distance` apart, inside the walls; None if it cannot fit."""
    margin = [min(WALL_MARGIN_M, d / 4) for d in dims]
    for _ in range(50):
        mic_z = float(np.clip(rng.uniform(*MIC_HEIGHT_M), margin[2], dims[2] - margin[2]))
        mic = [
            float(rng.uniform(margin[0], dims[0] - margin[0])),
            float(rng.uniform(margin[1], dims[1] - margin[1])),
            mic_z,
        ]
        src_z = float(np.clip(rng.uniform(*SOURCE_HEIGHT_M), margin[2], dims[2] - margin[2]))
        dz = src_z - mic_z
        if abs(dz) >= distance:
            src_z, dz = mic_z, 0.0
        radius = math.sqrt(distance**2 - dz**2)
        azimuth = rng.uniform(0, 2 * math.pi)
        src = [mic[0] + radius * math.cos(azimuth), mic[1] + radius * math.sin(azimuth), src_z]
        if all(margin[i] <= src[i] <= dims[i] - margin[i] for i in range(2)):
            return mic, src
    return None


# The Sabine target an image-source room is designed for is not the RT60 it decays with (measured
# 1.0-1.7x the target for the default profile's rooms): the design target is corrected by the
# measured/wanted ratio and the room simulated again, up to CALIBRATION_STEPS times.
CALIBRATION_STEPS = 3
CALIBRATION_TOLERANCE = 0.1  # stop correcting within 10% of the drawn RT60
POINT_TOLERANCE = 0.05  # a constant rt60_s (or a choice) is met within 5%: ISO 3382's precision class


def rt60_accepts(rt60_spec: Spec, wanted: float, measured: float | None) -> bool:
    """Whether an RIR measured at `measured` s may be labelled as drawn from `rt60_spec`: inside the
    configured [min, max], or within POINT_TOLERANCE of a constant or chosen value."""
    if measured is None:
        return False
    if rt60_spec.choices or rt60_spec.low == rt60_spec.high:
        return abs(measured - wanted) <= POINT_TOLERANCE * wanted
    return rt60_spec.low <= measured <= rt60_spec.high


def _simulate(dims, design_rt60, mic, src, distance, sample_rate):
    """The aligned RIR of a shoebox room designed (inverse Sabine) for `design_rt60`, and its design."""
    import pyroomacoustics as pra

    absorption, max_order = pra.inverse_sabine(design_rt60, dims)  # ValueError: too short for the room
    room = pra.ShoeBox(dims, fs=sample_rate, materials=pra.Material(absorption), max_order=max_order)
    room.add_source(src)
    room.add_microphone(mic)
    room.compute_rir()
    delay = pra.constants.get("frac_delay_length") // 2 + distance / pra.constants.get("c") * sample_rate
    return _aligned(room.rir[0][0], int(round(delay))), absorption, max_order


def simulate_one(
    rng: np.random.Generator, dims_spec: list[Spec], rt60_spec: Spec, distance_spec: Spec, sample_rate: int
):
    """One RIR whose measured (Schroeder) RT60 lies in the configured range: a room is drawn, its
    absorption designed for the drawn RT60, corrected from the measurement, and the room is drawn
    again when its RT60 still falls outside the range. Returns (rir, meta)."""
    for _ in range(200):
        dims = [round(s.draw(rng), 2) for s in dims_spec]
        wanted, distance = rt60_spec.draw(rng), distance_spec.draw(rng)
        placed = _place(rng, dims, distance)
        if placed is None:
            continue
        mic, src = placed
        design, last = wanted, None
        for _step in range(CALIBRATION_STEPS):
            try:
                rir, absorption, max_order = _simulate(dims, design, mic, src, distance, sample_rate)
            except ValueError:  # this RT60 is too short for a room this size
                break
            measured = schroeder_rt60(rir, sample_rate)
            if measured is None:
                break
            last = (rir, design, absorption, max_order, measured)
            if rt60_accepts(rt60_spec, wanted, measured) and abs(measured - wanted) <= CALIBRATION_TOLERANCE * wanted:
                break
            design = design * wanted / measured
        if last is None or not rt60_accepts(rt60_spec, wanted, last[4]):
            continue  # never labelled: another room is drawn
        rir, design, absorption, max_order, _measured = last
        meta = {
            "rt60_target": wanted,
            "rt60_design": round(float(design), 4),
            "room_dim": dims,
            "distance": round(math.dist(mic, src), 3),
            "absorption": round(float(absorption), 4),
            "max_order": int(max_order),
            "mic": [round(v, 3) for v in mic],
            "source": [round(v, 3) for v in src],
        }
        return rir, meta
    raise AugmentConfigError(
        f"cannot build a room from room_dim_m={[(s.low, s.high) for s in dims_spec]}, "
        f"rt60_s=({rt60_spec.low}, {rt60_spec.high}), "
        f"distance_m=({distance_spec.low}, {distance_spec.high}) in 200 draws: no room that size decays within the "
        "RT60 range (too short for rooms that large), or the distance does not fit inside them"
    )


def _finish(rir: np.ndarray, meta: dict, rir_id: str, sample_rate: int) -> dict:
    rt60 = schroeder_rt60(rir, sample_rate)
    return {
        "rir_id": rir_id,
        "rt60": round(rt60, 4) if rt60 is not None else None,
        "drr_db": direct_to_reverberant_db(rir, sample_rate),
        **meta,
    }


def simulated_bank(
    key: str, dims: list[Spec], rt60: Spec, distance: Spec, size: int, seed: int, sample_rate: int, cache_dir: Path
) -> Path:
    """Build (or find) the bank; returns its folder."""
    import pyroomacoustics as pra

    params = {
        "dims": [(s.low, s.high, s.choices) for s in dims],
        "rt60": (rt60.low, rt60.high, rt60.choices),
        "distance": (distance.low, distance.high, distance.choices),
        # how RIRs are drawn: a changed method must not reuse banks drawn the old way
        "drawing": ("rt60-calibrated", CALIBRATION_STEPS, CALIBRATION_TOLERANCE, POINT_TOLERANCE),
        "size": size,
        "seed": seed,
        "sample_rate": sample_rate,
        "pyroomacoustics": pra.__version__,
        "heights": (SOURCE_HEIGHT_M, MIC_HEIGHT_M, WALL_MARGIN_M),
    }
    ident = bank_key("rir-sim", params)
    folder = cache_dir / "rirs" / ident
    if (folder / "index.json").exists():
        return folder
    rirs, index = [], []
    for i in range(size):
        try:
            rir, meta = simulate_one(np.random.default_rng([seed, i]), dims, rt60, distance, sample_rate)
        except AugmentConfigError as exc:
            raise AugmentConfigError(f"{key}: {exc}") from exc
        rirs.append(rir)
        index.append(_finish(rir, meta, f"sim-{ident[:8]}-{i:03d}", sample_rate))
    save_bank(folder, rirs, index, params)
    return folder


def folder_bank(key: str, source: str, sample_rate: int, cache_dir: Path) -> Path:
    """The user's measured RIRs, each aligned and measured like simulated ones."""
    files = find_audio(source, key)
    root = Path(source).expanduser()
    stats = [(str(p.resolve()), p.stat().st_size, p.stat().st_mtime_ns) for p in files]
    ident = bank_key("rir-folder", {"files": stats, "sample_rate": sample_rate})
    folder = cache_dir / "rirs" / ident
    if (folder / "index.json").exists():
        return folder
    rirs, index = [], []
    for path in files:
        rir = read_mono(path, sample_rate, key)
        if not np.any(rir):
            raise AugmentConfigError(f"{key}: impulse response {str(path)!r} is all zeros")
        rir = _aligned(rir, None)
        name = str(path.relative_to(root)) if root.is_dir() else path.name
        # geometry of a measured room is not known from the file: recorded as null, not guessed
        rirs.append(rir)
        index.append(_finish(rir, {"rt60_target": None, "room_dim": None, "distance": None}, name, sample_rate))
    save_bank(folder, rirs, index, {"files": stats, "sample_rate": sample_rate})
    return folder


def load(folder: str) -> tuple[list[np.ndarray], list[dict]]:
    return require_bank(folder, "RIR")
