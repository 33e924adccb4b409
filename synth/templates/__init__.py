"""Template prompt sources: a YAML grammar of intents, carrier phrases and typed slots, expanded
deterministically into prompts labelled with intent and slot spans (characters in the text, words in
the transcript that synth.normalize.to_spoken gives for the whole text).

    expand_templates(path, seed, per_intent) -> Iterator[Prompt | PromptRejection]

The grammar format is documented at the top of the built-in domain, builtin_domain_path().
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Iterator

from synth.prompts import MAX_PROMPT_CHARS, Prompt, PromptRejection
from synth.templates.data import data_path
from synth.templates.errors import TemplateError
from synth.templates.expand import DEFAULT_PER_INTENT, expand, targets
from synth.templates.grammar import Grammar, load_grammar

__all__ = ["TemplateError", "expand_templates", "builtin_domain_path", "load_grammar", "DEFAULT_PER_INTENT"]


def builtin_domain_path() -> pathlib.Path:
    """The example domain: smart home, timers and alarms, music, weather, shopping lists, calls."""
    return data_path("domains", "home_assistant.yaml")


def expand_templates(
    path: str | os.PathLike | None,
    seed: int,
    per_intent: int | dict | None = None,
    *,
    max_chars: int = MAX_PROMPT_CHARS,
) -> Iterator[Prompt | PromptRejection]:
    """Prompts drawn from the grammar at ``path`` (None: the built-in domain), in a fixed order.

    ``per_intent``: prompts per intent (an int, scaled by each intent's ``weight``), a dict
    {intent: count} (unlisted intents get the default, 0 leaves one out), or None (the default,
    DEFAULT_PER_INTENT). Same file + seed + per_intent gives the same prompts in the same order.

    The grammar is read and checked now: a bad file raises TemplateError here, not mid-stream.
    An expansion whose slot spans cannot be located exactly in the transcript is yielded as a
    PromptRejection with the reason; an intent whose grammar runs out of distinct utterances yields
    fewer prompts (and logs a warning).
    """
    if isinstance(max_chars, bool) or not isinstance(max_chars, int) or max_chars < 1:
        raise ValueError(f"max_chars must be a positive integer; got {max_chars!r}")
    grammar: Grammar = load_grammar(builtin_domain_path() if path is None else path)
    targets(grammar, per_intent)  # check per_intent now too
    return expand(grammar, seed, per_intent, max_chars)
