"""PII scrubbing for any prompt stream: find e-mail addresses, phone numbers, payment cards (Luhn-valid),
street addresses and personal names (from shipped name lists), and replace each with a synthetic value
of the same kind, deterministically from (seed, prompt id).

    scrub_prompts(prompts, seed) -> Iterator[Prompt | PromptRejection]
    find_pii(text) -> [(type, start, end)]
"""

from synth.pii.detect import TYPES, find_pii
from synth.pii.scrub import scrub_prompt, scrub_prompts

__all__ = ["TYPES", "find_pii", "scrub_prompt", "scrub_prompts"]
