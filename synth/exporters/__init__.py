"""Corpus exporters: the canonical manifest rewritten into the formats training stacks load.

    export_corpus("corpus", ["hf", "kaldi"], {"webdataset": {"shard_size": 500}})

Each format lives in one module with `NAME`, `OPTIONS` (defaults), `write(root, folder, options)`
and `check(root, folder, expected)`; the second is how `verify` knows an export still agrees with
the manifest. EXPORTERS names each format's module (imported when the format is used), and
`exporter(name)` gives its `Exporter`. Exports go to <corpus>/exports/<name>/ and replace an
earlier one in one step."""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from seams import Registry
from synth.corpus import MANIFEST
from synth.exporters.agreement import Expected
from synth.exporters.common import ExportError, check_options, replace_dir
from synth.manifest import ManifestError


@dataclass(frozen=True)
class Exporter:
    """One export format, as its module defines it.

    :param name: the format's name (``output.formats``), also its folder under exports/
    :param write: (corpus root, an empty folder to fill, options) -> None
    :param check: (corpus root, the export folder, {row id: Expected or None}) -> problems found, for verify
    :param options: the options it accepts, with their defaults
    :param validate: checks of option values beyond their type, or None
    """

    name: str
    write: Callable[[Path, Path, dict], None]
    check: Callable[[Path, Path, dict[str, Expected | None]], list[str]]
    options: dict
    validate: Callable[[dict], None] | None = None

    @classmethod
    def of(cls, module: ModuleType) -> Exporter:
        """The Exporter a format's module defines (NAME, OPTIONS, write, check and maybe validate)."""
        return cls(module.NAME, module.write, module.check, dict(module.OPTIONS), getattr(module, "validate", None))


# Format name -> "module:write"; the module holds the rest (NAME, OPTIONS, check, validate).
EXPORTERS = Registry(
    "export format",
    {
        "hf": "synth.exporters.hf:write",
        "kaldi": "synth.exporters.kaldi:write",
        "lhotse": "synth.exporters.lhotse_sets:write",
        "nemo": "synth.exporters.nemo:write",
        "webdataset": "synth.exporters.webdataset_shards:write",
    },
    ExportError,
)


@functools.cache
def exporter(name: str) -> Exporter:
    """The format `name`, its module imported now; ExportError (with did-you-mean) if it is unknown."""
    found = Exporter.of(EXPORTERS.module(name))
    if found.name != name:
        raise ExportError(f"export format {name!r}: its module {EXPORTERS.target(name)} calls itself {found.name!r}")
    return found


def check_formats(formats) -> list[str]:
    """The format names, checked, each once, in the order asked."""
    names = [str(f).strip() for f in formats]
    for name in names:
        EXPORTERS.target(name)  # ExportError for an unknown name
    return list(dict.fromkeys(names))  # each once, in the order asked


def check_request(formats, options: dict | None = None) -> dict[str, dict]:
    """{format: its full options} for a request, or ExportError naming what is wrong. Cheap: call it
    before a long run so a typo fails at once, not after hours of rendering.

    :param formats: format names (``output.formats``)
    :param options: {format: its options} (``output.export_options``); defaults fill the rest
    """
    names = check_formats(formats)
    options = dict(options or {})
    unknown = sorted(set(options) - set(EXPORTERS))
    if unknown:
        raise ExportError(f"options given for {EXPORTERS.unknown(unknown[0])}")
    settings = {name: check_options(name, options.get(name), exporter(name).options) for name in names}
    for name, chosen in settings.items():
        if exporter(name).validate:
            exporter(name).validate(chosen)
    return settings


def export_corpus(corpus_dir, formats: list[str], options: dict | None = None) -> dict[str, Path]:
    """Write each format under <corpus>/exports/<name>/ from manifest.jsonl; return where each went.

    :param corpus_dir: a corpus folder (holding manifest.jsonl)
    :param formats: format names, e.g. ["hf", "kaldi"]
    :param options: {format: its options}, e.g. {"webdataset": {"shard_size": 1000}}
    :raises ExportError: an unknown format or option, or no manifest
    """
    root = Path(corpus_dir)
    settings = check_request(formats, options)
    if not (root / MANIFEST).is_file():
        raise ExportError(f"{str(root)!r} holds no {MANIFEST}: is it a corpus folder?")
    written = {}
    for name, chosen in settings.items():
        write = exporter(name).write
        written[name] = replace_dir(root / "exports" / name, lambda folder, w=write, o=chosen: w(root, folder, o))
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="speechforge export",
        description="Write a corpus's manifest into training formats under CORPUS_DIR/exports/.",
    )
    parser.add_argument("corpus_dir", metavar="CORPUS_DIR")
    parser.add_argument("--formats", required=True, help=f"comma-separated: {', '.join(sorted(EXPORTERS))}, or all")
    parser.add_argument(
        "--webdataset-shard-size",
        type=int,
        metavar="N",
        help=f"samples per tar shard (default {exporter('webdataset').options['shard_size']})",
    )
    parser.add_argument(
        "--absolute-paths",
        choices=("true", "false"),
        help="audio paths in nemo, kaldi and lhotse exports (defaults: relative, absolute, relative)",
    )
    args = parser.parse_args(argv)
    formats = sorted(EXPORTERS) if args.formats.strip() == "all" else [f for f in args.formats.split(",") if f.strip()]
    options: dict = {}
    if args.webdataset_shard_size is not None:
        options["webdataset"] = {"shard_size": args.webdataset_shard_size}
    if args.absolute_paths is not None:
        for name in ("nemo", "kaldi", "lhotse"):
            if name in formats:
                options[name] = {"absolute_paths": args.absolute_paths == "true"}
    try:
        written = export_corpus(args.corpus_dir, formats, options)
    except (ExportError, ManifestError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for name, path in written.items():
        print(f"{name}: {path}")
    return 0
