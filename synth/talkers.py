"""The talkers babble noise is rendered with: eSpeak NG saying the built-in prompts.

augment renders no speech itself (it sits below the engines); the run hands it this `Talkers`.
"""

from __future__ import annotations

import functools
from importlib.metadata import version

from augment.babble import Talkers


@functools.cache
def _spoken_prompts() -> tuple[str, ...]:
    from synth.normalize import builtin_spoken_texts

    return tuple(builtin_spoken_texts())


def _espeak():
    from synth.engines import create_engine

    return create_engine("espeak")


def espeak_talkers() -> Talkers:
    """eSpeak NG at its neutral prosody saying the built-in prompts; its loader's version keys the bank."""
    from synth.engines import Prosody

    return Talkers(
        open_engine=_espeak,
        prosody=Prosody(),
        texts=_spoken_prompts,
        build={"espeakng_loader": version("espeakng-loader")},
    )
