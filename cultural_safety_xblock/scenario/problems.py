"""Problems an author can act on: where, what, and how to fix it.

Messages are gettext templates kept untranslated here (the core has no runtime); whoever shows
a problem passes its gettext in ``render`` so authors read it in their language.
"""
from dataclasses import dataclass


def N_(message):
    """Mark a message for translation without translating it yet."""
    return message


class Term(str):
    """A word put into a message ("scene", "true or false"): translated along with the message."""


@dataclass(frozen=True)
class Problem:
    code: str
    where: str
    what: str
    fix: str
    line: int | None = None
    args: tuple = ()

    def render(self, gettext=None):
        """(where, what, fix) in the reader's language."""
        gettext = gettext or (lambda text: text)
        values = {key: gettext(value) if isinstance(value, Term) else value
                  for key, value in self.args}
        return tuple(gettext(text).format(**values) for text in (self.where, self.what, self.fix))

    def as_dict(self, gettext=None):
        where, what, fix = self.render(gettext)
        return {"code": self.code, "line": self.line, "where": where, "what": what, "fix": fix}

    def __str__(self):
        where, what, fix = self.render()
        prefix = f"line {self.line}: " if self.line else ""
        return f"{prefix}{where}: {what} ({fix})"


def problem(code, where, what, fix, line=None, **args):
    return Problem(code, where, what, fix, line, tuple(sorted(args.items())))
