"""Synthetic scenarios of a given size, the same shape for every benchmark.

N nodes, three choices each (best / acceptable / harmful) pointing forward one or two nodes, the
last choices leading to three endings.
"""


def scenario_xml(nodes, root="scenario"):
    parts = ['<dimension id="voice" label="Client voice"/>']
    for number in range(nodes):
        def target(step, number=number):
            following = number + step
            return f"n{following}" if following < nodes else ("safe", "mixed", "unsafe")[step - 1]
        choices = "".join(
            f'<choice id="c{k}" target="{target(step)}" rating="{rating}" points="{points}">'
            f"<text>Option {k} at node {number}: say something considered.</text>"
            f"<consequence><p>The client responds to option {k} at node {number}.</p></consequence>"
            f'<score dimension="voice" points="{points}"/></choice>'
            for k, (step, rating, points) in enumerate(((1, "best", 2), (2, "acceptable", 1),
                                                       (3, "harmful", 0))))
        parts.append(f'<node id="n{number}" title="Node {number}"><html><p>Scene {number}: the client '
                     f"speaks about their week.</p></html>{choices}</node>")
    for ending, outcome in (("safe", "safe"), ("mixed", "mixed"), ("unsafe", "unsafe")):
        parts.append(f'<ending id="{ending}" outcome="{outcome}" title="{ending}">'
                     f"<html><p>Ending {ending}.</p></html></ending>")
    parts.append("<debrief><html><p>What happened and why.</p></html></debrief>")
    return f'<{root} start="n0">' + "".join(parts) + f"</{root}>"
