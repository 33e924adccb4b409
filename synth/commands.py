"""`speechforge <command>`: one entry point for everything besides generation's own script.

speechforge generate [hydra overrides]     same as speechforge-generate / python generate.py
speechforge voices [catalogs] [filters]    list voices with their metadata and availability
speechforge voices add DIR_OR_NAME… -o CATALOG.yaml [--download --voices-dir DIR]
                                           catalog entries for Piper voices (a folder, or names to download)
speechforge export CORPUS --formats …      write hf / nemo / kaldi / lhotse / webdataset exports
speechforge verify CORPUS                  check files, checksums, ids and exports
speechforge report CORPUS                  write the dataset card with plots
speechforge merge OUTPUT_DIR               join the shards of a sharded run
speechforge review sample|score …          the reduced-listening review loop
speechforge asr-check CORPUS [--sample N]  pocketsphinx WER per engine, accent and voice
speechforge audit CORPUS [--sample N]      re-measure every label; exit 1 when one is false
"""

from __future__ import annotations

import sys

from seams import Registry

# command -> "module:function": imported only when used, so a missing optional extra breaks only its own
# command. "generate" is Hydra's own entry point and is handled apart.
COMMANDS = Registry(
    "command",
    {
        "voices": "synth.voice_selection:voices_command",
        "export": "synth.exporters:main",
        "verify": "synth.verify:main",
        "report": "synth.report:main",
        "merge": "synth.merge:main",
        "review": "synth.review.__main__:main",
        "asr-check": "synth.asr_check:main",
        "audit": "synth.audit.command:main",
    },
)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == "generate":
        from synth.cli import main as generate_main

        sys.argv = ["speechforge generate", *rest]
        generate_main()
        return 0
    if command not in COMMANDS:
        print(f"speechforge: {COMMANDS.unknown(command)}, generate", file=sys.stderr)
        return 2
    return int(COMMANDS.load(command)(rest) or 0)


if __name__ == "__main__":
    sys.exit(main())
