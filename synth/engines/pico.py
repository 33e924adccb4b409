"""SVOX Pico: Debian's `pico2wave` (non-free `libttspico-utils`), one process per utterance.

engine_voice is the Pico language: ``en-US`` (lingware lh0, female) or ``en-GB`` (kh0, female).

Why a process per utterance: Pico keeps no random state, but a fresh process is the plain way to
make an utterance a pure function of (text, voice, prosody) whatever was rendered before, and
`pico2wave` costs ~10 ms to start. It only writes to a file whose name ends in ``.wav`` (not to
stdout), so each render gets a private temporary folder that is removed afterwards. Text goes in on
stdin, never on the command line, so a text that starts with ``-`` is not read as an option.

Markup: Pico reads ``<speed level=..>``, ``<pitch level=..>``, ``<play file=..>``… tags in its text,
and it does not decode XML entities (``&lt;`` is read out as "and L T"), so there is no way to
escape ``<``. Text with ``<`` or ``>`` is refused (synth.normalize spells them out as "less than",
"greater than"). The text is then wrapped in Pico's own tags to apply prosody, always (also at
1.0), so every rate and pitch shares one baseline: ``<speed level=S><pitch level=P>text</pitch></speed>``.

Prosody, as measured (built-in prompts 1-20, both voices): median F0 (parselmouth) scales by P/100
(P 50..200: 0.503..1.98; duration unchanged), so pitch p is P = round(100 p), recorded as P/100
after Pico's limits (50..200). Speed scales the spoken stretches by exactly 100/S (S 40..300:
0.401..2.94 vs 0.40..3.0) but not the pauses Pico puts at commas (~0.3 s) and sentence ends (~0.6 s),
nor its fixed ~0.6 s of end padding. So the end padding is cut to TAIL_S after the last sample above
TAIL_LEVEL, and a rate r != 1 takes three renders: at S=100 (duration D0), at S=round(100 r) (D1),
which give the scaled part and the fixed part of the duration (D = fixed + scaled x 100/S), then at
the S that makes D0/D = r. The recorded rate is the measured D0/D of the clip returned (within ~1 %
of r, unless the fixed pauses make r unreachable within S <= 500). Pico costs ~10 ms per render.
Volume is a linear gain applied here, capped so the peak stays below full scale (recorded as applied).

No word times: Pico's API has no word or mark callbacks (word_events=None).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

import numpy as np

from synth.audio_io import from_pcm16
from synth.engines.base import EngineError, Prosody, Synthesis

LANG_DIR = Path("/usr/share/pico/lang")
# Pico language -> the two lingware files it loads (text analysis, signal generation).
VOICES = {
    "en-US": ("en-US_ta.bin", "en-US_lh0_sg.bin"),
    "en-GB": ("en-GB_ta.bin", "en-GB_kh0_sg.bin"),
}
SPEED_LIMITS, PITCH_LIMITS = (20, 500), (50, 200)  # Pico's own clamps on the tag levels (percent)
MARKUP_CHARS = "<>"
TAIL_LEVEL, TAIL_S = 0.003, 0.1  # near-silence (about -50 dBFS) after speech, and how much of it to keep
PEAK_LIMIT = 0.999
INSTALL_HINT = "install Debian's libttspico-utils (non-free) for pico2wave"


def voice_available(engine_voice: str, pico2wave: str = "pico2wave", **_options) -> tuple[bool, str]:
    if engine_voice not in VOICES:
        return False, f"unknown Pico voice {engine_voice!r}; known: {', '.join(VOICES)}"
    if shutil.which(pico2wave) is None:
        return False, f"the {pico2wave} command is not installed; {INSTALL_HINT}"
    missing = [name for name in VOICES[engine_voice] if not (LANG_DIR / name).is_file()]
    if missing:
        paths = ", ".join(str(LANG_DIR / m) for m in missing)
        return False, f"Pico lingware for {engine_voice} is missing ({paths}); {INSTALL_HINT}"
    return True, ""


def pico_levels(prosody: Prosody) -> tuple[int, int, Prosody]:
    """(speed level, pitch level, the rate and pitch they realize) for a requested prosody."""
    speed = int(min(max(round(100 * prosody.rate), SPEED_LIMITS[0]), SPEED_LIMITS[1]))
    pitch = int(min(max(round(100 * prosody.pitch), PITCH_LIMITS[0]), PITCH_LIMITS[1]))
    return speed, pitch, Prosody(rate=speed / 100, pitch=pitch / 100)


def speed_for_rate(base_len: int, probe_len: int, probe_speed: int, rate: float) -> int:
    """The speed level whose clip is base_len / rate long, from a clip at level 100 and one at probe_speed.

    Duration = fixed + scaled * 100 / level (pauses and edges do not scale), solved from the two clips."""
    scaled = (base_len - probe_len) / (1 - 100 / probe_speed)
    fixed = base_len - scaled
    target = base_len / rate
    if scaled <= 0 or target <= fixed:
        return SPEED_LIMITS[1] if rate > 1 else SPEED_LIMITS[0]
    return int(min(max(round(100 * scaled / (target - fixed)), SPEED_LIMITS[0]), SPEED_LIMITS[1]))


def trim_tail(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Cut Pico's fixed end padding to TAIL_S after the last sample above TAIL_LEVEL."""
    loud = np.flatnonzero(np.abs(audio) > TAIL_LEVEL)
    if not len(loud):
        return audio
    return audio[: min(len(audio), int(loud[-1]) + 1 + int(TAIL_S * sample_rate))]


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        if w.getnchannels() != 1 or w.getsampwidth() != 2:
            channels, bits = w.getnchannels(), 8 * w.getsampwidth()
            raise EngineError(f"unexpected WAV from pico2wave: {channels} channels, {bits} bits")
        rate, pcm = w.getframerate(), w.readframes(w.getnframes())
    return from_pcm16(pcm), rate


class PicoEngine:
    name = "pico"

    def __init__(self, timeout_s: float = 60.0, pico2wave: str = "pico2wave"):
        path = shutil.which(pico2wave)
        if path is None:
            raise EngineError(f"SVOX Pico needs the {pico2wave} command, which is not installed; {INSTALL_HINT}")
        self.command = path
        self.timeout_s = float(timeout_s)

    def synthesize(self, text: str, voice_name: str, prosody: Prosody, seed: int = 0) -> Synthesis:
        ok, why = voice_available(voice_name, self.command)
        if not ok:
            raise EngineError(why)
        bad = sorted({c for c in text if c in MARKUP_CHARS})
        if bad:
            raise EngineError(
                f"Pico reads {' and '.join(map(repr, bad))} as markup and cannot escape them; text {text[:60]!r} "
                "must be its spoken form (synth.normalize spells them out)"
            )
        if not text.strip():
            raise EngineError("Pico was given empty text")
        speed, pitch, applied = pico_levels(prosody)
        audio, rate = self._render(text, voice_name, 100, pitch)
        if speed != 100:
            base = len(audio)
            probe, _ = self._render(text, voice_name, speed, pitch)
            final = speed_for_rate(base, len(probe), speed, applied.rate)
            audio = probe if final == speed else self._render(text, voice_name, final, pitch)[0]
            applied = Prosody(rate=round(base / len(audio), 4), pitch=applied.pitch)
        peak = float(np.max(np.abs(audio))) if len(audio) else 0.0
        if peak < 1e-4:
            raise EngineError(f"Pico voice {voice_name!r} produced no sound for {text[:60]!r}")
        volume = round(min(max(prosody.volume, 0.0), PEAK_LIMIT / peak), 4)
        audio = np.clip(audio * np.float32(volume), -1.0, 1.0).astype(np.float32)
        applied = Prosody(rate=applied.rate, pitch=applied.pitch, volume=volume)
        return Synthesis(audio=audio, sample_rate=rate, prosody=applied, word_events=None, boundaries=[])

    def _render(self, text: str, voice_name: str, speed: int, pitch: int) -> tuple[np.ndarray, int]:
        """One pico2wave run with Pico's speed and pitch tags around the text; end padding trimmed."""
        tagged = f'<speed level="{speed}"><pitch level="{pitch}">{text}</pitch></speed>'
        with tempfile.TemporaryDirectory(prefix="speechforge-pico-") as tmp:
            out = Path(tmp) / "utterance.wav"
            try:
                done = subprocess.run(
                    [self.command, "-l", voice_name, "-w", str(out)],
                    input=tagged.encode("utf-8"),
                    capture_output=True,
                    timeout=self.timeout_s,
                    check=False,
                )
            except subprocess.TimeoutExpired as exc:
                raise EngineError(f"Pico voice {voice_name!r} timed out after {self.timeout_s:g} s") from exc
            if done.returncode != 0 or not out.is_file():
                detail = (done.stdout + done.stderr).decode("utf-8", "replace").strip()[-300:]
                raise EngineError(f"pico2wave with voice {voice_name!r} failed (status {done.returncode}): {detail}")
            audio, rate = read_wav(out)
        return trim_tail(audio, rate), rate

    def close(self) -> None:
        pass
