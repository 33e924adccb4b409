"""Which normalizer turns a prompt into its spoken form: the built-in rules (fast, the default) or NeMo's.

``normalize.backend=nemo`` reads each prompt with NVIDIA's nemo-text-processing (weighted finite-state
grammars; ~98% on its own English test cases, but ~150-200 ms a sentence against ~0.2 ms for the built-in
rules) and then passes NeMo's words through :func:`synth.normalize.to_spoken`, so the text the engine gets and
the transcript are built by the same code whichever backend read the numbers, and characters no engine can
say are still refused. NeMo compiles its grammars on first use (about a minute) into ``cache_dir`` and loads
them from there afterwards; every text it normalized is kept in a SQLite file beside them, so a sweep over the
same prompts does not pay twice. Nothing is downloaded: the grammars are built from the package's own files.

``normalize.cross_check=true`` reads each prompt with both and records whether they agree
(:func:`cross_check`); rows where they disagree are where a label is least certain, and the review sample
puts them first.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

from synth.normalize import NormalizationError, SpokenForm, to_spoken
from synth.normalize_score import same_reading

__all__ = ["BACKENDS", "NemoNormalizer", "PromptNormalizer", "make_normalizer", "cross_check", "default_cache_dir"]

BACKENDS = ("builtin", "nemo")


def default_cache_dir() -> Path:
    """``$SPEECHFORGE_NEMO_CACHE``, else ``$XDG_CACHE_HOME/speechforge/nemo_tn`` (``~/.cache/...``)."""
    if os.environ.get("SPEECHFORGE_NEMO_CACHE"):
        return Path(os.environ["SPEECHFORGE_NEMO_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "speechforge" / "nemo_tn"


class NemoNormalizer:
    """NeMo's English text normalizer with a persistent per-text cache.

    :param cache_dir: folder for NeMo's compiled grammars (``*.far``) and ``texts.sqlite``, the spoken form
        of every text normalized so far, keyed by the text and the nemo-text-processing version.
    """

    def __init__(self, cache_dir: str | Path | None = None):
        try:
            import nemo_text_processing
        except ImportError as exc:
            raise NormalizationError(
                "normalize.backend=nemo needs nemo-text-processing: pip install 'speechforge-corpus[nemo]'"
            ) from exc
        self.version = getattr(nemo_text_processing, "__version__", "unknown")
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.cache_dir / "texts.sqlite", check_same_thread=False, timeout=60)
        self._db.execute("CREATE TABLE IF NOT EXISTS spoken (key TEXT PRIMARY KEY, spoken TEXT NOT NULL)")
        self._db.commit()
        self._lock = threading.Lock()
        self._nemo = None  # the grammars load on the first text the cache does not hold
        self.hits = self.misses = 0

    def _grammar(self):
        if self._nemo is None:
            for name in ("NeMo-text-processing", "nemo_text_processing"):
                logging.getLogger(name).setLevel(logging.WARNING)
            from nemo_text_processing.text_normalization.normalize import Normalizer

            self._nemo = Normalizer(input_case="cased", lang="en", cache_dir=str(self.cache_dir))
        return self._nemo

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.version}\0{text}".encode()).hexdigest()

    def written_to_words(self, text: str) -> str:
        """NeMo's spoken form of ``text`` (words and punctuation), from the cache when it holds it."""
        key = self._key(text)
        with self._lock:
            row = self._db.execute("SELECT spoken FROM spoken WHERE key = ?", (key,)).fetchone()
            if row:
                self.hits += 1
                return row[0]
            self.misses += 1
            words = self._grammar().normalize(text, punct_post_process=True)
            self._db.execute("INSERT OR REPLACE INTO spoken VALUES (?, ?)", (key, words))
            self._db.commit()
        return words

    def __call__(self, text: str, date_order: str = "auto") -> SpokenForm:
        """The spoken form of ``text``; NormalizationError where the result still holds what cannot be said."""
        return to_spoken(self.written_to_words(text), date_order)

    def close(self) -> None:
        self._db.close()


def make_normalizer(backend: str = "builtin", cache_dir: str | Path | None = None) -> Callable[..., SpokenForm]:
    """The ``text -> SpokenForm`` function of ``backend`` ("builtin" or "nemo").

    :param backend: which normalizer; anything else is a ValueError naming the valid ones.
    :param cache_dir: the NeMo backend's grammar and per-text cache folder (default :func:`default_cache_dir`).
    """
    if backend == "builtin":
        return to_spoken
    if backend == "nemo":
        return NemoNormalizer(cache_dir)
    raise ValueError(f"normalize.backend must be one of {', '.join(BACKENDS)}; got {backend!r}")


def cross_check(text: str, primary: SpokenForm, other: Callable[[str], SpokenForm], other_name: str) -> dict:
    """How ``other`` reads ``text`` beside the ``primary`` reading: the row's ``normalize.cross_check``.

    :returns: ``{"backend": other_name, "agree": bool, "transcript": other's transcript or None,
        "reason": why other refused the text, when it did}``; the readings agree when their transcripts are
        equal after the lenient folding of :mod:`synth.normalize_score`.
    """
    try:
        theirs = other(text)
    except NormalizationError as exc:
        return {"backend": other_name, "agree": False, "transcript": None, "reason": exc.reason}
    return {
        "backend": other_name,
        "agree": same_reading(primary.transcript, theirs.transcript),
        "transcript": theirs.transcript,
    }


class PromptNormalizer:
    """What the plan calls for each prompt: the configured backend, and the cross-check when asked for.

    :param backend: "builtin" or "nemo" (``normalize.backend``).
    :param cross_check: also read each prompt with the other backend (``normalize.cross_check``).
    :param cache_dir: NeMo's grammar and per-text cache (``normalize.cache_dir``; None: the default).
    :param date_order: see :mod:`synth.normalize_dates` (``normalize.date_order``).
    :param letters: the transcript's letter style, synth.normalize.LETTER_STYLES (``normalize.letters``).
    """

    def __init__(
        self,
        backend: str = "builtin",
        cross_check: bool = False,
        cache_dir=None,
        date_order: str = "auto",
        letters: str = "spaced",
    ):
        from synth.normalize import check_letter_style
        from synth.normalize_dates import DATE_ORDERS

        if date_order not in DATE_ORDERS:
            raise ValueError(f"normalize.date_order must be one of {', '.join(DATE_ORDERS)}; got {date_order!r}")
        check_letter_style(letters)
        self.backend, self.date_order, self.cross_check, self.letters = backend, date_order, bool(cross_check), letters
        self._primary = make_normalizer(backend, cache_dir)
        self._other_name = "nemo" if backend == "builtin" else "builtin"
        self._other = make_normalizer(self._other_name, cache_dir) if cross_check else None

    def __call__(self, text: str) -> tuple[SpokenForm, dict | None]:
        """(the spoken form, the row's ``normalize`` record or None when the default alone ran)."""
        form = self._primary(text, self.date_order).with_letters(self.letters)
        if self._other is None:
            return form, None if self.backend == "builtin" else {"backend": self.backend}
        other = lambda t: self._other(t, self.date_order).with_letters(self.letters)  # noqa: E731
        return form, {"backend": self.backend, "cross_check": cross_check(text, form, other, self._other_name)}
