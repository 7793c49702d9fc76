"""How the learner's page names a choice: never by the author's id.

An id can give the answer away (``correct``, ``*_repair``), and any id on the page, even of a
choice not taken, is one a learner could send. So the page and the app name each offered choice
by a token: its position among the choices offered now, and a digest of its text (which the page
shows anyway). The server maps the token back with the learner's own state (the node and the
version the request names must be where the learner is), so it names at most one choice; when
the scenario was edited under the page and that position now holds other words, the token no
longer matches and the learner is shown the choices as they are now. Author ids stay in the
OLX, the reports and the events.
"""
import hashlib
import re

from . import engine
from .problems import N_

_TOKEN = re.compile(r"^([1-9][0-9]{0,2})-([0-9a-f]{8})$")


def token(position, choice):
    """The token of ``choice`` offered at ``position`` (1 for the first)."""
    digest = hashlib.sha256(choice.text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{position}-{digest}"


def offered(scenario, state):
    """[(token, choice)] for the choices offered to a learner in ``state``, in order."""
    return [(token(position, choice), choice)
            for position, choice in enumerate(engine.offered(scenario, state), start=1)]


def chosen_id(scenario, state, node_id, version, sent):
    """The id of the offered choice that the token ``sent`` names, for ``engine.choose``.

    A request that is stale, or made where no choice is offered (before the start, at an
    ending), gets back "" for the engine to refuse in its own terms. A token that names nothing
    here is refused: 409 when its position holds a choice whose words have changed (the page is
    out of date), else 400.
    """
    if version != state.version or node_id != state.place or scenario.node(state.place) is None:
        return ""
    choices = offered(scenario, state)
    for each, choice in choices:
        if each == sent:
            return choice.id
    match = _TOKEN.match(sent)
    if match and int(match.group(1)) <= len(choices):
        raise engine.Refusal("changed-choice", N_("The choices here have changed since this page "
                                                  "was shown. The page now shows them as they "
                                                  "are; choose again."), 409)
    raise engine.Refusal("unknown-choice", N_("There is no such choice here."), 400)
