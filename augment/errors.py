"""The one exception type of the augmentation package."""


class AugmentConfigError(ValueError):
    """An augmentation setting is wrong; the message names the config key and what would be valid.

    Raised by `prepare()` in the parent at start-up, so a bad config never crashes a run midway.
    """
