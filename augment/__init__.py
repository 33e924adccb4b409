"""Room, noise and device-microphone augmentation with full provenance (see chain.py for the flow)."""

from augment.chain import AugmentResult, Chain, PreparedAugment, prepare
from augment.errors import AugmentConfigError

__all__ = ["AugmentConfigError", "AugmentResult", "Chain", "PreparedAugment", "prepare"]
