"""The course check: whether a scenario takes judgement, measured on its compiled form.

Pure functions of a Scenario (no runtime, no engine state): the decisions a learner can meet,
the words of their options, the learners who follow a surface rule, every situation a path can
reach (conditions respected), and the typography of every text. ``judge`` gives one scenario's
figures and findings; ``course_findings`` the course-wide ones. The targets are those of the
course's second edition (issue 13):

1. length balance    2. the best option's length    3. no surface rule wins
4. openings          5. harm persists               6. endings claim only what happened
7. typography (tests/support/typography.py)
8. harm accumulates: at most 2 harmful choices on any path to a safe ending (every path walked)

Run ``python -m tests.support.judgement PATH...`` (vertical files, scenario files or a course
folder) for the figures; tests/test_course_judgement.py fails the build on the findings.
"""
import math
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from cultural_safety_xblock.scenario.analysis import apply_effects, offered_choices
from cultural_safety_xblock.scenario.compiled import compile_source
from cultural_safety_xblock.scenario.model import RATINGS, Condition, Ending, Node
from cultural_safety_xblock.scenario.olx import parse_xml_text
from tests.support import typography as typesetting

SCENARIO_TAGS = ("cultural_safety_scenario", "scenario")
HARM_PREFIX = "harm_"
BALANCED, BALANCED_SHARE, LEAST_BALANCE = 0.75, 0.75, 0.6
LONGEST_SHARE, SHORTEST_SHARE = 1 / 3, 0.2
OPENING_USES, OPENING_BEST_SHARE = 5, 0.5
MAX_SITUATIONS = 20_000
MAX_PATHS, MAX_STEPS = 20_000, 60   # every path walked for target 8, within these
MOST_HARMFUL_SAFE = 2      # harmful choices a path may hold and still end safe (target 8)
RANK = {rating: number for number, rating in enumerate(RATINGS)}   # best 0 ... harmful 2
_WORD = re.compile(r"\w")
_EDGE = "\"'“”‘’«»()[]{}.,;:!?…–—-"


@dataclass(frozen=True)
class Finding:
    rule: int          # 1-7, the target it breaks
    where: str
    what: str
    fix: str

    def __str__(self):
        return f"[{self.rule}] {self.where}: {self.what} ({self.fix})"


@dataclass(frozen=True)
class Decision:
    """The options a learner is offered at one node in some reachable situation, in order."""

    node: str
    options: tuple

    @property
    def lengths(self):
        return [words(choice.text) for choice in self.options]

    @property
    def balance(self):
        lengths = self.lengths
        return min(lengths) / max(lengths) if max(lengths) else 1.0

    @property
    def best(self):
        """The options rated highest among those offered (normally the one 'best')."""
        top = min(RANK.get(choice.rating, 9) for choice in self.options)
        return [choice for choice in self.options if RANK.get(choice.rating, 9) == top]

    def best_is(self, extreme):
        """Whether a best option is strictly the "longest" or the "shortest" in words."""
        for choice in self.best:
            own = words(choice.text)
            others = [words(c.text) for c in self.options if c is not choice]
            if others and all(own > n if extreme == "longest" else own < n for n in others):
                return True
        return False


def words(text):
    """Words of plain text: whitespace-separated tokens holding a letter or a digit."""
    return sum(1 for token in text.split() if _WORD.search(token))


def first_word(text):
    """The option's opening word, lower case, without quotes or punctuation around it."""
    for token in text.split():
        token = token.strip(_EDGE).lower()
        if token:
            return token
    return ""


# -- walking ---------------------------------------------------------------------------------

@dataclass
class Situations:
    """Every situation (place, variable values) reachable from the start, with one path to it."""

    parent: dict              # situation -> (previous situation, node id, choice id) or None
    offered: dict             # node situation -> the choices offered there
    truncated: bool = False

    def path_to(self, situation):
        steps = []
        while self.parent.get(situation):
            situation, node_id, choice_id = self.parent[situation]
            steps.append((node_id, choice_id))
        return steps[::-1]


def _key(values):
    return tuple(sorted(values.items()))


def situations(scenario):
    start = (scenario.start_id, _key(scenario.initial_values()))
    found = Situations({start: None}, {})
    todo = [start]
    while todo:
        situation = todo.pop(0)
        place = scenario.place(situation[0])
        if not isinstance(place, Node):
            continue
        values = dict(situation[1])
        choices = offered_choices(place, values)
        found.offered[situation] = choices
        for choice in choices:
            if scenario.place(choice.target) is None:
                continue
            following = (choice.target, _key(apply_effects(scenario, values, choice)))
            if following not in found.parent:
                if len(found.parent) >= MAX_SITUATIONS:
                    found.truncated = True
                    return found
                found.parent[following] = (situation, place.id, choice.id)
                todo.append(following)
    return found


def decisions(scenario, reached=None):
    """Each distinct set of options met at a node, in the order a learner first meets them."""
    reached = reached or situations(scenario)
    seen = {}
    for situation, choices in reached.offered.items():
        if choices:
            key = (situation[0], tuple(choice.id for choice in choices))
            seen.setdefault(key, Decision(situation[0], tuple(choices)))
    return list(seen.values())


# A surface rule: the options it would pick among those offered (ties: all of them).
def _extreme(pick):
    def rule(options):
        lengths = [words(choice.text) for choice in options]
        return [c for c, n in zip(options, lengths, strict=True) if n == pick(lengths)]
    return rule


def _middle(options):
    count = len(options)
    return [options[count // 2]] if count % 2 else list(options[count // 2 - 1:count // 2 + 1])


BASE_RULES = {"longest": _extreme(max), "shortest": _extreme(min),
              "first": lambda options: [options[0]], "last": lambda options: [options[-1]],
              "middle": _middle}


def _preferring(word, otherwise):
    def rule(options):
        starting = [choice for choice in options if first_word(choice.text) == word]
        return otherwise(starting or options)
    return rule


def surface_rules(scenario):
    """{name: rule}: the five base rules, and 'prefer options opening with W, else R' for every
    word W that opens options at two or more nodes (a word met once is no rule to learn)."""
    rules = dict(BASE_RULES)
    nodes_by_word = defaultdict(set)
    for node in scenario.nodes:
        for choice in node.choices:
            nodes_by_word[first_word(choice.text)].add(node.id)
    for word in sorted(w for w, nodes in nodes_by_word.items() if w and len(nodes) >= 2):
        for name, otherwise in BASE_RULES.items():
            rules[f"prefer '{word}', else {name}"] = _preferring(word, otherwise)
    return rules


def follow(scenario, rule, limit=60, most=MAX_SITUATIONS, cut=None):
    """Every path a learner following ``rule`` can take (ties either way), up to ``most``
    paths: a list of (ending id, path, every pick best). A path longer than ``limit`` steps,
    or the paths left when ``most`` is reached, are appended to ``cut`` (when given)."""
    finished, todo = [], [(scenario.start_id, scenario.initial_values(), (), True)]
    while todo and len(finished) < most:
        place_id, values, path, all_best = todo.pop()
        place = scenario.place(place_id)
        if isinstance(place, Ending):
            finished.append((place_id, path, all_best))
            continue
        if isinstance(place, Node) and len(path) >= limit and cut is not None:
            cut.append(path)
        if not isinstance(place, Node) or len(path) >= limit:
            continue
        options = offered_choices(place, values)
        if not options:
            continue
        best = Decision(place_id, tuple(options)).best
        for choice in rule(options):
            todo.append((choice.target, apply_effects(scenario, values, choice),
                         path + ((place_id, choice.id),), all_best and choice in best))
    if todo and cut is not None:
        cut.extend(path for _, _, path, _ in todo)
    return finished


# -- one scenario ----------------------------------------------------------------------------

@dataclass
class Judgement:
    name: str
    decisions: int = 0
    words_by_rating: dict = field(default_factory=dict)   # rating -> mean words of its options
    balanced: int = 0               # decisions at >= BALANCED
    least_balance: float = 1.0
    least_balanced_at: str = ""
    best_longest: int = 0
    best_shortest: int = 0
    winning_rules: dict = field(default_factory=dict)      # rule -> safe endings it reaches
    best_path_rules: list = field(default_factory=list)    # rules that can follow an all-best path
    harms: tuple = ()
    harm_walk: str = ""
    paths: str = ""                 # every path: how many, how many end safe, their worst
    most_harmful_safe: int = 0      # most harmful choices on a path to a safe ending (target 8)
    lowest_safe_share: float = 1.0  # lowest share of the best score on such a path
    openings: list = field(default_factory=list)           # (first word, rating) per option
    findings: list = field(default_factory=list)

    @property
    def balanced_share(self):
        return self.balanced / self.decisions if self.decisions else 1.0


def judge(scenario, name=""):
    """Figures and findings of targets 1-3 and 5-8 for one scenario (4 is course-wide)."""
    result = Judgement(name)
    reached = situations(scenario)
    met = decisions(scenario, reached)
    result.decisions = len(met)
    _lengths(scenario, met, reached, result)
    _surface(scenario, result)
    _harm(scenario, reached, result)
    _claims(scenario, reached, result)
    result.findings += typography(scenario)
    _paths(scenario, result)
    return result


def _paths(scenario, result):
    """Target 8, on every path a learner can take: how many end safe, and the most harmful
    choices and the lowest share of the best score among those that do. A safe ending reached
    after more than MOST_HARMFUL_SAFE harmful choices is a finding, with its worst path."""
    cut = []
    walked = follow(scenario, list, limit=MAX_STEPS, most=MAX_PATHS, cut=cut)
    best = max((_points(scenario, path) for _, path, _ in walked), default=0) or 1
    safe = [(ending, path) for ending, path, _ in walked
            if scenario.ending(ending).outcome == "safe"]
    if cut:
        result.findings.append(Finding(
            8, "scenario", f"{len(cut)} paths not walked to their end (over {MAX_PATHS}"
            f" paths, or longer than {MAX_STEPS} steps)", "narrow the branching or break the"
            " loop, so that every path can be walked"))
    if not safe:
        result.paths = f"{len(walked)} paths, none to a safe ending"
        return
    worst = {}
    for ending, path in safe:
        count = _harmful(scenario, path)
        result.most_harmful_safe = max(result.most_harmful_safe, count)
        if count > worst.get(ending, (-1,))[0]:
            worst[ending] = (count, path)
    result.lowest_safe_share = min(_points(scenario, path) for _, path in safe) / best
    for ending, (count, path) in worst.items():
        if count > MOST_HARMFUL_SAFE:
            result.findings.append(Finding(
                8, f"ending '{ending}'", f"a safe ending reached after {count} harmful choices,"
                f" over {MOST_HARMFUL_SAFE}, by the path"
                f" {' > '.join(f'{n}:{c}' for n, c in path)}",
                "count the harm: each harmful choice adds 1 to a variable such as strain"
                " (min 0, max 3), the choices to the safe ending require strain <= 2, and a"
                " copy of each at strain == 3 leads to a mixed ending that says what it cost"))
    result.paths = (f"{len(walked)} paths, {len(safe)} to a safe ending; on those, up to"
                    f" {result.most_harmful_safe} harmful choices (target <="
                    f" {MOST_HARMFUL_SAFE}) and as little as {result.lowest_safe_share:.0%}"
                    " of the best score")


def _harmful(scenario, path):
    return sum(scenario.node(n).choice(c).rating == "harmful" for n, c in path)


def _points(scenario, path):
    return sum(scenario.node(n).choice(c).points for n, c in path)


def distinct_options(node):
    """The node's choices, a copy with the same words and rating counted once: the copies of
    one option under different conditions (harm standing or not) are one option to a learner."""
    seen = set()
    for choice in node.choices:
        if (choice.text, choice.rating) not in seen:
            seen.add((choice.text, choice.rating))
            yield choice


def _lengths(scenario, met, reached, result):
    reachable = {situation[0] for situation in reached.offered}
    by_rating = defaultdict(list)
    for node in scenario.nodes:
        if node.id in reachable:
            for choice in distinct_options(node):
                by_rating[choice.rating].append(words(choice.text))
                result.openings.append((first_word(choice.text), choice.rating))
    result.words_by_rating = {r: sum(n) / len(n) for r, n in by_rating.items()}
    for decision in met:
        balance = decision.balance
        result.balanced += balance >= BALANCED
        if balance < result.least_balance:
            result.least_balance, result.least_balanced_at = balance, decision.node
        if balance < LEAST_BALANCE:
            result.findings.append(Finding(
                1, f"node '{decision.node}'",
                f"the options have {'/'.join(map(str, decision.lengths))} words: the shortest is"
                f" {balance:.0%} of the longest, under {LEAST_BALANCE:.0%}",
                "bring the options within a quarter of each other; put the substance in the"
                " consequence"))
        result.best_longest += decision.best_is("longest")
        result.best_shortest += decision.best_is("shortest")
    if result.decisions and result.balanced_share < BALANCED_SHARE:
        result.findings.append(Finding(
            1, "scenario", f"{result.balanced} of {result.decisions} decisions have options within"
            f" {BALANCED:.0%} of each other in words ({result.balanced_share:.0%}), under"
            f" {BALANCED_SHARE:.0%}", "even out the options' lengths at more decisions"))
    allowed = math.ceil(result.decisions / 3)
    if result.best_longest > allowed:
        result.findings.append(Finding(
            2, "scenario", f"the best option is the longest at {result.best_longest} of"
            f" {result.decisions} decisions, over {allowed}",
            "make the best option shorter than another at more decisions"))
    if result.decisions and not result.best_shortest:
        result.findings.append(Finding(
            2, "scenario", "the best option is never the shortest",
            "let the best option be the shortest somewhere (a silence, one plain question)"))


def _surface(scenario, result):
    """Rules that reach a safe ending or can follow an all-best path. A 'prefer W, else R' rule
    is listed only where R alone does not already do it (the word is what gives it away)."""
    for rule_name, rule in surface_rules(scenario).items():
        otherwise = rule_name.rsplit(", else ", 1)[1] if ", else " in rule_name else None
        walked = follow(scenario, rule)
        safe = sorted({ending for ending, _, _ in walked
                       if scenario.ending(ending).outcome == "safe"})
        if safe and otherwise not in result.winning_rules:
            result.winning_rules[rule_name] = safe
        if any(all_best for _, _, all_best in walked) and otherwise not in result.best_path_rules:
            result.best_path_rules.append(rule_name)
    for rule_name, safe in result.winning_rules.items():
        result.findings.append(Finding(
            3, "scenario", f"always choosing by the rule '{rule_name}' reaches the safe ending"
            f" {', '.join(safe)}", "vary the best option's position, length and opening so the"
            " rule meets a harm it cannot repair"))
    for rule_name in result.best_path_rules:
        if rule_name not in result.winning_rules:
            result.findings.append(Finding(
                3, "scenario", f"always choosing by the rule '{rule_name}' follows the all-best"
                " path", "vary the best option's position, length and opening"))


def harm_variables(scenario):
    return tuple(v for v in scenario.variables if v.id.startswith(HARM_PREFIX))


def _harm(scenario, reached, result):
    harms = harm_variables(scenario)
    result.harms = tuple(v.id for v in harms)
    if not harms:
        result.findings.append(Finding(
            5, "scenario", "no harm_* variable marks a serious harm",
            "declare <variable id=\"harm_...\" initial=\"0\" min=\"0\" max=\"1\"/>, set it to 1"
            " in the harmful choice and to 0 in a real repair"))
    for variable in harms:
        if (variable.initial, variable.min, variable.max) != (0, 0, 1):
            result.findings.append(Finding(
                5, f"variable '{variable.id}'", f"declared initial={variable.initial}"
                f" min={variable.min} max={variable.max}", "declare initial=\"0\" min=\"0\""
                " max=\"1\""))
        setters = [(situation[0], choice) for situation, choices in reached.offered.items()
                   for choice in choices
                   if any(e.variable == variable.id and e.set == 1 for e in choice.effects)]
        if not setters:
            result.findings.append(Finding(
                5, f"variable '{variable.id}'", "no choice a learner can make sets it to 1",
                "set it to 1 in the harmful choice: <effect variable=\"...\" set=\"1\"/>"))
        for node_id, choice in {(n, c.id): (n, c) for n, c in setters}.values():
            if choice.rating == "best":
                result.findings.append(Finding(
                    5, f"choice '{choice.id}' in node '{node_id}'",
                    f"a best option sets {variable.id} to 1", "rate the harm as harmful, or do"
                    " not mark this choice as a harm"))
    for ending in scenario.endings:
        if ending.outcome != "safe":
            continue
        unguarded = [v.id for v in harms if not _requires_zero(ending.requires, v.id)]
        if unguarded:
            result.findings.append(Finding(
                5, f"ending '{ending.id}'", f"a safe ending that does not require"
                f" {', '.join(f'{v} == 0' for v in unguarded)}",
                "add requires=\"" + " and ".join(f"{v.id} == 0" for v in harms) + "\" to it"))
    standing = []
    for situation in reached.parent:
        ending = scenario.ending(situation[0])
        values = dict(situation[1])
        left = [v.id for v in harms if values.get(v.id, 0) > 0]
        if ending is not None and ending.outcome == "safe" and left:
            standing.append((ending.id, left, reached.path_to(situation)))
    for ending_id, left, path in standing:
        result.findings.append(Finding(
            5, f"ending '{ending_id}'", f"reached with {', '.join(left)} unrepaired by the path"
            f" {' > '.join(f'{n}:{c}' for n, c in path)}",
            "close the choices that lead there while the harm stands (requires=\"harm_... =="
            " 0\"), with a route to a mixed or unsafe ending"))
    safe_reached = sum(1 for situation in reached.parent
                       if getattr(scenario.ending(situation[0]), "outcome", "") == "safe")
    result.harm_walk = (f"{len(reached.parent)} situations, {safe_reached} at a safe ending,"
                        f" {len(standing)} of them with a harm standing"
                        + (" (walk cut short)" if reached.truncated else ""))
    if reached.truncated:
        result.findings.append(Finding(5, "scenario", f"over {MAX_SITUATIONS} situations",
                                       "narrow the variables' ranges"))


def _requires_zero(condition, variable):
    """Whether ``condition``'s clauses on ``variable`` hold at 0 and fail at 1."""
    own = Condition(tuple(c for c in condition.clauses if c.variable == variable))
    return bool(own) and own.holds({variable: 0}) and not own.holds({variable: 1})


def _claims(scenario, reached, result):
    for situation in reached.parent:
        ending = scenario.ending(situation[0])
        if ending is None or not ending.requires:
            continue
        values = dict(situation[1])
        if not ending.requires.holds(values):
            path = reached.path_to(situation)
            result.findings.append(Finding(
                6, f"ending '{ending.id}'", f"requires=\"{ending.requires}\" fails on the path"
                f" {' > '.join(f'{n}:{c}' for n, c in path)} (values {dict(situation[1])})",
                "close that route while the claim fails, or claim less"))


# -- typography (tests/support/typography.py) ------------------------------------------------

def typography(scenario):
    """Target 7 over every text of the scenario."""
    return [Finding(7, *found) for found in typesetting.problems(scenario)]


def page_typography(html, where):
    """Target 7 on a course HTML page (framing, debrief, welcome)."""
    return [Finding(7, *found) for found in typesetting.page_problems(html, where)]


# -- the course ------------------------------------------------------------------------------

def course_findings(judgements):
    """Targets 2 (course-wide shares) and 4 (openings) over several scenarios' judgements."""
    found = []
    total = sum(j.decisions for j in judgements)
    longest = sum(j.best_longest for j in judgements)
    shortest = sum(j.best_shortest for j in judgements)
    if total and longest / total > LONGEST_SHARE:
        found.append(Finding(2, "course", f"the best option is the longest at {longest} of {total}"
                             f" decisions ({longest / total:.0%}), over a third",
                             "make best options shorter than another more often"))
    if total and shortest / total < SHORTEST_SHARE:
        found.append(Finding(2, "course", f"the best option is the shortest at {shortest} of"
                             f" {total} decisions ({shortest / total:.0%}), under 20%",
                             "let more best options be the shortest"))
    for word, uses, best in openings(judgements):
        if uses >= OPENING_USES and best / uses > OPENING_BEST_SHARE:
            found.append(Finding(4, "course", f"{uses} options open with '{word}' and {best} of"
                                 " them are best", "vary the openings: start harmful and"
                                 " acceptable options with it too, or best ones otherwise"))
    return found


def openings(judgements):
    """(first word, options opening with it, how many of them are best), most used first."""
    uses, best = Counter(), Counter()
    for judgement in judgements:
        for word, rating in judgement.openings:
            uses[word] += 1
            best[word] += rating == "best"
    return [(word, count, best[word]) for word, count in uses.most_common()]


# -- reading files and printing figures ------------------------------------------------------

def scenarios_in(path):
    """(name, scenario) of every scenario in a vertical or scenario file, or a course folder."""
    path = Path(path)
    if path.is_dir():
        folder = path / "vertical" if (path / "vertical").is_dir() else path
        return [found for file in sorted(folder.glob("*.xml")) for found in scenarios_in(file)]
    root, problems = parse_xml_text(path.read_bytes())
    if root is None:
        raise ValueError(f"{path}: {problems[0]}")
    elements = [root] if root.tag in SCENARIO_TAGS else list(root.iter(SCENARIO_TAGS[0]))
    found = []
    for number, element in enumerate(elements):
        compiled = compile_source(element)
        if compiled.scenario is None:
            raise ValueError(f"{path}: {compiled.problems[0]}")
        name = element.get("url_name") or (path.stem if number == 0 else f"{path.stem}_{number}")
        found.append((name, compiled.scenario))
    return found


def figures(judgement):
    """The scenario's figures as lines of text."""
    j = judgement
    means = ", ".join(f"{r} {j.words_by_rating[r]:.1f}" for r in RATINGS if r in j.words_by_rating)
    allowed = math.ceil(j.decisions / 3)
    rules = "; ".join(f"{rule} -> {', '.join(ends)}" for rule, ends in j.winning_rules.items())
    return [
        f"{j.name}: {j.decisions} decisions",
        f"  option words (mean): {means}",
        f"  balance: {j.balanced}/{j.decisions} decisions >= {BALANCED} ({j.balanced_share:.0%},"
        f" target >= 75%); least {j.least_balance:.2f} at '{j.least_balanced_at}' (target >= 0.6)",
        f"  best is longest at {j.best_longest}/{j.decisions} ({_share(j.best_longest, j)},"
        f" target <= {allowed}); shortest at {j.best_shortest}/{j.decisions}"
        f" ({_share(j.best_shortest, j)}, target >= 1)",
        f"  surface rules reaching a safe ending: {len(j.winning_rules)}" + (
            f" ({rules})" if rules else ""),
        f"  surface rules following the all-best path: {len(j.best_path_rules)}" + (
            f" ({', '.join(j.best_path_rules)})" if j.best_path_rules else ""),
        f"  harms: {', '.join(j.harms) or 'none'}; {j.harm_walk}",
        f"  paths: {j.paths}",
        f"  findings: {len(j.findings)} ({_by_rule(j.findings)})",
    ]


def _share(count, judgement):
    return f"{count / judgement.decisions:.0%}" if judgement.decisions else "-"


def _by_rule(findings):
    counted = Counter(f.rule for f in findings)
    return ", ".join(f"rule {rule}: {counted[rule]}" for rule in sorted(counted)) or "none"


REVISED = Path(__file__).resolve().parents[1] / "course_revised.txt"


def revised_names(listing=REVISED):
    """The scenarios named in tests/course_revised.txt (blank lines and # comments left out)."""
    lines = listing.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _revised(folder):
    """(name, scenario) of each scenario tests/course_revised.txt names, from ``folder``."""
    wanted = revised_names()
    found = dict(scenarios_in(folder))
    missing = [name for name in wanted if name not in found]
    if missing:
        raise ValueError(f"{REVISED.name} names no such scenario: {', '.join(missing)}")
    return [(name, found[name]) for name in wanted]


USAGE = """usage: python -m tests.support.judgement [-v] PATH...
       python -m tests.support.judgement [-v] --revised [COURSE]
PATH: a vertical or scenario file, or a course folder. --revised: the scenarios named in
tests/course_revised.txt (from course/, or COURSE), with the course-wide figures over them.
-v lists every finding. Exit 0 when nothing is found, 1 with findings, 2 on unreadable input."""


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    verbose, revised = "-v" in argv, "--revised" in argv
    paths = [a for a in argv if a not in ("-v", "--revised")]
    if not paths and not revised:
        print(USAGE, file=sys.stderr)
        return 2
    judgements = []
    try:
        if revised:
            found = _revised(Path(paths[0]) if paths else REVISED.parents[1] / "course")
        else:
            found = [each for path in paths for each in scenarios_in(path)]
    except (OSError, ValueError) as error:
        print(f"cannot read: {error}", file=sys.stderr)
        return 2
    if not found:
        print("no scenario found in " + " ".join(paths), file=sys.stderr)
        return 2
    for name, scenario in found:
        judgement = judge(scenario, name)
        judgements.append(judgement)
        print("\n".join(figures(judgement)))
        if verbose:
            print("\n".join(f"    {finding}" for finding in judgement.findings))
    course = course_findings(judgements)
    total = sum(j.decisions for j in judgements)
    longest = sum(j.best_longest for j in judgements)
    shortest = sum(j.best_shortest for j in judgements)
    wins = sum(bool(j.winning_rules) for j in judgements)
    print(f"course: {len(judgements)} scenarios, {total} decisions; best longest {longest}"
          f" ({longest / max(total, 1):.0%}, target <= 33%), best shortest {shortest}"
          f" ({shortest / max(total, 1):.0%}, target >= 20%); a surface rule wins in {wins}")
    print("  openings used by 5+ options (uses, best): " + ", ".join(
        f"{w} {n}/{b}" for w, n, b in openings(judgements) if n >= OPENING_USES))
    for finding in course:
        print(f"  {finding}")
    failing = sum(bool(j.findings) for j in judgements)
    print(f"  {failing} of {len(judgements)} scenarios with findings; {len(course)} course-wide")
    return 1 if failing or course else 0


if __name__ == "__main__":
    sys.exit(main())
