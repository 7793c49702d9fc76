"""Small scenarios written as OLX for tests: each test states only what it is about."""
from cultural_safety_xblock.scenario.compiled import compile_text


def choice(cid, target, rating="best", points=2, requires="", effects=(), scores=(),
           text=None, consequence=None):
    attrs = f'id="{cid}" target="{target}" rating="{rating}" points="{points}"'
    if requires:
        attrs += f' requires="{requires.replace("<", "&lt;").replace(">", "&gt;")}"'
    inner = f"<text>{text or 'Option ' + cid}</text>"
    inner += f"<consequence><p>{consequence or 'After ' + cid}</p></consequence>"
    inner += "".join(f'<effect variable="{v}" {kind}="{n}"/>' for v, kind, n in effects)
    inner += "".join(f'<score dimension="{d}" points="{n}"/>' for d, n in scores)
    return f"<choice {attrs}>{inner}</choice>"


def node(nid, *choices, title=None):
    return f'<node id="{nid}" title="{title or nid}"><html><p>Scene {nid}</p></html>{"".join(choices)}</node>'


def ending(eid, outcome="safe", requires=""):
    claim = f' requires="{requires.replace("<", "&lt;").replace(">", "&gt;")}"' if requires else ""
    return (f'<ending id="{eid}" outcome="{outcome}" title="{eid}"{claim}>'
            f'<html><p>End {eid}</p></html></ending>')


def scenario_text(*parts, attrs="", head=""):
    body = "".join(parts)
    return (f"<scenario {attrs}>{head}{body}<debrief><html><p>Debrief.</p></html></debrief>"
            "</scenario>")


def compiled(*parts, **kwargs):
    return compile_text(scenario_text(*parts, **kwargs))


def codes(result):
    return sorted(problem.code for problem in result.problems)


# A scenario with a branch, a merge, a repair condition and three endings.
#   a --best(+2, trust+1)--> b --best(+2)--> safe
#     --harm(0, trust-2)---> b --acceptable(+1)-> mixed
#                            b --harm(0)-> unsafe
#                            b --repair (requires trust < 2, +1)--> safe
BRANCHING = scenario_text(
    node("a",
         choice("good", "b", "best", 2, effects=[("trust", "add", 1)], scores=[("voice", 2)]),
         choice("bad", "b", "harmful", 0, effects=[("trust", "add", -2)], scores=[("voice", 0)]),
         choice("ok", "b", "acceptable", 1, scores=[("voice", 1)])),
    node("b",
         choice("best", "safe", "best", 2),
         choice("fine", "mixed", "acceptable", 1),
         choice("harm", "unsafe", "harmful", 0),
         choice("repair", "safe", "acceptable", 1, requires="trust < 2")),
    ending("safe", "safe"), ending("mixed", "mixed"), ending("unsafe", "unsafe"),
    head='<dimension id="voice" label="Client voice"/><variable id="trust" initial="2" min="0" max="5"/>',
)
