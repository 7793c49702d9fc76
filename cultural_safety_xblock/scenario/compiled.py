"""A scenario text read, checked and analysed once per content version.

The cache is keyed by the text itself, so every process computes a version once and a learner's
step costs the same whatever the scenario's size; nothing here is learner state.
"""
import hashlib
from dataclasses import dataclass
from functools import lru_cache

from . import olx, validate
from .analysis import analyse


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


@lru_cache(maxsize=256)
def compile_text(text):
    compiled = compile_source(text)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return Compiled(compiled.scenario, compiled.settings, compiled.problems, compiled.analysis,
                    digest)


def compile_source(source):
    """Read, validate and analyse OLX text or an lxml element (uncached)."""
    parsed = olx.read(source)
    if parsed.scenario is None:
        return Compiled(None, parsed.settings, tuple(parsed.problems), None)
    analysis = analyse(parsed.scenario)
    found = list(parsed.problems) + validate.problems(parsed.scenario, analysis)
    found.sort(key=lambda p: (p.line or 0))
    return Compiled(parsed.scenario, parsed.settings, tuple(found), analysis)
