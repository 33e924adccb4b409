"""Reduced listening: certify a corpus's label-error rate from a small, stratified, reviewed sample.

python -m synth.review sample CORPUS --max-error 0.02 --confidence 0.95 [--out DIR]
python -m synth.review score CORPUS VERDICTS.json --max-error 0.02 --confidence 0.95
"""

from synth.review.stats import clopper_pearson_upper, hypergeometric_upper, sample_size

__all__ = ["clopper_pearson_upper", "hypergeometric_upper", "sample_size"]
