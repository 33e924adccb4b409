"""Join the shard folders of a sharded run into one corpus, the same as a single-machine run.

    python -m synth.merge OUTPUT_DIR      (or: speechforge merge OUTPUT_DIR)

Shards live in OUTPUT_DIR/shard-III-of-NNN (see run_parts.shard_dir). The merged corpus is written to
OUTPUT_DIR itself: rows in plan order, audio hard-linked (copied across file systems), the shards
left as they are. The plan is recomputed from the shards' config, so the prompt file must still be
where the config says.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
from pathlib import Path

import yaml
from omegaconf import OmegaConf

from synth.corpus import CONFIG, MANIFEST, RECORDED, REJECTS, Corpus, CorpusError, config_differences, content_config
from synth.folder_lock import folder_lock
from synth.manifest import read_jsonl, read_manifest
from synth.plan import PLANNING_STAGES, WorkItem, is_final, rejection_key
from synth.run import finish, plan_positions
from synth.run_parts import build_planning
from synth.safe_paths import refuse_symlinks

SHARD_DIR = re.compile(r"^shard-(\d{3})-of-(\d{3})$")


def find_shards(root: Path) -> tuple[list[Path], dict]:
    found = sorted(
        (int(m.group(1)), int(m.group(2)), p) for p in root.iterdir() if p.is_dir() and (m := SHARD_DIR.match(p.name))
    )
    if not found:
        raise CorpusError(f"{root}: no shard folders (shard-III-of-NNN) to merge")
    counts = {count for _, count, _ in found}
    if len(counts) != 1:
        raise CorpusError(
            f"{root}: shard folders of different shard counts {sorted(counts)}; merge one layout at a time"
        )
    count = counts.pop()
    missing = sorted(set(range(count)) - {index for index, _, _ in found})
    if missing:
        raise CorpusError(
            f"{root}: shards {missing} of {count} are missing; run them (shard.index=…, shard.count={count}) first"
        )
    configs = [yaml.safe_load((p / CONFIG).read_text()) for _, _, p in found]
    reference = _without_shard(configs[0])
    for (_, _, path), config in zip(found, configs):
        diff = config_differences(reference, _without_shard(config))
        if diff:
            raise CorpusError(f"{path} was made with a different config than shard 0:\n  " + "\n  ".join(diff[:20]))
    return [p for _, _, p in found], configs[0]


def _without_shard(config: dict) -> dict:
    content = content_config(config)
    content.pop("shard", None)
    return content


def _link(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target.unlink()
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def merge(root: str | os.PathLike) -> dict:
    root = Path(root)
    shards, shard_config = find_shards(root)
    # what the shards' runs recorded (versions, builds) is not config a run takes
    config = {
        **{k: v for k, v in shard_config.items() if k not in RECORDED},
        "shard": {"index": 0, "count": 1},
        "output": {**shard_config["output"], "dir": str(root)},
    }
    cfg = OmegaConf.create(config)
    # the plan alone: a merge renders nothing, so it builds no executor and no augmentation banks
    planning = build_planning(cfg)
    positions = plan_positions(planning.plan_factory())
    expected = {task.id for task in planning.plan_factory() if isinstance(task, WorkItem)}
    rows, rejects, seen_rejects = [], [], set()
    for shard in shards:
        rows += [(u, shard) for u in read_manifest(shard / MANIFEST)]  # each written back byte for byte
        for r in read_jsonl(shard / REJECTS):  # every shard reports the prompt-level rejections: keep one
            if rejection_key(r) not in seen_rejects:
                seen_rejects.add(rejection_key(r))
                rejects.append(r)
    # item ids and prompt ids are separate name spaces; a machine-caused rejection is not final
    done = {u.item_id for u, _ in rows} | {
        str(r["id"]) for r in rejects if r.get("stage") not in PLANNING_STAGES and is_final(r)
    }
    unfinished = expected - done
    if unfinished:
        raise CorpusError(
            f"{root}: {len(unfinished)} items are not finished in any shard (e.g. {sorted(unfinished)[0]}); resume "
            "the shards first"
        )
    rows.sort(key=lambda pair: positions[("item", pair[0].item_id)])
    rejects.sort(key=lambda r: positions.get(rejection_key(r), len(positions)))
    with folder_lock(root):  # two merges at once would write each row twice
        refuse_symlinks(root)
        corpus = Corpus.open(root, config, "overwrite")  # a corpus merged before is replaced
        for row, shard in rows:
            _link(shard / row.audio_filepath, root / row.audio_filepath)
            corpus.append(MANIFEST, row)
        for row in rejects:
            corpus.append(REJECTS, row)
        return finish(root, cfg, {"merged_shards": len(shards)})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="speechforge merge", description="Merge the shard folders under OUTPUT_DIR into one corpus there."
    )
    parser.add_argument("output_dir")
    args = parser.parse_args(argv)
    try:
        summary = merge(args.output_dir)
    except (CorpusError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({k: summary[k] for k in ("utterances", "hours", "rejected")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
