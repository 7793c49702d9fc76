"""Graph and content checks: every problem at once, each with where, what and a fix.

``problems`` never raises on bad content; a scenario with no problems is safe to play.
"""
import re

from .analysis import MAX_SITUATIONS, analyse
from .model import DISTRESSING_TOPICS, OUTCOMES, RATINGS, worked_out
from .problems import N_, Term, problem

MAX_PLACES = 1_000
MAX_CHOICES = 8
MAX_POINTS = 10
MAX_TEXT = 20_000
LEARNING_OUTCOMES = frozenset("1234567")
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def problems(scenario, analysis=None):
    found = []
    found += _sizes(scenario)
    found += _identifiers(scenario)
    found += _declarations(scenario)
    known = (frozenset(place.id for place in (*scenario.nodes, *scenario.endings)),
             frozenset(variable.id for variable in scenario.variables),
             frozenset(dimension.id for dimension in scenario.dimensions))
    for node in scenario.nodes:
        found += worked_out(node, "_own_problems", _own_problems)
        found += worked_out(node, "_reference_problems",
                            lambda node: _reference_problems(node, *known), known)
    found += [_text_problem(TEXT, ending.html, N_("ending '{ending}'"), ending.line,
                            ending=ending.id) for ending in scenario.endings if _unfit(ending.html)]
    found += _ending_references(scenario, known[1])
    if _unfit(scenario.debrief):
        found.append(_text_problem(DEBRIEF, scenario.debrief, N_("scenario"), None))
    if not any(p.code in ("too-many", "duplicate-id", "no-nodes") for p in found):
        found += _graph(scenario, analysis or analyse(scenario))
    return found


def _sizes(scenario):
    places = len(scenario.nodes) + len(scenario.endings)
    found = []
    if places > MAX_PLACES:
        found.append(problem("too-many", N_("scenario"),
                             N_("{count} nodes and endings, over the limit of {limit}"),
                             N_("split it into several scenarios"), count=places,
                             limit=MAX_PLACES))
    if not scenario.nodes:
        found.append(problem("no-nodes", N_("scenario"), N_("there is no <node>"),
                             N_("add at least one node with choices")))
    if not scenario.endings:
        found.append(problem("no-endings", N_("scenario"), N_("there is no <ending>"),
                             N_("add at least one ending")))
    return found


def _identifiers(scenario):
    found, seen = [], set()
    places = [(N_("node '{id}'"), node) for node in scenario.nodes]
    places += [(N_("ending '{id}'"), ending) for ending in scenario.endings]
    for kind, place in places:
        if place.id and not _ID.match(place.id):
            found.append(problem("bad-id", kind, N_("the id contains characters not allowed"),
                                 N_("use letters, digits, '_' and '-' only (at most 64)"),
                                 line=place.line, id=place.id))
        if place.id in seen:
            found.append(problem("duplicate-id", kind, N_("the id '{id}' is used twice"),
                                 N_("give every node and ending its own id"),
                                 line=place.line, id=place.id))
        seen.add(place.id)
    for items, kind in ((scenario.dimensions, N_("dimension '{id}'")),
                        (scenario.variables, N_("variable '{id}'")),
                        (scenario.reflections, N_("reflection '{id}'"))):
        names = set()
        for item in items:
            if item.id in names:
                found.append(problem("duplicate-id", kind, N_("the id '{id}' is used twice"),
                                     N_("give each its own id"), line=item.line, id=item.id))
            names.add(item.id)
    if scenario.start and scenario.node(scenario.start) is None:
        found.append(problem("unknown-start", N_("scenario"),
                             N_("start=\"{start}\" names no node"),
                             N_("set start to the id of a node"), start=scenario.start))
    return found


def _declarations(scenario):
    found = []
    for variable in scenario.variables:
        if not variable.min <= variable.initial <= variable.max:
            found.append(problem("out-of-range", N_("variable '{id}'"),
                                 N_("initial {initial} is outside {min}..{max}"),
                                 N_("make min <= initial <= max"), line=variable.line,
                                 id=variable.id, initial=variable.initial, min=variable.min,
                                 max=variable.max))
    for ending in scenario.endings:
        if ending.outcome and ending.outcome not in OUTCOMES:
            found.append(problem("bad-value", N_("ending '{id}'"),
                                 N_("outcome=\"{outcome}\" is not valid"),
                                 N_("use safe, mixed or unsafe"), line=ending.line,
                                 id=ending.id, outcome=ending.outcome))
    unknown = [o for o in scenario.outcomes if o not in LEARNING_OUTCOMES]
    if unknown:
        found.append(problem("bad-value", N_("scenario"),
                             N_("outcomes=\"{outcomes}\" names no learning outcome"),
                             N_("list outcome numbers 1 to 7"), outcomes=" ".join(unknown)))
    distressing = sorted(set(scenario.topics) & DISTRESSING_TOPICS)
    if distressing and not scenario.content_note:
        found.append(problem("content-note-missing", N_("scenario"),
                             N_("topics include {topics} but there is no content note"),
                             N_("add <content_note> saying what is mentioned"),
                             topics=", ".join(distressing)))
    return found


def _own_problems(node):
    """The problems a node has on its own."""
    return tuple(_structure_problems(node)) + tuple(_node_text_problems(node))


def _structure_problems(node):
    where = N_("node '{node}'")
    if not node.choices:
        yield problem("no-choices", where, N_("the node offers no choice"),
                      N_("add choices, or make it an <ending>"), line=node.line, node=node.id)
    if len(node.choices) > MAX_CHOICES:
        yield problem("too-many", where, N_("{count} choices, over the limit of {limit}"),
                      N_("keep to three options per decision"), line=node.line, node=node.id,
                      count=len(node.choices), limit=MAX_CHOICES)
    seen = set()
    where = N_("choice '{choice}' in node '{node}'")
    for choice in node.choices:
        at = {"line": choice.line, "node": node.id, "choice": choice.id}
        if choice.id in seen:
            yield problem("duplicate-id", where, N_("two choices share this id"),
                          N_("give each choice of a node its own id"), **at)
        seen.add(choice.id)
        if choice.rating and choice.rating not in RATINGS:
            yield problem("bad-value", where, N_("rating=\"{rating}\" is not valid"),
                          N_("use best, acceptable or harmful"), rating=choice.rating, **at)
        if not 0 <= choice.points <= MAX_POINTS or any(
                not 0 <= score.points <= MAX_POINTS for score in choice.scores):
            yield problem("out-of-range", where, N_("points must be between 0 and {max}"),
                          N_("use a whole number from 0 to {max}"), max=MAX_POINTS, **at)


def _reference_problems(node, places, variables, dimensions):
    """Targets, variables and dimensions a node's choices name that the scenario lacks."""
    found = []
    where = N_("choice '{choice}' in node '{node}'")
    for choice in node.choices:
        at = {"line": choice.line, "node": node.id, "choice": choice.id}
        if choice.target and choice.target not in places:
            found.append(problem("unknown-target", where,
                                 N_("target=\"{target}\" names no node or ending"),
                                 N_("point it at an existing id"), target=choice.target, **at))
        if choice.requires or choice.effects:
            used = {c.variable for c in choice.requires.clauses} | {
                e.variable for e in choice.effects}
            found += [problem("unknown-variable", where,
                              N_("variable '{variable}' is not declared"),
                              N_("add <variable id=\"{variable}\"/> or fix the name"),
                              variable=name, **at) for name in sorted(used - variables)]
        found += [problem("unknown-dimension", where,
                          N_("dimension '{dimension}' is not declared"),
                          N_("add <dimension id=\"{dimension}\" .../> or fix the name"),
                          dimension=score.dimension, **at)
                  for score in choice.scores if score.dimension not in dimensions]
    return tuple(found)


def _ending_references(scenario, variables):
    """Variables an ending's ``requires`` names that the scenario does not declare."""
    return [problem("unknown-variable", N_("ending '{ending}'"),
                    N_("variable '{variable}' is not declared"),
                    N_("add <variable id=\"{variable}\"/> or fix the name"), line=ending.line,
                    ending=ending.id, variable=name)
            for ending in scenario.endings
            for name in sorted({c.variable for c in ending.requires.clauses} - variables)]


SCENE, TEXT, OPTION_TEXT, CONSEQUENCE, DEBRIEF = (
    Term(N_("scene")), Term(N_("text")), Term(N_("option text")), Term(N_("consequence")),
    Term(N_("debrief")))


def _unfit(text):
    return not text or text.isspace() or len(text) > MAX_TEXT


def _text_problem(part, text, where, line, **at):
    if len(text) > MAX_TEXT:
        return problem("too-long", where, N_("the {part} is over {limit} characters"),
                       N_("shorten it or split the node"), line=line, part=part, limit=MAX_TEXT,
                       **at)
    return problem("empty-text", where, N_("the {part} is empty"), N_("write the {part}"),
                   line=line, part=part, **at)


def _node_text_problems(node):
    if _unfit(node.html):
        yield _text_problem(SCENE, node.html, N_("node '{node}'"), node.line, node=node.id)
    where = N_("choice '{choice}' in node '{node}'")
    for choice in node.choices:
        for part, text in ((OPTION_TEXT, choice.text), (CONSEQUENCE, choice.consequence)):
            if _unfit(text):
                yield _text_problem(part, text, where, choice.line, node=node.id,
                                    choice=choice.id)


def _graph(scenario, analysis):
    found = []
    if analysis.truncated:
        found.append(problem("too-many", N_("scenario"),
                             N_("variables allow more than {limit} situations"),
                             N_("narrow the variables' min..max ranges"), limit=MAX_SITUATIONS))
        return found
    for node in scenario.nodes:
        where, at = N_("node '{node}'"), {"line": node.line, "node": node.id}
        if node.id not in analysis.reachable:
            found.append(problem("unreachable-node", where, N_("no path from the start reaches it"),
                                 N_("point a choice at it, or remove it"), **at))
            continue
        if node.id in analysis.stuck:
            found.append(problem("stuck", where,
                                 N_("with some variable values no choice is offered"),
                                 N_("give at least one choice no condition"), **at))
        elif node.id in analysis.trapped:
            found.append(problem("dead-end", where, N_("no ending can be reached from here"),
                                 N_("add a choice that leads towards an ending"), **at))
        for choice in node.choices:
            if choice.requires and (node.id, choice.id) not in analysis.offered:
                found.append(problem("impossible-condition", N_("choice '{choice}' in node '{node}'"),
                                     N_("requires=\"{condition}\" never holds here"),
                                     N_("change the condition or the effects before it"),
                                     line=choice.line, node=node.id, choice=choice.id,
                                     condition=str(choice.requires)))
    for ending in scenario.endings:
        if ending.id not in analysis.reachable:
            found.append(problem("unreachable-ending", N_("ending '{ending}'"),
                                 N_("no path from the start reaches it"),
                                 N_("point a choice at it, or remove it"), line=ending.line,
                                 ending=ending.id))
    found += _broken_claims(scenario, analysis)
    for node_id, choice_id in analysis.farming:
        choice = scenario.node(node_id).choice(choice_id)
        found.append(problem("farming-loop", N_("choice '{choice}' in node '{node}'"),
                             N_("it gives points and lies on a loop, so points could be farmed"),
                             N_("give choices on loops 0 points, or break the loop"),
                             line=choice.line, node=node_id, choice=choice_id))
    if scenario.nodes and scenario.endings and analysis.max_points == 0 and not found:
        found.append(problem("no-points", N_("scenario"), N_("no path earns any points"),
                             N_("give the best choices points")))
    return found


def _broken_claims(scenario, analysis):
    """An ending reached where its ``requires`` fails: its text claims what the path did not do."""
    found = []
    for ending_id, node_id, choice_id, values in analysis.broken_claims:
        ending, choice = scenario.ending(ending_id), scenario.node(node_id).choice(choice_id)
        found.append(problem(
            "broken-claim", N_("ending '{ending}'"),
            N_("requires=\"{condition}\" does not hold when choice '{choice}' in node '{node}'"
               " (line {choice_line}) leads here with {values}"),
            N_("add requires=\"{condition}\" to that choice and offer another route to a"
               " different ending, let a later choice repair it, or change what the ending"
               " requires"),
            line=ending.line, ending=ending_id, node=node_id, choice=choice_id,
            choice_line=choice.line if choice.line is not None else "?",
            condition=str(ending.requires),
            values=", ".join(f"{name} = {value}" for name, value in values)))
    return found
