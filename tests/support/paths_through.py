"""Walk a scenario the way a learner would, choosing by rating."""
from cultural_safety_xblock.scenario import engine
from cultural_safety_xblock.scenario.engine import Rules, State

PREFERENCE = {"best": ("best", "acceptable", "harmful"),
              "harmful": ("harmful", "acceptable", "best")}


def walk(scenario, prefer="best", limit=200):
    """The (node, choice) path taken by always picking the preferred rating offered."""
    rules = Rules()
    state = engine.start(scenario, State(), rules, 0).state
    while not engine.finished(scenario, state) and len(state.path) < limit:
        offered = engine.offered(scenario, state)
        pick = min(offered, key=lambda c: PREFERENCE[prefer].index(c.rating))
        state = engine.choose(scenario, state, rules, state.place, pick.id, state.version).state
    return state


RULES = Rules()


def following(scenario, state, rules=RULES):
    """The states one offered choice away from ``state``."""
    return [engine.choose(scenario, state, rules, state.place, choice.id, state.version).state
            for choice in engine.offered(scenario, state)]
