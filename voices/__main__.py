"""``python -m voices``: print voice catalogs as a table.

    python -m voices                       # all shipped catalogs
    python -m voices espeak_en --accent en-us --accent en-gb --gender female
    python -m voices path/to/catalog.yaml
"""

from __future__ import annotations

import argparse
import sys

from voices.catalog import CatalogError, catalog_names, list_voices_table, load_catalogs, select_voices


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m voices", description="List TTS voices from the voice catalogs.")
    parser.add_argument(
        "catalogs", nargs="*", help=f"catalog names or YAML paths (default: all shipped: {', '.join(catalog_names())})"
    )
    parser.add_argument("--accent", action="append", help="keep only this accent (repeatable)")
    parser.add_argument("--gender", action="append", help="keep only this gender (repeatable)")
    parser.add_argument("--id", action="append", dest="ids", help="keep only this voice id (repeatable)")
    args = parser.parse_args(argv)
    try:
        voices = load_catalogs(args.catalogs or catalog_names())
        voices = select_voices(voices, accents=args.accent, genders=args.gender, ids=args.ids)
    except CatalogError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(list_voices_table(voices))
    print(f"\n{len(voices)} voices, {len({v.accent for v in voices})} accents")
    return 0


if __name__ == "__main__":
    sys.exit(main())
