"""One generation run: stream the plan of the parts (synth/run_parts.py builds them from the config)
through an executor, and let this (parent) process alone append the label files."""

from __future__ import annotations

import ctypes
import dataclasses
import functools
import json
import logging
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from omegaconf import DictConfig, OmegaConf
from tqdm import tqdm

from synth import audio_io, manifest, versions
from synth.corpus import MANIFEST, REJECTS, SUMMARY, Corpus, CorpusError
from synth.executors.base import WorkerLost
from synth.folder_lock import folder_lock
from synth.interrupt import kept_utterances, stop_on_interrupt, stop_requested
from synth.plan import Rejection, WorkItem, task_key
from synth.render import OutputFailure, RenderSettings, render_task
from synth.resume import RowShape
from synth.resume import resume as resume_corpus
from synth.run_parts import ConfigError as ConfigError  # generate() raises it: callers catch it from here
from synth.run_parts import RunParts, build_parts, export_options, shard_dir
from synth.safe_paths import refuse_symlinks
from synth.summary import summarize

log = logging.getLogger("synth")


process = render_task  # what the workers run for each task (defined in synth.render: see there why)


def _pending(
    plan: Iterator[WorkItem | Rejection], done: set[str], shard: tuple[int, int]
) -> Iterator[WorkItem | Rejection]:
    index, count = shard
    for task in plan:
        if isinstance(task, WorkItem) and task.index % count != index:
            continue
        if task_key(task) not in done:
            yield task


def _malloc_trim():
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to do
        return None


_MALLOC_TRIM = _malloc_trim()


def release_freed_memory() -> None:
    """Results arrive as many small, differently sized buffers; glibc keeps the freed ones in
    fragmented arenas and the parent's RSS grows with the number of items (measured: 68 MB for
    1k prompts, 254 MB for 20k). Handing free pages back keeps it flat."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def plan_positions(plan: Iterator[WorkItem | Rejection]) -> dict[str, int]:
    """Where each item and each planning rejection stands in the plan (by plan.task_key): the corpus order."""
    return {task_key(task): i for i, task in enumerate(plan)}


class _Stream:
    """The tasks still to render. It can be told to stop, so that after a write failure the
    executor finishes what is in flight and ends normally instead of being torn down mid-task."""

    def __init__(self, parts: RunParts, done: set):
        self.parts, self.done, self.stopped = parts, done, False

    def __iter__(self):
        for task in _pending(self.parts.plan_factory(), self.done, self.parts.shard):
            if self.stopped or stop_requested():
                return
            yield task


def _render_all(
    parts: RunParts, settings: RenderSettings, corpus: Corpus, bar, restarts: int, stamp
) -> tuple[int, float]:
    """Render every pending task in plan order, appending labels as results arrive (each row
    stamped with its build and sealed with its digest by `stamp`)."""
    made, made_seconds, received, failure = 0, 0.0, 0, None
    started = time.perf_counter()
    while True:
        stream = _Stream(parts, corpus.done)
        try:
            for result in parts.executor.map(process, stream, settings):
                if failure is not None:
                    continue  # draining what was in flight; its audio (if any) is re-rendered on resume
                try:
                    if isinstance(result, OutputFailure):
                        raise OSError(result.errno, result.reason)
                    if isinstance(result, Rejection):
                        corpus.append(REJECTS, result.to_row())
                    else:
                        for row in result:
                            corpus.append(MANIFEST, stamp(row))
                            made += 1
                            made_seconds += row["duration"]
                except OSError as exc:  # disk full, folder made read-only, quota
                    failure, stream.stopped = exc, True
                    continue
                bar.update(1)
                received += 1
                if received % 256 == 0:
                    release_freed_memory()
                elapsed = max(time.perf_counter() - started, 1e-9)
                bar.set_postfix_str(
                    f"{made_seconds / 3600:.3f} h audio, {made_seconds / elapsed:.0f}x realtime", refresh=False
                )
            break
        except WorkerLost as exc:  # results come in plan order, so carrying on from here keeps that order
            if restarts == 0:
                raise CorpusError(
                    f"worker processes kept dying or the cluster is gone ({exc}); "
                    f"{kept_utterances(corpus.root)} utterances kept; run the same command to resume"
                ) from exc
            restarts -= 1
            log.warning("a worker process died or the cluster was lost (%s); restarting the remaining items", exc)
            corpus.refresh_done()  # what is on file now is done; the rest goes round again
    if failure is not None:
        raise CorpusError(
            f"cannot write to {corpus.root}: {failure.strerror or failure} ({made} utterances written in this run "
            "are kept); "
            "make room or fix the folder, then run the same command again to resume"
        ) from failure
    return made, made_seconds


def generate(cfg: DictConfig) -> dict:
    """Run the generation described by `cfg`; return the summary."""
    parts = build_parts(cfg)
    root = shard_dir(cfg.output.dir, parts.shard)
    with folder_lock(root):  # one run per folder, until this one ends
        refuse_symlinks(root)  # before anything in it is read, cut or written
        return _generate(cfg, parts)


def _generate(cfg: DictConfig, parts: RunParts) -> dict:
    resolved = OmegaConf.to_container(cfg, resolve=True)
    resolved["versions"] = run_versions(parts, cfg)
    resolved["builds"] = versions.builds_table(resolved["versions"])
    build_of = versions.build_ids(resolved["versions"])
    out_dir = shard_dir(cfg.output.dir, parts.shard)
    if_build_differs = str(cfg.output.get("if_build_differs", "stop"))
    corpus = Corpus.open(out_dir, resolved, str(cfg.output.if_exists), if_build_differs)
    settings = dataclasses.replace(parts.settings, run_token=uuid.uuid4().hex)
    if settings.asr is not None:  # the corpus LM: from the full plan, before sharding, so every shard gets the same one
        transcripts = lambda: (t.spoken.transcript for t in parts.plan_factory() if isinstance(t, WorkItem))  # noqa: E731
        settings = dataclasses.replace(settings, asr=settings.asr.with_language_model(transcripts, corpus.root / "qc"))
    progress = bool(cfg.get("progress", True))
    reorder = False
    if corpus.resuming:
        outcome = resume_corpus(
            corpus.root,
            _counting(parts.plan_factory(), "checking finished work", progress),
            lambda item: item.index % parts.shard[1] == parts.shard[0],
            RowShape(settings.audio_format, settings.sample_rate, bool(settings.augment and settings.augment.paired)),
            build_of,
            any_build=if_build_differs == "continue",
        )
        corpus.done, reorder = outcome.done, outcome.out_of_order
    # the bar's total (and the resume line's count): one more streaming pass over the plan (no audio, but
    # every prompt normalized again), with its own progress; a run with neither has no use for it
    total = None
    if progress or corpus.resuming:
        total = sum(
            1 for _ in _pending(_counting(parts.plan_factory(), "planning", progress), corpus.done, parts.shard)
        )
    if corpus.resuming:  # one line: what was kept, what was found wrong, and how much is left in all
        log.info("resuming %s: %s; %d items left to render", corpus.root.resolve(), outcome.describe(), total)
    started = time.perf_counter()
    bar = tqdm(total=total, unit="utt", disable=not progress, dynamic_ncols=True, desc="rendering")
    stamp = functools.partial(_stamp, build_of)
    try:
        with stop_on_interrupt():
            made, made_seconds = _render_all(
                parts, settings, corpus, bar, int(cfg.executor.get("max_restarts", 3)), stamp
            )
    finally:
        bar.close()
    if stop_requested():
        raise KeyboardInterrupt  # after what was in flight is written; synth/cli.py prints the one line
    if reorder:
        corpus.reorder(plan_positions(parts.plan_factory()))
    elapsed = time.perf_counter() - started
    stats = {
        "utterances_this_run": made,
        "audio_seconds_this_run": round(made_seconds, 3),
        "wall_seconds": round(elapsed, 3),
        "realtime_factor": round(made_seconds / elapsed, 1) if elapsed > 0 else None,
        "n_jobs": int(cfg.n_jobs),
        "executor": str(cfg.executor.name),
    }
    return finish(corpus.root, cfg, stats)


def run_versions(parts: RunParts, cfg: DictConfig) -> dict:
    """The versions that shape this run's bytes (synth/versions.py): its engines and the features it uses."""
    return versions.collect(
        {v.engine for v in parts.voices},
        augment=parts.settings.augment is not None,
        pseudo_speakers=any(v.extra.get("perturbation") for v in parts.voices),
        aligner=parts.settings.align_words or parts.settings.asr is not None,
    )


def _stamp(build_of: dict[str, str], row: dict) -> dict:
    """A rendered row as the manifest holds it: the build that made it, then its digest."""
    # the row is the one render just built (render._write: Utterance.to_dict), so its speaker is
    # there; parsing the whole row back into an Utterance only to read one field cost 0.1 ms a row
    return manifest.seal({**row, "build": build_of.get(row["speaker"]["engine"])})


def _counting(plan: Iterator, what: str, progress: bool) -> Iterator:
    """`plan`, with a bar counting the tasks as a pass over it goes (a million prompts take minutes)."""
    with tqdm(desc=what, unit=" tasks", disable=not progress, dynamic_ncols=True, leave=False) as bar:
        for task in plan:
            bar.update(1)
            yield task


def finish(root: Path, cfg: DictConfig, stats: dict) -> dict:
    """Exports, summary.json and the dataset card of a finished corpus (also after a merge)."""
    formats = [str(f) for f in (cfg.output.formats or [])]
    if formats:
        from synth.exporters import export_corpus

        export_corpus(root, formats, export_options(cfg))
    summary = summarize(root, stats)
    audio_io.write_atomic(root / SUMMARY, (json.dumps(summary, indent=2) + "\n").encode())
    if cfg.output.get("report", False):
        from synth.report import write_report

        write_report(root)
    log.info(
        "%s: %d utterances, %.3f h, %d rejected",
        Path(root).resolve(),
        summary["utterances"],
        summary["hours"],
        summary["rejected"],
    )
    return summary
