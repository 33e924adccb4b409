"""The review page on a real corpus, in Debian's headless Chromium driven by selenium: it loads,
plays a clip, records verdicts by click and by keyboard, keeps them across a reload, and saves the
verdicts file that `score` reads."""

import json
import time
from pathlib import Path

import pytest
from PIL import Image

from synth.review.__main__ import main
from synth.run import generate
from tests.conftest import read_manifest

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")


@pytest.fixture(scope="module")
def review(tmp_path_factory):
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from synth.cli import config_dir
    from tests.conftest import SMALL_PROMPTS

    base = tmp_path_factory.mktemp("review")
    prompts = base / "prompts.txt"
    prompts.write_text("\n".join(SMALL_PROMPTS) + "\n")
    corpus = base / "corpus"
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
        cfg = compose(
            config_name="config",
            overrides=[
                "progress=false",
                f"output.dir={corpus}",
                f"prompts.path={prompts}",
                "voices.per_prompt=2",
                "n_jobs=1",
            ],
        )
    GlobalHydra.instance().clear()
    generate(cfg)
    out = base / "page"
    assert main(["sample", str(corpus), "--max-error", "0.02", "--confidence", "0.95", "--out", str(out)]) == 0
    return corpus, out


def test_page_folder_is_self_contained(review):
    corpus, out = review
    rows = read_manifest(corpus)
    data = json.loads((out / "sample.json").read_text())
    assert data["sample"]["n"] == len(rows) == 16  # a corpus smaller than 149 is heard in full
    for item in data["items"]:
        assert (out / item["audio"]).read_bytes() == (
            corpus / next(r for r in rows if r["id"] == item["id"])["audio_filepath"]
        ).read_bytes()
        with Image.open(out / item["spectrogram"]) as image:
            assert image.format == "PNG" and image.size == (640, 160)
    html = (out / "index.html").read_text()
    assert "http://" not in html and "https://" not in html and 'src="/' not in html  # nothing outside the folder


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1100,800",
        f"--user-data-dir={tmp_path_factory.mktemp('profile')}",
    ):
        options.add_argument(arg)
    options.add_experimental_option(
        "prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False}
    )
    # Naming both binaries keeps Selenium Manager from looking for (and downloading) a browser.
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads
    yield driver
    driver.quit()


def wait_for(condition, timeout=10.0, what="condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def state(driver) -> dict:
    return driver.execute_script(
        "return {current: state.current, verdicts: state.verdicts, progress: "
        "document.getElementById('progress').textContent,"
        " ids: ITEMS.map(it => it.id)}"
    )


def press(driver, keys):
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).send_keys(keys).perform()


def test_review_page_in_headless_chromium(review, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from voices.accent_names import shipped_accent_names

    corpus, out = review
    browser.get((out / "index.html").as_uri())
    s = state(browser)
    ids = s["ids"]
    assert s["progress"] == "0 / 16 reviewed, 0 wrong" and s["current"] == 0
    assert browser.find_element(By.ID, "transcript").text
    accent_row = browser.find_element(By.CSS_SELECTOR, "#labels tr").text  # the code with its name
    code = browser.execute_script("return ITEMS[0].speaker.accent")
    name = shipped_accent_names()[code]
    assert name and accent_row.startswith(f"accent {code} ({name}), locale "), accent_row
    wait_for(
        lambda: browser.execute_script("return document.getElementById('spectrogram').naturalWidth") == 640,
        what="spectrogram",
    )

    # Space plays the clip: the audio element's clock moves and it reports a played range.
    press(browser, " ")
    wait_for(
        lambda: browser.execute_script(
            "const p = document.getElementById('player'); return p.currentTime > 0.2 && p.played.length > 0"
        ),
        what="audio to play",
    )
    assert browser.execute_script("return document.getElementById('player').error") is None
    press(browser, " ")
    assert browser.execute_script("return document.getElementById('player').paused")

    # By click: OK on clip 1 (then the page moves on); by keyboard: x on clip 2. A wrong verdict keeps
    # clip 2 on screen with the comment box open, so the reason typed next (x, then c and the text:
    # the c is taken as "comment") belongs to clip 2; Enter leaves the box and moves on.
    browser.find_element(By.ID, "ok").click()
    assert state(browser)["current"] == 1
    press(browser, "x")
    s = state(browser)
    assert (
        s["verdicts"][ids[0]]["verdict"] == "ok" and s["verdicts"][ids[1]]["verdict"] == "wrong" and s["current"] == 1
    )
    assert browser.execute_script("return document.activeElement.id") == "comment"
    assert browser.find_element(By.ID, "comment-for").text == f"comment on clip 2: {ids[1]}"
    press(browser, "c")
    press(browser, "cut off at the end")
    press(browser, Keys.ENTER)
    s = state(browser)
    assert s["current"] == 2 and s["progress"] == "2 / 16 reviewed, 1 wrong"
    assert s["verdicts"][ids[1]]["comment"] == "cut off at the end"
    assert not (s["verdicts"].get(ids[2]) or {}).get("comment")
    saved_doc = browser.execute_script("return verdictsDocument()")
    assert saved_doc["verdicts"][ids[1]]["comment"] == "cut off at the end" and ids[2] not in saved_doc["verdicts"]
    # The sidebar shows whole ids: each list entry is as wide as its text (nothing cut off).
    assert browser.execute_script(
        "return [...document.querySelectorAll('#list li')].every(li => li.scrollWidth <= li.clientWidth)"
    )
    assert [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#list li")] == ids

    # Back with k, a comment (c ... Esc), then o changes clip 2's verdict; arrows move too.
    press(browser, "k")
    assert state(browser)["current"] == 1
    press(browser, "c")
    press(browser, "; says bred, not bread")  # the box holds clip 2's comment: this adds to it
    press(browser, Keys.ESCAPE)
    press(browser, "o")
    s = state(browser)
    assert s["verdicts"][ids[1]] | {"at": None} == {
        "verdict": "ok",
        "comment": "cut off at the end; says bred, not bread",
        "at": None,
    }
    press(browser, Keys.ARROW_RIGHT)
    press(browser, Keys.ARROW_LEFT)
    assert state(browser)["current"] == 2
    press(browser, "x")
    press(browser, Keys.ESCAPE)  # no reason given: Esc leaves the box and moves on

    # A reload loses nothing: the verdicts live in localStorage.
    browser.refresh()
    s = state(browser)
    assert s["progress"] == "3 / 16 reviewed, 1 wrong" and s["current"] == 3

    # Save (s): a JSON file through a Blob link, which `score` reads.
    press(browser, "s")
    saved = wait_for(lambda: [p for p in browser.downloads.glob("verdicts-*.json")], what="the verdicts download")[0]
    doc = wait_for(lambda: _json(saved), what="a complete download")
    assert doc["format"] == "speechforge-review-verdicts/1" and len(doc["sample"]["items"]) == 16
    assert {k: v["verdict"] for k, v in doc["verdicts"].items()} == {ids[0]: "ok", ids[1]: "ok", ids[2]: "wrong"}
    assert main(["score", str(corpus), str(saved)]) == 1  # 13 clips not heard yet, and one is wrong

    # Hear the rest, all OK: the whole 16-utterance corpus was heard, and only the wrong clip stands.
    for _ in range(13):
        press(browser, "o")
    assert state(browser)["progress"] == "16 / 16 reviewed, 1 wrong"
    saved.unlink()
    browser.find_element(By.ID, "save").click()
    saved = wait_for(lambda: [p for p in browser.downloads.glob("verdicts-*.json")], what="the second download")[0]
    wait_for(lambda: _json(saved), what="a complete download")
    verdicts = tmp_path / "verdicts.json"
    verdicts.write_bytes(saved.read_bytes())
    assert main(["score", str(corpus), str(verdicts), "--method", "hypergeometric"]) == 1  # 1 of 16 wrong: 6%
    # Second thoughts on clip 3: pick it in the list, OK it, save again.
    browser.find_elements(By.CSS_SELECTOR, "#list li")[2].click()
    assert state(browser)["current"] == 2
    press(browser, "o")
    saved.unlink()
    browser.find_element(By.ID, "save").click()
    saved = wait_for(lambda: [p for p in browser.downloads.glob("verdicts-*.json")], what="the third download")[0]
    wait_for(lambda: _json(saved), what="a complete download")
    # A census with no error is certified under the exact finite-population bound (not the binomial one).
    assert main(["score", str(corpus), str(saved), "--method", "hypergeometric"]) == 0
    assert main(["score", str(corpus), str(saved)]) == 1


def _json(path: Path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None
