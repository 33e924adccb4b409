"""PII scrubbing for any prompt stream: find names (from context, case and word libraries as well as the
shipped lists), phone numbers (written or said as digit words), e-mail addresses, payment cards, street
addresses, SSNs, national insurance numbers, IBANs, bank accounts and dates of birth, and replace each
with a synthetic value of the same kind and shape, deterministically from (seed, prompt id).

    scrub_prompts(prompts, seed) -> Iterator[Prompt | PromptRejection]
    find_pii(text) -> [(type, start, end)]   types: TYPES
"""

from synth.pii.detect import TYPES, find_pii
from synth.pii.scrub import scrub_prompt, scrub_prompts

__all__ = ["TYPES", "find_pii", "scrub_prompt", "scrub_prompts"]
