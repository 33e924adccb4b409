"""`python generate.py --help` and the README's configuration table, both made from the schema
(synth/config_schema.py: types and meanings) and the composed conf/*.yaml (the defaults).

    python -m synth.config_help --table      # the README table (tests/test_config_schema.py compares)
"""

from __future__ import annotations

import functools
import json
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

from synth.config_schema import GROUPS, KEYS, OPEN_MAPS

ABOUT = (
    "speechforge generate: render text prompts in many accented TTS voices and write a labelled speech corpus "
    "(audio, manifest.jsonl with transcript, word times, voice, accent and prosody per utterance, optional "
    "exports and a dataset card) into output.dir."
)
TABLE_START, TABLE_END = "<!-- config-table:start -->", "<!-- config-table:end -->"


def composed(overrides: Sequence[str] = ()) -> tuple[dict, dict[str, str]]:
    """The resolved config for these overrides and the option chosen in each group."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from omegaconf import OmegaConf

    from synth.cli import config_dir

    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir(), version_base="1.3"):
            cfg = compose("config", overrides=list(overrides), return_hydra_config=True)
            choices = {g.name: str(cfg.hydra.runtime.choices.get(g.name)) for g in GROUPS}
            del cfg.hydra
            return OmegaConf.to_container(cfg, resolve=True), choices
    finally:
        GlobalHydra.instance().clear()


def group_options(name: str) -> list[str]:
    from synth.cli import config_dir

    return sorted(p.stem for p in (Path(config_dir()) / name).glob("*.yaml"))


def shown(value) -> str:
    """A value as it would be typed in YAML or on the command line."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, dict)):
        return json.dumps(value).replace('"', "")
    return str(value)


def _lookup(config: dict, path: str):
    for part in path.split("."):
        if not isinstance(config, dict) or part not in config:
            return None
        config = config[part]
    return config


def rows(config: dict, choices: dict[str, str]) -> list[tuple[str, str, str]]:
    """(key, default, meaning) for every group and key, in schema order; keys sharing a table label
    (qc.thresholds.*) are one row."""
    out = [
        (f"`{g.name}=<option>`", f"`{choices[g.name]}`", f"{g.doc}; options: {', '.join(group_options(g.name))}")
        for g in GROUPS
    ]
    done = set()
    for key in KEYS:
        if key.table:
            if key.table in done:
                continue
            done.add(key.table)
            members = [k for k in KEYS if k.table == key.table]
            default = ", ".join(f"{k.path.rsplit('.', 1)[1]} {shown(_lookup(config, k.path))}" for k in members)
            out.append((key.table, default, key.doc))
            continue
        choices_note = f" (one of: {', '.join(key.choices)})" if key.choices and "`" not in key.doc else ""
        default = shown(_lookup(config, key.path)) if _present(config, key.path) else _default_elsewhere(key.path)
        out.append((f"`{key.path}`", default, key.doc + choices_note))
    out += [(f"`{m}.*`", "", doc) for m, doc in OPEN_MAPS.items() if m != "hydra"]
    return out


@functools.cache
def _option_config(group: str, option: str) -> dict:
    return composed([f"{group}={option}"])[0]


def _default_elsewhere(path: str) -> str:
    """The default of a key only some options of its group set, e.g. "16 (executor=dask)"."""
    group = path.split(".", 1)[0]
    for option in group_options(group) if group in {g.name for g in GROUPS} else []:
        config = _option_config(group, option)
        if _present(config, path):
            return f"{shown(_lookup(config, path))} ({group}={option})"
    return "-"


def _present(config: dict, path: str) -> bool:
    parent, _, leaf = path.rpartition(".")
    holder = _lookup(config, parent) if parent else config
    return isinstance(holder, dict) and leaf in holder


def readme_table(config: dict | None = None, choices: dict[str, str] | None = None) -> str:
    """The Markdown table that README.md holds between TABLE_START and TABLE_END."""
    if config is None:
        config, choices = composed()
    lines = ["| key | default | meaning |", "|---|---|---|"]
    lines += [f"| {k} | {d} | {m} |" for k, d, m in rows(config, choices)]
    return "\n".join(lines)


def help_text(overrides: Sequence[str] = ()) -> str:
    """What `python generate.py --help` prints; defaults as composed with `overrides`."""
    config, choices = composed(overrides)
    width = 110
    out = [textwrap.fill(ABOUT, width), ""]
    out += [
        "usage: python generate.py [group=option ...] [key=value ...]      (or: speechforge generate ...)",
        "  e.g. python generate.py prompts.path=my_prompts.txt voices=natural_en voices.per_prompt=3 "
        "output.dir=my_corpus",
        "",
        "Lists need quotes on the command line: 'voices.accents=[en-us,en-029]' (a bare comma starts a Hydra sweep).",
        "An unknown key is an error, also with +key=value, except under the open maps listed at the end.",
        "",
    ]
    key_width = max(len(k) for k, _, _ in rows(config, choices)) - 2
    for key, default, meaning in rows(config, choices):
        key = key.replace("`", "")
        head = f"  {key:<{key_width}}  {default.replace('`', '')}"
        body = textwrap.wrap(meaning.replace("`", ""), width - 8)
        out.append(head)
        out += [f"        {line}" for line in body]
    out += [
        "",
        "More: README.md (Configuration, Voices and engines, Augmentation);",
        "python -m voices lists the voices and what this machine can render; --hydra-help: Hydra's own options.",
    ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    print(readme_table() if argv[:1] == ["--table"] else help_text(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
