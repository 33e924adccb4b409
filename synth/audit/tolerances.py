"""Every threshold of the audit in one place, with why it is set where it is.

A label fails when it is off by more than its tolerance; each tolerance sits above what the
measurement itself gets wrong on labels that are true (measured on real renders: README, "Audit").
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tolerances:
    """:param duration_s: |label − samples/rate|; the label is rounded to 0.1 ms, so 1 ms is generous.
    :param rms_db: |qc.rms_dbfs − the file's RMS|: qc must describe the file it sits on.
    :param impostor_margin: the label's forced-alignment score per 10 ms frame must beat every
        impostor transcript's by at least this much (pocketsphinx's scaled log-likelihood units;
        true labels' median margin is 34–58 per frame across the engines, a wrong label loses;
        benchmarks/RESULTS.md). The margin is taken over the speech span only (alignment.speech_span):
        with leading and trailing silence in the pause-free comparison, 6 of 56 MBROLA true labels lost
        by up to 19 per frame (their edges are exact zeros) and won by 7-46 once it was trimmed; the
        tolerance itself is unchanged.
    :param gap_s: a run of exact digital zeros at least this long counts as a gap. Stop closures and
        pauses can be that long (MBROLA writes its pauses as zeros): a gap is a failure only where the
        aligner has to put a non-stop phone into it, or squeezes a whole word next to it to the
        acoustic model's minimum of 3 frames per phone (the word has no sound of its own).
    :param gap_phone_overlap_s: how much of a gap a non-stop phone may cover before the sound it
        stands for counts as missing (the aligner's frame edges blur by about one frame each side).
    :param word_offset_s: |median signed (label − aligner) start time| of a row's words. The aligner
        itself is off by a median 12 ms and p90 48 ms per word (benchmarks/aligner_error.py); a row's
        median offset is far steadier than one word's (engine medians −2 to +10 ms on eSpeak NG, RHVoice,
        Flite and Festival, benchmarks/RESULTS.md).
    :param pitch_ratio: |log(realized pitch ratio / label)|, realized = median F0 of the row over the
        median F0 of the same text rendered at factor 1.0 (Praat's autocorrelation pitch tracker).
    :param rate_ratio: the same for the speaking rate, from the spans between the first and last
        speech frame.
    :param volume_db: the same for volume, from the RMS over speech frames, on rows whose pitch and
        rate are 1.0 (a voice's level moves with them).
    :param slope: |1 − slope| of log(realized) against log(label) over a group's rows, for groups
        whose labels spread at least `min_spread` (natural log units) and hold `min_rows` rows.
    :param snr_label_low_db: how far a file-SNR label may lie below the least-squares estimate. The
        estimate hardly ever overshoots the file's true SNR (it cannot explain noise as speech):
        against the chain's own speech part, p90 +0.2 dB (benchmarks/audit_snr.py).
    :param snr_label_high_db: how far it may lie above the estimate when steps ran after the noise
        (a device chain). There the estimate errs low where the chain does what the fit cannot model:
        over 80 renders through the default profile's devices, median −0.8 dB, p10 −6.6 dB, worst
        −16.7 dB (phone's μ-law channel the worst). So one row is judged only beyond that worst case,
        and a group by its median (`snr_group_bias_db`). Where the noise was the last step the
        estimate is exact to ±0.2 dB and `snr_label_low_db` bounds both sides.
    :param snr_group_bias_db: an engine's median (label − estimate) above this is a false SNR label
        for the group (true labels: −0.8 dB overall, −2.6 dB on the phone profile alone).
    :param rt60_rel: |label − measured| / measured for a room's rt60.
    :param rt60_range_rel: how far beyond the configured rt60_s range a measured RT60 may fall.
    """

    duration_s: float = 0.001
    rms_db: float = 1.0
    impostor_margin: float = 1.0
    gap_s: float = 0.03
    gap_phone_overlap_s: float = 0.03
    word_offset_s: float = 0.035
    pitch_ratio: float = 0.05
    rate_ratio: float = 0.06
    volume_db: float = 1.0
    slope: float = 0.2
    min_spread: float = 0.1
    min_rows: int = 4
    snr_label_low_db: float = 3.0
    snr_label_high_db: float = 18.0
    snr_group_bias_db: float = 3.0
    rt60_rel: float = 0.15
    rt60_range_rel: float = 0.1
