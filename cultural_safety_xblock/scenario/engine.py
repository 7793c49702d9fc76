"""What happens when a learner acts: pure functions from (scenario, state, action) to a new state.

The state is small and derived facts are not stored: variable values are replayed from the path.
Every action names the node the learner saw and the state version; if either is out of date the
action is refused as stale, so a double click or a second tab never counts twice.
"""
from dataclasses import dataclass, replace

from .analysis import apply_effects, offered_choices
from .model import Ending, Node
from .problems import N_


@dataclass(frozen=True)
class Rules:
    allow_back: bool = True
    allow_restart: bool = True
    max_attempts: int = 0  # 0: unlimited


@dataclass(frozen=True)
class State:
    place: str = ""      # current node or ending id; "" before the learner begins
    path: tuple = ()     # ((node id, choice id), ...) taken in this attempt
    version: int = 0     # bumped on every change
    attempt: int = 0     # attempts begun

    @classmethod
    def from_dict(cls, data):
        """A state from stored JSON; anything malformed gives the empty state."""
        try:
            path = tuple((str(node), str(choice)) for node, choice in data.get("path", ()))
            return cls(str(data.get("place", "")), path, int(data.get("version", 0)),
                       int(data.get("attempt", 0)))
        except (AttributeError, TypeError, ValueError):
            return cls()

    def to_dict(self):
        return {"place": self.place, "path": [list(step) for step in self.path],
                "version": self.version, "attempt": self.attempt}


@dataclass(frozen=True)
class Move:
    state: State
    events: tuple = ()   # (name, data) for tracking logs


class Refusal(Exception):
    """An action that cannot be taken; ``status`` is the HTTP status it deserves."""

    def __init__(self, code, message, status=400, **args):
        super().__init__(code)
        self.code, self.message, self.status, self.args_ = code, message, status, args


def finished(scenario, state):
    return isinstance(scenario.place(state.place), Ending)


def values(scenario, state):
    """Variable values after the choices on the path."""
    if not scenario.variables:
        return {}
    current = scenario.initial_values()
    for node_id, choice_id in state.path:
        node = scenario.node(node_id)
        choice = node.choice(choice_id) if node else None
        if choice:
            current = apply_effects(scenario, current, choice)
    return current


def offered(scenario, state):
    node = scenario.node(state.place)
    return offered_choices(node, values(scenario, state)) if node else []


def _check_fresh(state, node_id, version):
    if version != state.version or node_id != state.place:
        raise Refusal("stale", N_("This page is out of date: your answer was already recorded "
                                  "or you moved on in another tab. The page now shows where you "
                                  "are."), status=409)


def start(scenario, state, rules, version):
    """Begin the first attempt (after the content note)."""
    _check_fresh(state, "", version)
    first = State(scenario.start_id, (), state.version + 1, state.attempt + 1)
    return Move(first, (("started", {"attempt": first.attempt}),))


def choose(scenario, state, rules, node_id, choice_id, version):
    _check_fresh(state, node_id, version)
    if not state.place:
        raise Refusal("not-started", N_("Begin the scenario first."), 409)
    node = scenario.node(state.place)
    if node is None:
        raise Refusal("finished", N_("This attempt has ended; restart to play again."), 409)
    choice = node.choice(choice_id)
    if choice is None or choice not in offered(scenario, state):
        raise Refusal("unknown-choice", N_("There is no such choice here."), 400)
    after = State(choice.target, state.path + ((node.id, choice.id),), state.version + 1,
                  state.attempt)
    events = [("chose", {"node": node.id, "choice": choice.id, "rating": choice.rating,
                         "points": choice.points, "target": choice.target,
                         "step": len(after.path)})]
    if isinstance(scenario.place(choice.target), Ending):
        events.append(("ended", {"ending": choice.target, "attempt": after.attempt}))
    return Move(after, tuple(events))


def back(scenario, state, rules, node_id, version):
    """Take back the last choice of an attempt still in progress."""
    _check_fresh(state, node_id, version)
    if not rules.allow_back:
        raise Refusal("back-disabled", N_("Going back is turned off for this scenario."), 403)
    if finished(scenario, state):
        raise Refusal("finished", N_("This attempt has ended; restart to play again."), 409)
    if not state.path:
        raise Refusal("nothing-to-undo", N_("You are at the beginning: there is nothing to take "
                                            "back."), 409)
    node_id, choice_id = state.path[-1]
    after = State(node_id, state.path[:-1], state.version + 1, state.attempt)
    return Move(after, (("went_back", {"node": node_id, "choice": choice_id}),))


def attempts_left(state, rules):
    """None when unlimited."""
    if not rules.max_attempts:
        return None
    return max(rules.max_attempts - state.attempt, 0)


def restart(scenario, state, rules, node_id, version):
    """Begin a new attempt from the start."""
    _check_fresh(state, node_id, version)
    if not rules.allow_restart:
        raise Refusal("restart-disabled", N_("Restarting is turned off for this scenario."), 403)
    if attempts_left(state, rules) == 0:
        raise Refusal("no-attempts-left", N_("You have used all your attempts."), 403)
    after = State(scenario.start_id, (), state.version + 1, state.attempt + 1)
    return Move(after, (("restarted", {"attempt": after.attempt}),))


def repair(scenario, state):
    """Fit a stored state to the scenario as it is now (it may have been edited).

    The longest prefix of the path that can still be played is kept and the learner resumes at
    its end, or at its last node if its end is now an ending other than the one they were at;
    returns (state, changed).
    """
    if not state.place:
        return state, False
    place = scenario.start_id
    current = scenario.initial_values()
    kept = []
    for node_id, choice_id in state.path:
        node = scenario.node(node_id)
        if node is None or node_id != place:
            break
        choice = next((c for c in offered_choices(node, current) if c.id == choice_id), None)
        if choice is None or scenario.place(choice.target) is None:
            break
        kept.append((node_id, choice_id))
        current = apply_effects(scenario, current, choice)
        place = choice.target
    if isinstance(scenario.place(place), Ending) and place != state.place and kept:
        # never moved onto an ending they did not reach (it would end the attempt ungraded):
        # they make that last choice again, and it is graded like any other
        place = kept.pop()[0]
    if tuple(kept) == state.path and place == state.place:
        return state, False
    if not isinstance(scenario.place(place), (Node, Ending)):
        place, kept = scenario.start_id, []
    return replace(state, place=place, path=tuple(kept), version=state.version + 1), True
