"""The review page's embedded data is safe for any string: a real corpus made from hostile prompts
(the issue's "Hello <!--<script> world" and a seeded fuzz set of HTML/JS breakers) and a hostile
folder name, opened in Debian's headless Chromium: the page runs, shows every prompt as text, runs
nothing from the data, and JSON.parse gives back exactly the manifest's strings."""

import json
import random

import pytest

from synth.review.__main__ import main
from synth.review.page import script_json
from synth.run import generate
from tests.conftest import read_manifest
from tests.test_review_page import browser  # noqa: F401  (the Chromium fixture)

# The issue's prompt was "Hello <!--<script> world"; a whole tag is now refused by the normalizer, so
# the page test uses the shortest form that still reaches the page and still opens the HTML parser's
# "script data double escaped" state (`<!--<script` then a space), which blanked the old page.
ISSUE_PROMPT = "Hello <!--<script world"
BREAKERS = [
    "</script>",
    "</SCRIPT >",
    "<!--",
    "-->",
    "<script>",
    "<script>window.__pwned = 1</script>",
    '<img src=x onerror="window.__pwned = 2">',
    "]]>",
    "&amp; &lt;",
    "\u2028",
    "\u2029",
    "{{DATA}}",
    "{{TITLE}}",
    "\\u003c/script>",
    '"',
    "'",
    "\\",
    "`${window.__pwned = 3}`",
]
WORDS = ["hello", "world", "open", "the", "door", "please", "seven", "green", "apples"]


def hostile_prompts(n: int, seed: int = 14) -> list[str]:
    """Speakable sentences with breakers between the words (an ASR corpus would speak or reject them)."""
    rng = random.Random(seed)
    out = [ISSUE_PROMPT, "Hello <!--<script> world and </script><script>window.__pwned = 4</script> after"]
    while len(out) < n:
        parts = []
        for _ in range(rng.randint(3, 7)):
            parts.append(rng.choice(WORDS))
            if rng.random() < 0.6:
                parts.append(rng.choice(BREAKERS))
        out.append(" ".join(parts))
    return out


def test_script_json_round_trips_and_hides_every_breaker():
    for text in hostile_prompts(200) + BREAKERS:
        escaped = script_json({"text": text})
        assert json.loads(escaped) == {"text": text}
        assert not set("<>&\u2028\u2029") & set(escaped)


PROMPT_SETS = {
    # the probe as the issue ran it: one such prompt among plain ones (no later "-->" undoes its "<!--")
    "issue": ["Set a timer for 15 minutes.", ISSUE_PROMPT, "Turn the volume down to 40%.", "Call Maria at noon."],
    "fuzz": hostile_prompts(16),
}


@pytest.fixture(scope="module", params=["issue", pytest.param("fuzz", marks=pytest.mark.slow)])
def hostile_review(request, tmp_path_factory):
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from synth.cli import config_dir

    base = tmp_path_factory.mktemp("hostile")
    prompts = base / "prompts.jsonl"
    prompts.write_text("".join(json.dumps({"text": t}) + "\n" for t in PROMPT_SETS[request.param]))
    corpus = base / "c<!--<script>{{DATA}}"  # the folder name goes into the page's <title>
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
        overrides = ["progress=false", f"output.dir='{corpus}'", f"prompts.path={prompts}", "voices.per_prompt=1"]
        cfg = compose(config_name="config", overrides=[*overrides, "n_jobs=2"])
    GlobalHydra.instance().clear()
    generate(cfg)
    out = base / "page"
    assert main(["sample", str(corpus), "--out", str(out)]) == 0
    return corpus, out


def test_hostile_prompts_render_as_text_in_chromium(hostile_review, browser):  # noqa: F811
    from selenium.webdriver.common.by import By

    corpus, out = hostile_review
    rows = read_manifest(corpus)
    spoken = {r["text"] for r in rows}
    assert ISSUE_PROMPT in spoken  # rendered, so it is on the page
    if len(spoken) > 4:  # the fuzz set: every prompt the normalizer accepts (whole tags it refuses) is on the page
        from synth.normalize import NormalizationError, to_spoken

        def accepted(text: str) -> bool:
            try:
                to_spoken(text)
            except NormalizationError:
                return False
            return True

        # (the prompt reader strips a trailing U+2028/2029 as whitespace, so count rather than compare)
        assert len(spoken) == sum(accepted(t) for t in PROMPT_SETS["fuzz"])
        assert sum(any(b in t for b in ("<!--", "</script>", "\u2028")) for t in spoken) >= 4
    browser.get((out / "index.html").as_uri())
    page = browser.execute_script(
        "return {items: DATA.items.map(it => [it.id, it.text, it.transcript]),"
        " scripts: document.scripts.length, pwned: window.__pwned === undefined ? null : window.__pwned,"
        " progress: document.getElementById('progress').textContent, title: document.title,"
        " images: document.images.length}"
    )
    by_id = {r["id"]: (r["text"], r["transcript"]) for r in rows}
    assert len(page["items"]) == len(rows)
    for item_id, text, transcript in page["items"]:
        assert (text, transcript) == by_id[item_id]  # the very strings of the manifest
    assert page["pwned"] is None and page["scripts"] == 2  # no markup from the data became an element
    assert page["progress"] == f"0 / {len(rows)} reviewed, 0 wrong"  # the page's own script ran to the end
    assert page["title"].endswith(corpus.name)
    # Show every clip with the page's own function: each prompt appears as plain text.
    shown = []
    for index in range(len(rows)):
        current = browser.execute_script("show(arguments[0], false); return ITEMS[state.current]", index)
        shown.append(current["text"])
        written = browser.find_element(By.ID, "text").get_attribute("textContent")
        assert written in ("", f"written: {current['text']}")
        assert browser.find_element(By.ID, "transcript").get_attribute("textContent") == current["transcript"]
    assert set(shown) == spoken and browser.execute_script("return window.__pwned") is None
