"""The SNR of a delivered (augmented) file, from the speech part the chain carried alongside it."""

from __future__ import annotations

import numpy as np


def file_snr_db(delivered: np.ndarray, speech: np.ndarray | None) -> float | None:
    """SNR of a delivered file: 10·log10(Σ speech² / Σ (delivered − speech)²) over the whole file,
    where `speech` is its speech part (AugmentResult.speech). The noise part is everything else:
    the noise as the device left it, plus the coding, clipping and quantization error of the chain
    and of the file itself. None without a speech part, or when either part is silent.

    :param delivered: the samples of the file as written (float, full scale 1.0)
    :param speech: its speech part, same length
    """
    if speech is None or not len(speech):
        return None
    s = np.asarray(speech, dtype=np.float64)
    residual = np.asarray(delivered, dtype=np.float64)[: len(s)] - s
    # einsum, not np.dot: dot goes to OpenBLAS, whose threads cost ~0.8 CPU ms a call here (8 ms on a busy
    # machine, a third of an augmented item's CPU) and whose sums depend on the thread count (n_jobs)
    power, noise = float(np.einsum("i,i->", s, s)), float(np.einsum("i,i->", residual, residual))
    if power <= 0 or noise <= 0:
        return None
    return round(10 * np.log10(power / noise), 2)
