"""Every config key the generator reads: its type, the values it may take and what it means.

The one place a key is described. The defaults themselves live in conf/*.yaml (what Hydra composes);
`--help` and the README's configuration table are generated from this schema plus those defaults
(synth/config_help.py), and tests/test_config_schema.py fails when a YAML key is missing here, so the
three cannot drift apart.

Hydra accepts any key given with `+` and ignores it silently; `check_config` makes an unknown key an
error, with "did you mean" from the known keys. Under the open maps (`engines.*`, `augment.steps.*`,
`augment.devices.*`, `output.export_options.*`, `hydra.*`) any key is accepted here: their own
validators (the engine constructors, augment.prepare, the exporters) check them at start-up.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass


class ConfigKeyError(ValueError):
    """An unknown key or a value of the wrong type; the message names the key and what is valid."""


@dataclass(frozen=True)
class Key:
    """One leaf key. `kind` is one of KINDS; `choices` limits a string; `nullable` allows null."""

    path: str
    kind: str
    doc: str
    choices: tuple[str, ...] = ()
    nullable: bool = False
    table: str = ""  # keys with the same label share one row of the README table


@dataclass(frozen=True)
class Group:
    """A config group (`voices=<option>`): its options are the YAML files in conf/<name>/."""

    name: str
    doc: str


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_names(v) -> bool:
    return isinstance(v, str) or (isinstance(v, list) and all(isinstance(x, str) for x in v))


# kind -> (test, what to say when it fails)
KINDS = {
    "int": (lambda v: isinstance(v, int) and not isinstance(v, bool), "an integer"),
    "float": (_is_number, "a number"),
    "bool": (lambda v: isinstance(v, bool), "true or false"),
    "str": (lambda v: isinstance(v, str), "a string"),
    "names": (_is_names, "a name or a list of names, e.g. [a,b] (quoted on the command line)"),
    "list": (lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v), "a list of names, e.g. '[a,b]'"),
    "range": (
        lambda v: _is_number(v) or (isinstance(v, list) and len(v) == 2 and all(_is_number(x) for x in v)),
        "a number or [min, max]",
    ),
    "map": (lambda v: isinstance(v, dict), "a mapping, e.g. '{key: value}'"),
    "int_or_map": (
        lambda v: (isinstance(v, int) and not isinstance(v, bool)) or isinstance(v, dict),
        "an integer or a map {intent: count}",
    ),
}

GROUPS: tuple[Group, ...] = (
    Group(
        "prompts",
        "where the text comes from: `builtin` (prompts.path, or the ~300 built-in prompts) or `templates` (a YAML "
        "grammar of "
        "intents, carrier phrases and typed slots; each row's `prompt` carries `intent`, `template` and `slots`; "
        "format: the "
        "comment at the top of synth/data/domains/home_assistant.yaml)",
    ),
    Group("voices", "the voice catalog (`python -m voices` lists every voice and whether it can render here)"),
    Group("augment", "augmentation profile: rooms, noise and device microphones"),
    Group("output", "where and how the corpus is written"),
    Group("executor", "how items are spread over worker processes"),
)

_THRESHOLDS = "`qc.thresholds.*`"

KEYS: tuple[Key, ...] = (
    Key("seed", "int", "everything random derives from it and the item id"),
    Key("n_jobs", "int", "worker processes"),
    Key("progress", "bool", "show the progress bar"),
    Key(
        "prompts.path",
        "str",
        "`.txt` (one per line, `#` comments), `.jsonl` (`text`, optional `id`, extra fields) or `.csv` (header with "
        "`text`, optional `id`, extra columns); null: the built-in set; with prompts=templates a grammar `.yaml` "
        "(null: the built-in home-assistant domain, 16 intents)",
        nullable=True,
    ),
    Key("prompts.max_chars", "int", "longer prompts are rejected"),
    Key(
        "prompts.source",
        "str",
        "set by the group: `file` (prompts.path) or `templates` (prompts=templates)",
        ("file", "templates"),
    ),
    Key(
        "prompts.per_intent",
        "int_or_map",
        "prompts=templates: prompts per intent (scaled by each intent's `weight`), or a map `{intent: count}`",
    ),
    Key(
        "prompts.scrub_pii",
        "bool",
        "replace personal data (names found from context, phone numbers whole, e-mail, cards, addresses, SSN, "
        "national ids, IBAN, bank accounts, dates of birth; see PII scrubbing) with synthetic values of the same kind "
        "and shape, decided by (seed, prompt id); `prompt.pii` records the types and counts, never the originals",
    ),
    Key("voices.catalog", "names", "catalog name(s) or YAML path(s); several: '[espeak_en,piper_en]'"),
    Key(
        "voices.accents",
        "names",
        "keep only these accents, e.g. '[en-us,en-029]' (`python -m voices` names each code)",
        nullable=True,
    ),
    Key("voices.genders", "names", "keep only these genders: female, male", nullable=True),
    Key("voices.ids", "names", "keep only these voice ids", nullable=True),
    Key(
        "voices.licenses",
        "str",
        "`commercial`: only voices whose catalog entry says `commercial_use: true`",
        ("any", "commercial"),
    ),
    Key(
        "voices.unavailable",
        "str",
        "a selected voice that cannot render here stops the run at start-up (`error`) or is left out with a warning "
        "(`skip`, what natural_en does)",
        ("error", "skip"),
    ),
    Key(
        "voices.speakers_per_voice",
        "int",
        "N > 1: each voice becomes N speakers (itself and N-1 pseudo-speakers with a formant and pitch warp); "
        "voices whose licence allows no derivatives stay one",
    ),
    Key("voices.per_prompt", "int", "distinct voices per prompt, balanced across accents, then genders"),
    Key("voices.prosody.rate", "range", "speaking-rate factor drawn per utterance (1.0: the voice's default)"),
    Key("voices.prosody.pitch", "range", "pitch factor drawn per utterance"),
    Key("voices.prosody.volume", "range", "volume factor drawn per utterance"),
    Key(
        "augment.paired",
        "bool",
        "also write the clean version of each augmented utterance (`<stem>-clean`, `<stem>-aug`)",
    ),
    Key(
        "augment.cache_dir",
        "str",
        "RIR and babble banks, converted noise files; null: ~/.cache/speechforge/augment",
        nullable=True,
    ),
    Key("output.dir", "str", "where the corpus goes (relative to the directory you run from)"),
    Key("output.audio_format", "str", "audio files: FLAC or 16-bit WAV", ("flac", "wav")),
    Key(
        "output.flac_level",
        "int",
        "FLAC compression level, 0 (fastest) to 8 (smallest): the decoded samples are the same at every level, "
        "the file bytes are not (benchmarks/RESULTS.md: time and size per level)",
    ),
    Key("output.sample_rate", "int", "Hz; resampled with soxr (HQ)"),
    Key("output.formats", "list", "exports written at the end: any of hf, nemo, kaldi, lhotse, webdataset"),
    Key("output.report", "bool", "write the dataset card (report/README.md + plots)"),
    Key(
        "output.if_exists",
        "str",
        "an existing output.dir: `resume` (same config continues), `overwrite` (start over) or `error`",
        ("resume", "overwrite", "error"),
    ),
    Key(
        "output.if_build_differs",
        "str",
        "resuming on other engine/library versions (config.yaml `versions`): `stop` with the list of what changed, "
        "or `continue` (rows say which build made them: `build`)",
        ("stop", "continue"),
    ),
    Key(
        "normalize.backend",
        "str",
        "how prompts become the words the voice says: `builtin` (our rules, ~0.1 ms a prompt) or `nemo` "
        "(nemo-text-processing, `pip install '.[nemo]'`, cached per text)",
        ("builtin", "nemo"),
    ),
    Key(
        "normalize.cross_check",
        "bool",
        "read every prompt with both normalizers; rows where they disagree get `normalize.cross_check.agree=false` "
        "and come first in the review sample",
    ),
    Key(
        "normalize.cache_dir",
        "str",
        "NeMo's compiled grammars and per-text cache (null: $SPEECHFORGE_NEMO_CACHE, else "
        "~/.cache/speechforge/nemo_tn)",
        nullable=True,
    ),
    Key(
        "normalize.letters",
        "str",
        "how the transcript writes an initialism (7 pm, USA): `spaced`, one word per letter name (`seven p m`: one "
        "label word per word the engine says), or `joined`, one upper-case word (`seven PM`, NeMo's convention); "
        "word times then span the whole initialism",
        ("spaced", "joined"),
    ),
    Key(
        "normalize.date_order",
        "str",
        "numeric dates the prompt cannot settle (3/5/2024): `auto` (slash: month first; dots, dashes: day first), "
        "`mdy`, `dmy` or `reject`",
        ("auto", "mdy", "dmy", "reject"),
    ),
    Key(
        "executor.name",
        "str",
        "set by the group: executor=joblib (loky processes), dask or serial",
        ("joblib", "dask", "serial"),
    ),
    Key(
        "executor.max_restarts", "int", "a worker process that dies (killed, out of memory) is replaced this many times"
    ),
    Key(
        "executor.address",
        "str",
        "executor=dask: a running scheduler, e.g. tcp://scheduler:8786; null: a local cluster of n_jobs processes",
        nullable=True,
    ),
    Key(
        "executor.pin_workers",
        "bool",
        "executor=joblib, and executor=dask's local cluster (not a scheduler's workers): each worker, with its "
        "engine helpers, keeps to one CPU of those the run may use (round robin); off by itself when an engine "
        "runs more than one thread (engines.*.threads); false: the kernel places them",
    ),
    Key("executor.batch_size", "int", "executor=dask: items per dask task"),
    Key(
        "executor.worker_wait_s",
        "float",
        "executor=dask: a cluster with no worker this many seconds counts as lost (retried up to max_restarts)",
    ),
    Key(
        "executor.max_in_flight",
        "int",
        "executor=dask: batches submitted ahead of results (null: 4 x n_jobs)",
        nullable=True,
    ),
    Key(
        "executor.log_level",
        "str",
        "executor=dask: level of dask.distributed's own log lines",
        ("debug", "info", "warning", "error"),
    ),
    Key("engine.timeout_s", "float", "a render that takes longer is killed (and retried)"),
    Key(
        "engine.retries",
        "int",
        "a crashed or hung render is tried again this many times, then rejected with the reason",
    ),
    Key(
        "words.align",
        "bool",
        "engines without word times get them from a pocketsphinx forced aligner (needs pocketsphinx: the `voices` "
        "or `asr` extra)",
    ),
    Key("split.dev", "float", "share of prompts (or voices) in the dev split"),
    Key("split.test", "float", "share in the test split"),
    Key("split.by", "str", "`text`: no prompt in two splits; `speaker`: no voice in two splits", ("text", "speaker")),
    Key(
        "qc.keep_failed",
        "bool",
        "false: failing items go to rejects.jsonl only; true: kept with `qc.passed=false` (left out of exports)",
    ),
    *(
        Key(
            f"qc.thresholds.{name}",
            "float",
            "QC limits: duration, silence, clipping, words per second, speech frames, leading/trailing silence, "
            "realized SNR vs target",
            table=_THRESHOLDS,
        )
        for name in (
            "min_duration_s",
            "max_duration_s",
            "silence_dbfs",
            "max_clipped_ratio",
            "min_words_per_second",
            "max_words_per_second",
            "frame_range_db",
            "frame_floor_dbfs",
            "min_speech_ratio",
            "max_leading_silence_s",
            "max_trailing_silence_s",
            "max_snr_error_db",
        )
    ),
    Key(
        "qc.asr.enabled",
        "bool",
        "pocketsphinx round trip on the clean render of a seeded sample of items (`pip install '.[asr]'`)",
    ),
    Key("qc.asr.sample_fraction", "float", "share of items checked (1.0: all)"),
    Key("qc.asr.max_wer", "float", "above: the item is flagged for review (it does not fail QC)"),
    Key(
        "qc.asr.lm",
        "str",
        "`default`: pocketsphinx's English LM; `corpus`: an LM of this run's transcripts",
        ("default", "corpus"),
    ),
    Key("shard.index", "int", "run part `index` of `count` of the plan (`speechforge merge` joins the parts)"),
    Key("shard.count", "int", "number of parts"),
)

# Maps whose keys are open: checked by their own validators at start-up, not by this schema.
OPEN_MAPS: dict[str, str] = {
    "engines": "engine options, engines.<engine>.<option>, e.g. engines.espeak.max_voice_servers=64",
    "augment.steps": "augmentation steps by name (remove one with ~augment.steps.<name>)",
    "augment.devices": "device microphone chains used by augment.steps.device",
    "output.export_options": (
        "per-format export options, added with +: +output.export_options.webdataset.shard_size=1000, "
        "+output.export_options.nemo.absolute_paths=true"
    ),
    "hydra": "Hydra's own settings",
}

BY_PATH: dict[str, Key] = {k.path: k for k in KEYS}
_SECTIONS = {p.rsplit(".", i)[0] for p in BY_PATH for i in range(1, p.count(".") + 1)}


def _under_open_map(path: str) -> bool:
    return any(path == m or path.startswith(m + ".") for m in OPEN_MAPS)


def unknown_key_message(path: str) -> str | None:
    """None when `path` is a known key, a section of known keys or under an open map; else why not."""
    if path in BY_PATH or path in _SECTIONS or _under_open_map(path) or path in {g.name for g in GROUPS}:
        return None
    known = [*BY_PATH, *OPEN_MAPS]
    close = difflib.get_close_matches(path, known, n=1, cutoff=0.6)
    if not close:  # a wrong section with a right leaf (voice.per_prompt): compare the last part
        leaf = path.rsplit(".", 1)[-1]
        close = [k for k in known if k.rsplit(".", 1)[-1] == leaf][:1]
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown config key {path!r}{hint} (`python generate.py --help` lists the keys)"


def value_problem(key: Key, value) -> str | None:
    """Why `value` is not valid for `key`, or None."""
    if value is None:
        return None if key.nullable else f"{key.path} must be {KINDS[key.kind][1]}, not null"
    test, wanted = KINDS[key.kind]
    if not test(value):
        return f"{key.path} must be {wanted}{' or null' if key.nullable else ''}; got {value!r}"
    if key.choices and value not in key.choices:
        return f"{key.path} must be one of {', '.join(key.choices)}; got {value!r}"
    return None


def problems(config: Mapping, prefix: str = "") -> list[str]:
    """Every unknown key and wrongly typed value in a resolved config (a plain dict)."""
    out = []
    for name, value in config.items():
        path = f"{prefix}{name}"
        if path in BY_PATH:
            problem = value_problem(BY_PATH[path], value)
        elif _under_open_map(path):
            problem = None
        elif path in _SECTIONS:
            if isinstance(value, Mapping):
                out += problems(value, path + ".")
                continue
            members = ", ".join(k for k in BY_PATH if k.startswith(path + "."))
            problem = f"{path} is a section of keys ({members}); got {value!r}"
        else:
            problem = unknown_key_message(path)
        if problem:
            out.append(problem)
    return out


def check_config(config: Mapping) -> None:
    """Raise ConfigKeyError listing every unknown key and wrong value of a resolved config.

    :param config: the composed config as a plain dict (``OmegaConf.to_container(cfg, resolve=True)``).
    """
    found = problems(config)
    if found:
        raise ConfigKeyError("\n  ".join(found) if len(found) == 1 else "config:\n  " + "\n  ".join(found))


def override_problems(args: list[str]) -> list[str]:
    """Unknown keys among command-line overrides, found before Hydra composes anything (Hydra's
    own hint for a typo, "To append to your config use +key=value", leads to a key that is ignored).

    :param args: the command line after the program name; options (``-m``, ``--cfg job``) are skipped.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    candidates = [a for a in args if not a.startswith("-") and ("=" in a or a.startswith("~"))]
    try:
        overrides = OverridesParser.create().parse_overrides(candidates)
    except HydraException:
        return []  # Hydra reports its own syntax errors, with the position
    out = []
    for override in overrides:
        key = override.key_or_group
        if "/" in key or override.package is not None:  # hydra/job_logging=…, group@package=…
            continue
        message = unknown_key_message(key)
        if message:
            out.append(message)
    return out
