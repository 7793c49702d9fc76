"""A scenario text read, checked and analysed once per content version.

The cache is keyed by the text itself, so every process computes a version once; nothing here is
learner state. ``compile_version`` finds a version by its content hash alone, so a request that
knows the hash never reads, decodes or hashes the text: a learner's step costs the same whatever
the scenario's size.
"""
import hashlib
from dataclasses import dataclass
from functools import lru_cache

from . import edits, language, olx, validate
from .analysis import analyse
from .memory import Memory


@dataclass(frozen=True)
class Compiled:
    scenario: object      # Scenario, or None when the text is unusable
    settings: dict
    problems: tuple
    analysis: object      # Analysis, or None
    content_hash: str = ""  # names this version of the text in learner state and events

    @property
    def playable(self):
        return self.scenario is not None and not self.problems


CACHED_VERSIONS = 64  # a 1,000-node scenario compiles to about 3.4 MiB


@lru_cache(maxsize=16)   # a save hashes its text twice: to compile it and to store its version
def content_hash(text):
    """The name of a scenario text's version (in learner state, events and the version field)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


@lru_cache(maxsize=CACHED_VERSIONS)
def compile_text(text):
    compiled = compile_source(text)
    return Compiled(compiled.scenario, compiled.settings, compiled.problems, compiled.analysis,
                    content_hash(text))


_versions = Memory(CACHED_VERSIONS)


def compile_version(version, read_text):
    """The compiled text whose content hash is ``version``; ``read_text()`` is called only when
    this process has not compiled that version yet (or ``version`` is empty).

    A version is remembered only once a text read has that very hash: a missing version, or one
    that does not name the stored text, costs a read of the text on every call, and what is
    returned is always the text's own. (Only a write that bypasses the block's field, changing
    the text but not the version, could meet an older version still remembered here.)
    """
    found = _versions.get(version) if version else None
    if found is not None:
        return found
    compiled = compile_text(read_text())
    if version and compiled.content_hash == version:
        _versions.keep(version, compiled)
    return compiled


def compile_source(source):
    """Read, validate and analyse OLX text or an lxml element (uncached); a text that edits
    the last one read is read in part (``edits``)."""
    parsed = edits.read(source) if isinstance(source, str) else olx.read(source)
    if parsed.scenario is None:
        return Compiled(None, parsed.settings, tuple(parsed.problems), None)
    analysis = analyse(parsed.scenario)
    found = (list(parsed.problems) + validate.problems(parsed.scenario, analysis)
             + language.problems(parsed.settings))
    found.sort(key=lambda p: (p.line or 0))
    return Compiled(parsed.scenario, parsed.settings, tuple(found), analysis)
