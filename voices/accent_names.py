"""Names for accent codes ("en-029" -> "Caribbean English"), from the shipped catalogs' accent_name.

The manifest records the code only (a stable label); what a person reads (the `voices` table, the
dataset card and its plots, the review page) shows the code with its name.
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict


@functools.cache
def shipped_accent_names() -> dict[str, str]:
    """Accent code -> the name most shipped catalog entries give it."""
    from voices.catalog import catalog_names, load_catalog

    seen: dict[str, Counter] = defaultdict(Counter)
    for name in catalog_names():
        for voice in load_catalog(name):
            seen[voice.accent][voice.accent_name] += 1
    out = {code: names.most_common(1)[0][0] for code, names in seen.items()}
    return {
        code: name.split(" (")[0] if len(name) > 40 else name for code, name in out.items()
    }  # en-x-ja's is a sentence


def accent_name(code: str) -> str:
    """``"Caribbean English"`` for ``"en-029"``; "" when no shipped catalog names the code."""
    return shipped_accent_names().get(code, "")


def accent_label(code: str) -> str:
    """``"en-029 (Caribbean English)"``; the code alone when no shipped catalog names it."""
    name = accent_name(code)
    return f"{code} ({name})" if name else code
