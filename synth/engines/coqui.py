"""Coqui TTS (`coqui-tts`, the maintained fork of `TTS`): local models through `TTS.api.TTS`.

engine_voice is ``<model>[#<speaker>]``:
  <model>    a model name, ``tts_models/en/vctk/vits``, read from Coqui's local model cache
             (``$TTS_HOME/tts/``, else ``$XDG_DATA_HOME/tts/``, else ``~/.local/share/tts/``; the folder
             is ``tts_models--en--vctk--vits``), or ``engines.coqui.tts_home`` instead of the variable;
             or a path: a checkpoint (``.pth``) with ``config.json`` beside it, or a folder holding both.
  <speaker>  a speaker name of a multi-speaker model (``p225``).
Nothing is downloaded: a model that is not there gets an error that says where to put it.

Determinism: VITS draws noise with torch's global generator; each utterance reseeds it from the
item's seed, and inference runs on `threads` threads (1 by default) so the bytes do not depend on the
machine's core count.

torchaudio: every coqui-tts release imports torchaudio (VITS at module level), and the only
torchaudio on PyPI for Linux is a CUDA build whose C++ extension cannot load next to a CPU-only
torch (libc10_cuda.so is missing). torchaudio's Python code does not need that extension for
inference; when loading it fails, :func:`import_tts_api` marks the extension unavailable (what
torchaudio itself does when the library file is absent) and imports again. No file is changed.
Audio loading through torchaudio/torchcodec (voice cloning from a reference wav) stays unavailable
on such a machine.
"""

from __future__ import annotations

import os
import sys
import threading
import types
from collections import OrderedDict
from pathlib import Path

import numpy as np

from synth.engines.base import EngineError, Prosody, Synthesis

RATE_LIMITS, VOLUME_LIMITS = (0.25, 4.0), (0.0, 2.0)
PEAK_LEVEL = 0.5  # peak amplitude at volume 1.0, as for Piper
CHECKPOINT_NAMES = ("model_file.pth", "model_file.pth.tar", "model.pth", "checkpoint.pth")


def _cpu_torchaudio_extension() -> types.ModuleType:
    """What `torchaudio._extension` is when torchaudio finds no C++ library: pure-Python torchaudio."""
    module = types.ModuleType("torchaudio._extension")
    module._IS_TORCHAUDIO_EXT_AVAILABLE = False
    module._IS_ALIGN_AVAILABLE = False

    def fail_if_no_align(func):
        def unavailable(*_args, **_kwargs):
            raise RuntimeError(
                f"torchaudio.{func.__name__} needs torchaudio's C++ extension, which cannot load here (CUDA build, "
                "CPU torch)"
            )

        return unavailable

    def _load_lib(lib: str) -> bool:
        return False

    module.fail_if_no_align = fail_if_no_align
    module._load_lib = _load_lib
    module._check_cuda_version = lambda: None
    return module


def import_torchaudio():
    try:
        import torchaudio

        return torchaudio
    except OSError as exc:  # the CUDA build's extension: libc10_cuda.so / libcudart missing
        if "torchaudio" not in str(exc) and "cuda" not in str(exc).lower():
            raise
    for name in [m for m in sys.modules if m == "torchaudio" or m.startswith("torchaudio.")]:
        del sys.modules[name]
    sys.modules["torchaudio._extension"] = _cpu_torchaudio_extension()
    import torchaudio

    return torchaudio


def import_tts_api():
    """`TTS.api`, importable next to a CPU-only torch (see the module docstring)."""
    try:
        import_torchaudio()
        import TTS.api
    except ImportError as exc:
        raise EngineError(
            f"Coqui TTS is not installed or cannot be imported ({exc}); pip install 'speechforge-corpus[coqui]'"
        ) from exc
    return TTS.api


def split_engine_voice(engine_voice: str) -> tuple[str, str | None]:
    model, sep, speaker = engine_voice.partition("#")
    return model, (speaker if sep and speaker else None)


def is_model_name(model: str) -> bool:
    parts = model.split("/")
    return len(parts) == 4 and parts[0] == "tts_models"


def cache_dir(tts_home: str | None = None) -> Path:
    """Coqui's model cache, as `trainer.io.get_user_data_dir("tts")` computes it."""
    base = tts_home or os.environ.get("TTS_HOME") or os.environ.get("XDG_DATA_HOME")
    return (Path(base).expanduser() if base else Path.home() / ".local" / "share") / "tts"


def _find_checkpoint(folder: Path) -> Path | None:
    for name in CHECKPOINT_NAMES:
        if (folder / name).is_file():
            return folder / name
    found = sorted(folder.glob("*.pth"))
    return found[0] if len(found) == 1 else None


def resolve_model(
    model: str, tts_home: str | None = None, config_path: str | None = None
) -> tuple[str | None, Path, Path]:
    """(model name or None, checkpoint, config.json); EngineError says where the files should be."""
    if is_model_name(model):
        folder = cache_dir(tts_home) / model.replace("/", "--")
        checkpoint = _find_checkpoint(folder) if folder.is_dir() else None
        config = folder / "config.json"
        if checkpoint is None or not config.is_file():
            raise EngineError(
                f"Coqui model {model!r} is not in the local model cache: expected a checkpoint (model_file.pth) and "
                f'config.json in {folder}. Fetch it where there is internet (python -c "from TTS.api import TTS; '
                f"TTS('{model}')\" writes it to ~/.local/share/tts/{folder.name}) and copy that folder here, or set "
                "TTS_HOME "
                f"(or engines.coqui.tts_home) to the folder whose tts/ subfolder holds it"
            )
        return model, checkpoint, config
    path = Path(model).expanduser()
    if path.is_dir():
        checkpoint, config = _find_checkpoint(path), path / "config.json"
    else:
        checkpoint, config = path, path.with_name("config.json")
    if config_path:
        config = Path(config_path).expanduser()
    if checkpoint is None or not checkpoint.is_file() or not config.is_file():
        raise EngineError(
            f"Coqui model {model!r} not found: give a model name from the local cache ({cache_dir(tts_home)}), "
            "a checkpoint .pth with config.json beside it (or engines.coqui.config_path), or a folder holding both"
        )
    return None, checkpoint, config


def listed_speakers(checkpoint: Path) -> set[str] | None:
    """Speaker names from a model folder's speaker_ids.json (what Coqui's VCTK models ship), if any."""
    path = checkpoint.parent / "speaker_ids.json"
    if not path.is_file():
        return None
    import json

    try:
        return set(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def voice_available(
    engine_voice: str, tts_home: str | None = None, config_path: str | None = None, **_options
) -> tuple[bool, str]:
    model, speaker = split_engine_voice(engine_voice)
    try:
        _name, checkpoint, _config = resolve_model(model, tts_home, config_path)
    except EngineError as exc:
        return False, str(exc)
    speakers = listed_speakers(checkpoint)
    if speaker is not None and speakers is not None and speaker not in speakers:
        return False, f"Coqui model {model!r} has no speaker {speaker!r} (see {checkpoint.parent / 'speaker_ids.json'})"
    try:
        import importlib.util

        if importlib.util.find_spec("TTS") is None:
            return False, "coqui-tts is not installed (pip install 'speechforge-corpus[coqui]')"
    except ValueError:
        pass
    return True, ""


class CoquiEngine:
    name = "coqui"

    def __init__(
        self,
        timeout_s: float = 60.0,
        tts_home: str | None = None,
        config_path: str | None = None,
        threads: int = 1,
        max_loaded: int = 1,
    ):
        self.timeout_s = timeout_s  # in-process: not enforced; prompts.max_chars bounds a render
        self.tts_home, self.config_path = tts_home, config_path
        self.threads, self.max_loaded = int(threads), max(1, int(max_loaded))
        self._api = import_tts_api()
        import torch

        self._torch = torch
        torch.set_num_threads(self.threads)
        self._models: OrderedDict[str, object] = OrderedDict()
        self._lock = threading.Lock()

    def _load(self, model: str):
        if model in self._models:
            self._models.move_to_end(model)
            return self._models[model]
        name, checkpoint, config = resolve_model(model, self.tts_home, self.config_path)
        saved = os.environ.get("TTS_HOME")
        try:
            if name is not None:
                if self.tts_home:
                    os.environ["TTS_HOME"] = str(Path(self.tts_home).expanduser())
                tts = self._api.TTS(model_name=name, progress_bar=False)
            else:
                tts = self._api.TTS(model_path=str(checkpoint), config_path=str(config), progress_bar=False)
        except EngineError:
            raise
        except Exception as exc:
            raise EngineError(f"Coqui model {model!r} failed to load from {checkpoint}: {exc}") from exc
        finally:
            if self.tts_home:
                os.environ.pop("TTS_HOME", None) if saved is None else os.environ.__setitem__("TTS_HOME", saved)
        tts.eval()
        self._models[model] = tts
        while len(self._models) > self.max_loaded:
            self._models.popitem(last=False)
        return tts

    def synthesize(self, text: str, voice_name: str, prosody: Prosody, seed: int = 0) -> Synthesis:
        model, speaker = split_engine_voice(voice_name)
        torch = self._torch
        with self._lock:
            tts = self._load(model)
            speakers = tts.speakers or []
            if tts.is_multi_speaker and speaker not in speakers:
                known = ", ".join(sorted(speakers)[:20]) + (" …" if len(speakers) > 20 else "")
                raise EngineError(f"Coqui model {model!r} has no speaker {speaker!r}; known: {known}")
            if not tts.is_multi_speaker and speaker is not None:
                raise EngineError(f"Coqui model {model!r} has one speaker; got speaker {speaker!r}")
            tts_model = tts.synthesizer.tts_model
            rate = round(min(max(prosody.rate, RATE_LIMITS[0]), RATE_LIMITS[1]), 4)
            volume = round(min(max(prosody.volume, VOLUME_LIMITS[0]), VOLUME_LIMITS[1]), 4)
            has_length_scale = hasattr(tts_model, "length_scale")
            base_length = getattr(tts_model, "length_scale", 1.0)
            if has_length_scale:
                tts_model.length_scale = base_length / rate
            else:
                rate = 1.0
            torch.set_num_threads(self.threads)
            torch.manual_seed(seed & 0xFFFFFFFFFFFFFFFF)
            try:
                with torch.inference_mode():
                    wav = tts.tts(text=text, speaker=speaker)
            except Exception as exc:
                raise EngineError(f"Coqui model {model!r} failed on this text: {exc}") from exc
            finally:
                if has_length_scale:
                    tts_model.length_scale = base_length
            sample_rate = int(tts.synthesizer.output_sample_rate)
        audio = np.asarray(wav, dtype=np.float32).reshape(-1)
        peak = float(np.max(np.abs(audio))) if len(audio) else 0.0
        if peak > 1e-8:
            audio = audio * np.float32(PEAK_LEVEL * volume / peak)
        audio = np.clip(audio, -1.0, 1.0).astype(np.float32)
        applied = Prosody(rate=rate, pitch=1.0, volume=volume)  # VITS has no pitch control
        return Synthesis(audio=audio, sample_rate=sample_rate, prosody=applied, word_events=None, boundaries=[])

    def close(self) -> None:
        self._models.clear()
