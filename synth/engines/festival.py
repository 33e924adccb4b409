"""Festival (Debian's `festival` 2.5): one long-lived ``festival --pipe`` process per voice, fed Scheme.

engine_voice is the Festival voice name, as in ``(voice_<name>)``: ``cmu_us_slt_arctic_hts`` (US
female, HTS), ``kal_diphone`` and ``ked_diphone`` (US male), ``rab_diphone`` (British male), or any
other voice installed under /usr/share/festival/voices/<language>/<name>.

Why one long-lived process per voice: a `festival` start with its voice costs ~0.18 s of CPU,
while a built-in prompt renders in ~15 ms (diphones) to ~60 ms (HTS) in a running process, so one
process per utterance would be ~10x slower for the diphone voices and ~3x for slt. Measured, one
thread, 30 built-in prompts, start-up included (audio s per CPU s of the process tree): kal 174,
ked 165, rab 149, slt 37. Within a process, an utterance's bytes do not depend on what that voice rendered before
or with which prosody (measured): every request re-selects the voice (``voice_reset`` and the voice
function set phone set, lexicon, duration, intonation and waveform parameters anew), then sets the
prosody from those fresh values, and the HTS wrapper synthesizes each utterance from scratch. But
voices leak globals into each other: selecting slt sets ``postlex_vowel_reduce_cart_tree`` to nil
and no other voice restores it, so rab rendered after slt in a shared process gave other bytes than
in a fresh one. Hence one process per voice, started on first use; at most ``max_processes`` stay
alive (least recently used closed first; a restarted process renders the same bytes). Each holds
~320 MB (Festival loads its lexicons per process). A fresh process gives the same bytes (tested).

Safety: the text travels inside a Scheme string literal. Backslashes and double quotes are escaped,
control characters become spaces and characters outside ASCII become their ASCII base letter or a
space (Festival reads bytes, not UTF-8), one character for one, so word offsets stay those of the
text we were given. Nothing else of the request reaches the Scheme reader: the voice name must be
an installed voice, the numbers are formatted by us, the wave path is ours.

Word times come from Festival itself: for each token of the Token relation, its words with the start
of their first segment (``segment_start``: the previous segment's end, so a pause before the word
is not counted in it) and the word's end; pause segments inside the utterance are the boundaries.

Prosody (measured with parselmouth on the built-in prompts, see tests/test_engine_festival.py):
- rate: diphone voices divide the voice's own ``Duration_Stretch`` (1.1 for kal/ked, 1.05 for rab)
  by the factor. HTS ignores Duration_Stretch; the engine's ``-r`` speed option is given the
  factor. Median duration ratio (rate 1.0 / rate r, first 10 built-in prompts) for r = 1.25 and
  0.8: kal 1.248 / 0.802, ked 1.247 / 0.802, rab 1.248 / 0.802, slt 1.243 / 0.796; r = 2.0 gives
  1.98–1.99 and 0.5 gives 0.50. Word times follow (they are Festival's, after the change).
- pitch: diphone voices scale ``target_f0_mean`` and ``target_f0_std`` of ``int_lr_params``.
  Median F0 ratio for 1.2 / 0.85: kal 1.199 / 0.855, ked 1.200 / 0.852, rab 1.201 / 0.859;
  1.4 gives 1.40–1.42. Below 0.85 the targets meet an F0 floor, so requests are clamped there.
  Festival's HTS 1.07 wrapper passes only ``-m`` and ``-r`` to the engine (no half-tone shift),
  so the HTS voice is not pitch-shifted and records pitch 1.0 (measured ratio 1.000).
- volume: a linear factor applied here, limited so that no sample exceeds full scale; the factor
  recorded is the one applied. The diphone voices touch full scale already at 1.0 on a few samples
  (kal's own hook rescales by 2.6; ked and rab saturate inside Festival's 16-bit synthesis): at
  most 5 samples in the first 30 built-in prompts, too few to matter, so the level is left as is.
"""

from __future__ import annotations

import os
import re
import selectors
import shutil
import subprocess
import tempfile
import time
import unicodedata
import wave
from collections import OrderedDict
from functools import cache
from pathlib import Path

import numpy as np

from synth.audio_io import from_pcm16
from synth.engines.base import EngineError, Prosody, Synthesis, WordEvent

VOICE_ROOTS = (Path("/usr/share/festival/voices"), Path("/usr/local/share/festival/voices"))
INSTALL_HINT = (
    "install Debian's festival and a voice package (festvox-us-slt-hts, festvox-kallpc16k, "
    "festvox-kdlpc16k, festvox-rablpc16k)"
)
RATE_LIMITS = (0.5, 2.0)  # realized within 1 % over this range (duration ratio 0.50–1.99), all voices
PITCH_LIMITS = (0.85, 1.4)  # diphone voices: realized within 1 %; at 0.8 F0 is 0.81, at 0.7 only 0.78–0.81 (floor)
FULL_SCALE = 32767 / 32768  # festival writes 16-bit samples: its loudest is at most this
VOLUME_LIMITS = (0.0, 4.0)
_VOICE_NAME = re.compile(r"^[a-z0-9_]+$")
_END = "@@SPEECHFORGE_END"

# Scheme run once per process: helpers that each request calls.
PRELUDE = r"""
(define (speechforge_scale_f0 factor)
  (set! int_lr_params
        (mapcar (lambda (p) (if (member (car p) '(target_f0_mean target_f0_std))
                                (list (car p) (* factor (car (cdr p)))) p))
                int_lr_params)))
(define (speechforge_dump utt)
  (mapcar (lambda (tok)
            (if (not (item.parent tok))  ; the relation lists tokens and, below each, its words
                (begin
                  (format t "T\t%s\n" (item.name tok))
                  (mapcar (lambda (w)
                            (format t "W\t%s\t%f\t%f\n" (item.name w)
                                    (item.feat w "R:SylStructure.daughter1.daughter1.segment_start")
                                    (item.feat w "R:Word.word_end")))
                          (item.daughters tok)))))
          (utt.relation.items utt 'Token))
  (mapcar (lambda (s) (if (string-equal (item.name s) "pau")
                          (format t "P\t%f\t%f\n" (item.feat s "segment_start") (item.feat s "end"))))
          (utt.relation.items utt 'Segment))
  t)
"""


@cache
def installed_voices() -> dict[str, Path]:
    """Festival voice name -> its folder, for every voice installed in the usual places."""
    found: dict[str, Path] = {}
    for root in VOICE_ROOTS:
        if root.is_dir():
            for folder in sorted(root.glob("*/*")):
                if folder.is_dir() and (folder / "festvox").is_dir() and _VOICE_NAME.match(folder.name):
                    found.setdefault(folder.name, folder)
    return found


def is_hts(voice: str) -> bool:
    folder = installed_voices().get(voice)
    return folder is not None and (folder / "hts").is_dir()


def voice_available(engine_voice: str, festival: str = "festival", **_options) -> tuple[bool, str]:
    if shutil.which(festival) is None:
        return False, f"the {festival!r} command is not installed; {INSTALL_HINT}"
    voices = installed_voices()
    if engine_voice not in voices:
        return (
            False,
            f"unknown Festival voice {engine_voice!r}; installed: {', '.join(voices) or '(none)'}; {INSTALL_HINT}",
        )
    return True, ""


def festival_text(text: str) -> str:
    """`text` in the bytes Festival reads, one character for one: controls become spaces, other
    non-ASCII characters their ASCII base letter (é -> e) or a space."""
    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch if ch.isprintable() else " ")
        else:
            base = unicodedata.normalize("NFKD", ch)[:1]
            out.append(base if base.isascii() and base.isprintable() else " ")
    return "".join(out)


def scheme_string(text: str) -> str:
    """A Scheme string literal that Festival's reader turns back into `festival_text(text)`."""
    return '"' + festival_text(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def read_wave(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        if w.getnchannels() != 1 or w.getsampwidth() != 2:
            raise EngineError(
                f"unexpected wave from festival: {w.getnchannels()} channels, {8 * w.getsampwidth()} bits"
            )
        rate, pcm = w.getframerate(), w.readframes(w.getnframes())
    return from_pcm16(pcm), int(rate)


def word_events(text: str, lines: list[str], sample_rate: int) -> tuple[list[WordEvent], list[int]]:
    """Word events (one per token Festival spoke, at its first word's start) and pause boundaries."""
    events: list[WordEvent] = []
    pauses: list[int] = []
    cursor, token, timed, speech_end = 0, None, False, 0.0
    for line in lines:
        kind, *fields = line.rstrip("\n").split("\t")
        if kind == "T" and fields:
            token, timed = None, False
            found = text.find(fields[0], cursor) if fields[0] else -1
            if found >= 0:
                token, cursor = (found, len(fields[0])), found + len(fields[0])
        elif kind == "W" and len(fields) == 3:
            start, end = float(fields[1]), float(fields[2])
            speech_end = max(speech_end, end)
            if token is not None and not timed and end > start:  # a word without segments has no time of its own
                events.append(WordEvent(char_start=token[0], char_len=token[1], sample=round(start * sample_rate)))
                timed = True
        elif kind == "P" and len(fields) == 2:
            pauses.append(round(float(fields[0]) * sample_rate))
    # The leading and trailing pauses are the utterance's edges, not clause ends.
    first, last = (events[0].sample if events else 0), round(speech_end * sample_rate)
    return events, [p for p in pauses if first < p < last]


class FestivalProcess:
    """A `festival --pipe` child: Scheme in on stdin, results on stdout up to an end marker."""

    def __init__(self, command: str, timeout_s: float):
        self.timeout_s = timeout_s
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the process)
        try:
            self.proc = subprocess.Popen(
                [command, "--pipe"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                cwd=tempfile.gettempdir(),
                start_new_session=True,
            )
        except OSError as exc:
            raise EngineError(f"cannot start {command!r}: {exc}; {INSTALL_HINT}") from exc
        self._count = 0
        self._buffer = b""
        self.run(PRELUDE)

    def run(self, scheme: str) -> tuple[bool, list[str]]:
        """Send forms; (whether the request's last form set speechforge_ok, stdout lines before the marker)."""
        self._count += 1
        marker = f"{_END} {self._count}"
        payload = f'(set! speechforge_ok nil)\n{scheme}\n(format t "\\n{marker} %l\\n" speechforge_ok) (fflush nil)\n'
        try:
            self.proc.stdin.write(payload.encode("ascii"))
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise EngineError(f"festival stopped: {self.stderr_tail()}") from exc
        deadline = time.monotonic() + self.timeout_s
        fd = self.proc.stdout.fileno()
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while f"\n{marker} ".encode() not in self._buffer:
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    raise EngineError(f"festival gave no answer within {self.timeout_s:g} s")
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise EngineError(f"festival stopped (status {self.proc.poll()}): {self.stderr_tail()}")
                self._buffer += chunk
        head, _, rest = self._buffer.partition(f"\n{marker} ".encode())
        status, _, self._buffer = rest.partition(b"\n")
        return status.strip() == b"t", head.decode("ascii", "replace").splitlines()

    def stderr_tail(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace").strip()[-400:]

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        self._stderr.close()


class FestivalEngine:
    name = "festival"

    def __init__(self, timeout_s: float = 60.0, festival: str = "festival", max_processes: int = 4):
        path = shutil.which(festival)
        if path is None:
            raise EngineError(f"the {festival!r} command is not installed; {INSTALL_HINT}")
        if int(max_processes) < 1:
            raise EngineError(f"engines.festival.max_processes must be at least 1; got {max_processes}")
        self.command, self.timeout_s, self.max_processes = path, float(timeout_s), int(max_processes)
        self._processes: OrderedDict[str, FestivalProcess] = OrderedDict()  # voice -> its process, LRU order
        self._dir = tempfile.TemporaryDirectory(prefix="speechforge-festival-")
        self._wave = Path(self._dir.name) / "utterance.wav"

    def _scheme(self, text: str, voice: str, rate: float, pitch: float) -> str:
        prosody = (
            f'(set! hts_engine_params (append hts_engine_params (list (list "-r" {rate:.6f}))))'
            if is_hts(voice)
            else f"(Parameter.set 'Duration_Stretch (/ (Parameter.get 'Duration_Stretch) {rate:.6f}))\n"
            f"(speechforge_scale_f0 {pitch:.6f})"
        )
        return (
            f"(voice_{voice})\n{prosody}\n"
            f"(set! speechforge_utt (utt.synth (Utterance Text {scheme_string(text)})))\n"
            f"(utt.save.wave speechforge_utt {scheme_string(str(self._wave))} 'riff)\n"
            f"(speechforge_dump speechforge_utt)\n(set! speechforge_ok t)"
        )

    def _process_for(self, voice: str) -> FestivalProcess:
        process = self._processes.pop(voice, None)
        if process is None:
            while len(self._processes) >= self.max_processes:
                self._processes.popitem(last=False)[1].close()
            process = FestivalProcess(self.command, self.timeout_s)
        self._processes[voice] = process
        return process

    def synthesize(self, text: str, voice_name: str, prosody: Prosody, seed: int = 0) -> Synthesis:
        ok, why = voice_available(voice_name, self.command)
        if not ok:
            raise EngineError(why)
        if not text.strip():
            raise EngineError("Festival was given no text to speak")
        rate = round(min(max(float(prosody.rate), RATE_LIMITS[0]), RATE_LIMITS[1]), 4)
        pitch = (
            1.0 if is_hts(voice_name) else round(min(max(float(prosody.pitch), PITCH_LIMITS[0]), PITCH_LIMITS[1]), 4)
        )
        if self._wave.exists():
            self._wave.unlink()
        process = self._process_for(voice_name)
        try:
            ok, lines = process.run(self._scheme(text, voice_name, rate, pitch))
        except EngineError:
            self._stop(voice_name)
            raise
        if not ok or not self._wave.exists():
            detail = process.stderr_tail()
            self._stop(voice_name)
            raise EngineError(f"Festival voice {voice_name!r} failed on {text[:60]!r}: {detail}")
        audio, sample_rate = read_wave(self._wave)
        if not len(audio) or not np.any(audio):
            raise EngineError(f"Festival voice {voice_name!r} produced no sound for {text[:60]!r}")
        peak = float(np.max(np.abs(audio)))
        # Never above full scale: a louder request is limited (volume 1.0 never is) and says so.
        volume = min(max(float(prosody.volume), VOLUME_LIMITS[0]), VOLUME_LIMITS[1])
        volume = round(volume, 4) if volume * peak <= FULL_SCALE else float(np.floor(FULL_SCALE / peak * 1e4) / 1e4)
        if volume != 1.0:
            audio = (audio * np.float32(volume)).astype(np.float32)
        events, boundaries = word_events(festival_text(text), lines, sample_rate)
        return Synthesis(
            audio=audio,
            sample_rate=sample_rate,
            prosody=Prosody(rate=rate, pitch=pitch, volume=volume),
            word_events=events,
            boundaries=boundaries,
        )

    def _stop(self, voice: str) -> None:
        process = self._processes.pop(voice, None)
        if process is not None:
            process.close()

    def close(self) -> None:
        for voice in list(self._processes):
            self._stop(voice)
        self._dir.cleanup()
