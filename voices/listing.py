"""The voice listing (``python -m voices``, ``speechforge voices``): catalogs as a table, with
whether each voice can render here. Whether one can is the engines' answer, a layer above this
package: the caller hands `main` that check (synth/voice_selection.py's `voices_command` does).

python -m voices                       # all shipped catalogs
python -m voices espeak_en --accent en-us --accent en-gb --gender female
python -m voices path/to/catalog.yaml --set piper.voices_dir=/data/piper-voices
python -m voices vctk --available      # only the voices this machine can render
python -m voices add DIR_OR_NAME... -o CATALOG.yaml [--download --voices-dir DIR] [--gender …]
                                       # catalog entries for Piper voices (see voices/add.py)
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable, Mapping, Sequence

from voices.catalog import TABLE_COLUMNS, CatalogError, Voice, catalog_names, load_catalogs, select_voices


def _engine_options(pairs: list[str] | None) -> dict[str, dict[str, str]]:
    options: dict[str, dict[str, str]] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        engine, dot, option = key.partition(".")
        if not sep or not dot or not engine or not option:
            raise CatalogError(f"--set wants ENGINE.OPTION=VALUE (e.g. piper.voices_dir=/data/voices); got {pair!r}")
        options.setdefault(engine, {})[option] = value
    return options


def table(voices: Sequence[Voice], available: Sequence[tuple[bool, str]]) -> str:
    at = TABLE_COLUMNS.index("accent") + 1  # the code's name beside it: "en-029" alone says little
    columns = (*TABLE_COLUMNS[:at], "accent_name", *TABLE_COLUMNS[at:-1], "available", TABLE_COLUMNS[-1])
    rows = []
    for v, (ok, _why) in zip(voices, available):
        cells = {c: str(getattr(v, c)) for c in (*TABLE_COLUMNS, "accent_name")}
        cells["available"] = "yes" if ok else "no"
        rows.append([cells[c] for c in columns])
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(columns)]

    def fmt(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()

    return "\n".join([fmt(columns), fmt(["-" * w for w in widths])] + [fmt(r) for r in rows])


# (voices, engines.<name>.* options) -> (can render here, why not) per voice
Availability = Callable[[Sequence[Voice], Mapping[str, Mapping]], list[tuple[bool, str]]]


def main(argv: list[str] | None, availability: Availability) -> int:
    """Run the listing command.

    :param argv: the arguments after ``voices`` (None: sys.argv[1:])
    :param availability: the check of what this machine can render, handed in by the caller
    :returns: the exit status (2 for a bad catalog, filter or option)
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["add"]:  # a subcommand: no shipped catalog is named "add" (a file by that name: ./add)
        from voices.add import main as add_main

        return add_main(argv[1:])
    parser = argparse.ArgumentParser(
        prog="python -m voices",
        description="List TTS voices from the voice catalogs; "
        "`python -m voices add --help` writes catalog entries for Piper voices.",
    )
    parser.add_argument(
        "catalogs", nargs="*", help=f"catalog names or YAML paths (default: all shipped: {', '.join(catalog_names())})"
    )
    parser.add_argument("--accent", action="append", help="keep only this accent (repeatable)")
    parser.add_argument("--gender", action="append", help="keep only this gender (repeatable)")
    parser.add_argument("--id", action="append", dest="ids", help="keep only this voice id (repeatable)")
    parser.add_argument("--available", action="store_true", help="keep only voices this machine can render")
    parser.add_argument(
        "--set",
        action="append",
        dest="options",
        metavar="ENGINE.OPTION=VALUE",
        help="engine option, as engines.<engine>.<option> in the generator's config (repeatable)",
    )
    args = parser.parse_args(argv)
    try:
        options = _engine_options(args.options)
        voices = load_catalogs(args.catalogs or catalog_names())
        voices = select_voices(voices, accents=args.accent, genders=args.gender, ids=args.ids)
    except CatalogError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    available = availability(voices, options)
    if args.available:
        kept = [(v, a) for v, a in zip(voices, available) if a[0]]
        voices, available = [v for v, _ in kept], [a for _, a in kept]
    print(table(voices, available))
    n_ok = sum(ok for ok, _ in available)
    print(f"\n{len(voices)} voices, {len({v.accent for v in voices})} accents; {n_ok} available on this machine")
    reasons = Counter((v.engine, why) for v, (ok, why) in zip(voices, available) if not ok)
    for (engine, why), n in sorted(reasons.items()):
        print(f"  not available ({n} {engine} voice{'s' if n > 1 else ''}): {why}")
    return 0
