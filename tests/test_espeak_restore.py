"""eSpeak NG's state restore against a child forked per utterance (synth/engines/espeak_zygote.py).

Restoring the library's writable segments before each utterance must give exactly the bytes (and
word events) of rendering it in a fresh child of the same warmed-up voice process, whatever was
rendered before it. benchmarks/espeak_restore_history.py runs the same check over thousands of
renders (benchmarks/RESULTS.md)."""

import re
import shutil
import subprocess
import sys
import textwrap

import pytest

from benchmarks.espeak_restore_history import history_check
from synth.engines import Prosody, create_engine
from synth.engines.espeak_zygote import writable_segments
from tests.conftest import REPO


def test_random_histories_give_the_bytes_of_a_fork_per_utterance():
    outcome = history_check(160, seed=7)
    assert len({r[1] for r in outcome["requests"]}) > 30  # many voices, so many voice servers and evictions
    assert outcome["differing"] == {"restore": [], "restore, 2 voice servers, other order": []}


def test_without_the_restore_history_changes_the_bytes():
    """The check can fail: the same library, rendering in place with no restore, is history-dependent.
    In a child process: initializing and terminating the library here would free memory that other
    users of it in the test process (the audit's phoneme lookups, synth/align.py) still point at."""
    script = textwrap.dedent(
        """
        import ctypes
        import espeakng_loader
        from synth.engines.espeak_zygote import AUDIO_OUTPUT_SYNCHRONOUS, CALLBACK, WARM_UP, render_now

        lib = ctypes.CDLL(espeakng_loader.get_library_path())
        lib.espeak_SetSynthCallback.argtypes = [CALLBACK]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
        lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, espeakng_loader.get_data_path().encode(), 0x8000)
        lib.espeak_SetVoiceByName(b"en-us+f3")
        request = {**WARM_UP, "text": "Set a timer for fifteen minutes."}
        first = render_now(lib, request)[1]
        render_now(lib, {**WARM_UP, "text": "What is the weather like in Edinburgh tomorrow?", "rate": 300})
        print("same" if render_now(lib, request)[1] == first else "differs", len(first))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr
    verdict, size = done.stdout.split()
    assert int(size) > 10_000 and verdict == "differs"


def test_writable_segments_are_the_library_data():
    import espeakng_loader

    segments = writable_segments(espeakng_loader.get_library_path())
    assert segments and all(end > start for start, end in segments)
    assert 16_000 < sum(end - start for start, end in segments) < 4_000_000  # .data + .bss, not the code


def test_unknown_isolation_is_refused():
    with pytest.raises(Exception, match="isolation must be one of restore, fork"):
        create_engine("espeak", isolation="thread")


def test_hung_render_in_a_voice_server_is_killed_and_the_voice_comes_back():
    eng = create_engine("espeak", timeout_s=0.0001)
    try:
        with pytest.raises(Exception, match="timed out"):
            eng.synthesize("Set a timer. " * 200, "en-us", Prosody())
        eng.timeout_s = 60
        assert len(eng.synthesize("Still here.", "en-us", Prosody()).audio) > 0
    finally:
        eng.close()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed (scripts/test.sh installs it)")
def test_restored_state_never_hands_the_library_freed_memory(tmp_path, monkeypatch):
    """An independent memory checker (valgrind's memcheck) watches a voice server restore its state
    between renders: no invalid read, write or free inside libespeak-ng. eSpeak NG frees and re-creates
    its speechPlayer at every pause; restoring that pointer with the rest of .bss handed it freed memory,
    which crashed or not depending on the heap layout (the process's environment size: CI, Dec 2026)."""
    from synth.engines.espeak import EspeakEngine

    log = tmp_path / "memcheck.%p.log"

    class UnderMemcheck(EspeakEngine):
        def _helper_command(self, line_fd):
            return ["valgrind", "-q", f"--log-file={log}", *super()._helper_command(line_fd)]

    monkeypatch.setenv("PYTHONMALLOC", "malloc")  # Python's own allocations seen by memcheck, not pymalloc's arenas
    eng = UnderMemcheck(timeout_s=600)
    try:
        for text in ("Wake me up at six forty five tomorrow.", "My pin has four digits, not six.", "Call mom."):
            assert eng.synthesize(text, "en+m4", Prosody(), 7).audio.size > 0
    finally:
        eng.close()
    reports = [block for f in tmp_path.glob("memcheck.*.log") for block in re.split(r"\n==\d+== *\n", f.read_text())]
    assert len(list(tmp_path.glob("memcheck.*.log"))) >= 2  # the helper and its voice server were both watched
    in_espeak = [b for b in reports if "libespeak-ng" in b and ("Invalid" in b or "uninitialised" in b)]
    assert in_espeak == [], in_espeak[0]
