"""Voice catalogs (YAML data shipped in this package) and balanced voice assignment.

>>> from voices import load_catalog, select_voices, VoiceAssigner
>>> voices = select_voices(load_catalog("espeak_en"), accents=["en-us", "en-gb"])
>>> VoiceAssigner(voices, per_prompt=2, seed=0).voices_for(0)  # doctest: +SKIP
"""

from voices.assign import VoiceAssigner
from voices.catalog import (
    GENDERS,
    REQUIRED_FIELDS,
    CatalogError,
    Voice,
    catalog_names,
    list_voices_table,
    load_catalog,
    load_catalogs,
    select_voices,
)

__all__ = [
    "GENDERS",
    "REQUIRED_FIELDS",
    "CatalogError",
    "Voice",
    "VoiceAssigner",
    "catalog_names",
    "list_voices_table",
    "load_catalog",
    "load_catalogs",
    "select_voices",
]
