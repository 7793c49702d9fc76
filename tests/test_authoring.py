"""The visual editor's moves on OLX text (scenario/authoring.py, spans.py, forms.py, issue 14).

Each move must change only what it edits: everything else the author wrote by hand (comments,
attribute order, quotes, whitespace inside HTML) comes out byte for byte. Hypothesis checks it
on the course's scenarios and on generated ones roughened the way people write XML.
"""
import difflib
import random
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cultural_safety_xblock.scenario import authoring, forms, olx, spans
from cultural_safety_xblock.scenario.compiled import compile_text
from cultural_safety_xblock.scenario.starters import EMPTY, EXAMPLE
from tests.support.paths import REPO_ROOT
from tests.test_roundtrip import scenarios

HAND_WRITTEN = """<cultural_safety_scenario   start='intake' >
  <!-- written by hand: this comment, the quotes and the odd spacing must survive -->
  <variable max="5" id="trust"  initial="2"/>
  <node title="First session" id="intake">
    <html>
      <p>Mei says:   <q>You're the expert.</q></p>
    </html>
    <choice rating="best" id="options" target="goals" points="2">
      <text>Lay out some ways of working.</text>
      <consequence><p>She picks one.</p></consequence>
      <effect variable="trust" add="1"/>
    </choice>
    <choice id='decide' target='goals' rating='harmful' points='0'><!-- quick -->
      <text>Decide for her.</text>
      <consequence><p>She nods.</p></consequence>
    </choice>
  </node>
  <node id="goals" title="Goals">
    <html><p>The form asks for goals.</p></html>
    <choice id="repair" target="done" rating="acceptable" points="1" requires="trust &lt; 3">
      <text>Ask her to set them.</text>
      <consequence><p>She does.</p></consequence>
    </choice>
  </node>
  <ending id="done" outcome="safe" title="A plan she owns"><html><p>She returns.</p></html></ending>
  <debrief><html><p>Asked to decide is not given the power to.</p></html></debrief>
</cultural_safety_scenario>"""


def read(text):
    return compile_text(text).scenario


def only_inside(old, new, allowed):
    """Whether every stretch ``new`` changes lies within one of the (start, end) ``allowed``."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for kind, first, last, _a, _b in matcher.get_opcodes():
        if kind != "equal" and not any(start <= first and last <= end for start, end in allowed):
            return False
    return True


# -- examples -------------------------------------------------------------------------------


def test_setting_a_title_rewrites_that_attribute_only_and_keeps_its_quotes():
    text, focus = authoring.apply(HAND_WRITTEN, [
        {"op": "set", "at": ["node", 0, "choice", 1], "name": "points", "value": "1"}])
    assert focus == ["node", 0, "choice", 1]
    assert text == HAND_WRITTEN.replace("points='0'", "points='1'")


def test_a_new_attribute_is_written_after_the_others_and_an_empty_value_removes_it():
    text, _ = authoring.apply(HAND_WRITTEN, [
        {"op": "set", "at": ["ending", 0], "name": "title", "value": 'Her "own" plan & more'}])
    assert 'title="Her &quot;own&quot; plan &amp; more"' in text
    assert read(text).endings[0].title == 'Her "own" plan & more'
    text, _ = authoring.apply(text, [{"op": "set", "at": ["node", 1], "name": "title",
                                      "value": ""}])
    assert '<node id="goals">' in text and read(text).nodes[1].title == ""


def test_plain_text_is_escaped_and_html_must_be_well_formed():
    text, _ = authoring.apply(HAND_WRITTEN, [{"op": "content", "at": ["node", 0, "choice", 1],
                                              "tag": "text", "value": "Say <no> & wait"}])
    assert read(text).nodes[0].choices[1].text == "Say <no> & wait"
    with pytest.raises(authoring.Refused) as refused:
        authoring.apply(text, [{"op": "content", "at": ["node", 0], "tag": "html",
                                "value": "<p>Unclosed <em>emphasis</p>"}])
    assert refused.value.field == "html"
    text, _ = authoring.apply(text, [{"op": "content", "at": ["node", 0, "choice", 1],
                                      "tag": "consequence", "value": "<p>She <em>stops</em>.</p>"}])
    choice = read(text).nodes[0].choices[1]
    assert choice.consequence == "<p>She <em>stops</em>.</p>"
    assert "<!-- quick -->" in text


def test_renaming_a_place_rewrites_every_target_and_the_start():
    text, _ = authoring.apply(HAND_WRITTEN, [{"op": "rename", "at": ["node", 0],
                                              "id": "first_meeting"}])
    scenario = read(text)
    assert scenario.start == "first_meeting" and scenario.nodes[0].id == "first_meeting"
    text, _ = authoring.apply(text, [{"op": "rename", "at": ["node", 1], "id": "plan"}])
    assert [c.target for c in read(text).nodes[0].choices] == ["plan", "plan"]
    assert only_inside(HAND_WRITTEN, text, [
        (a.start, a.end) for _p, e in spans.walk(spans.scan(HAND_WRITTEN))
        for name, a in e.attributes.items() if name in ("id", "target", "start")])


def test_renaming_a_variable_rewrites_effects_and_conditions():
    text, _ = authoring.apply(HAND_WRITTEN, [{"op": "rename", "at": ["variable", 0],
                                              "id": "rapport"}])
    scenario = read(text)
    assert scenario.nodes[0].choices[0].effects[0].variable == "rapport"
    assert str(scenario.nodes[1].choices[0].requires) == "rapport < 3"
    assert [p.code for p in compile_text(text).problems] == [
        p.code for p in compile_text(HAND_WRITTEN).problems]


def test_an_id_already_used_or_not_an_id_is_refused_and_nothing_changes():
    for wrong in ("goals", "has space", ""):
        with pytest.raises(authoring.Refused) as refused:
            authoring.apply(HAND_WRITTEN, [{"op": "rename", "at": ["node", 0], "id": wrong}])
        assert refused.value.field == "id"


def test_adding_a_place_linked_from_a_choice_points_the_choice_at_it():
    text, focus = authoring.apply(HAND_WRITTEN, [{"op": "add", "at": [], "tag": "ending",
                                                  "link": ["node", 0, "choice", 1]}])
    assert focus == ["ending", 1]
    scenario = read(text)
    assert scenario.endings[1].id == "ending_1"
    assert scenario.nodes[0].choices[1].target == "ending_1"
    assert re.search(r"\n  <ending id=\"ending_1\" outcome=\"safe\">\n    <html>", text)


def test_duplicate_delete_and_move_keep_the_rest_as_written():
    text, focus = authoring.apply(HAND_WRITTEN, [{"op": "duplicate", "at": ["node", 1]}])
    assert focus == ["node", 2] and [n.id for n in read(text).nodes] == ["intake", "goals",
                                                                         "goals_1"]
    text, focus = authoring.apply(text, [{"op": "move", "at": ["node", 2], "by": -1}])
    assert focus == ["node", 1] and [n.id for n in read(text).nodes] == ["intake", "goals_1",
                                                                         "goals"]
    text, _ = authoring.apply(text, [{"op": "delete", "at": ["node", 1]}])
    assert text == HAND_WRITTEN


def test_choices_effects_and_scores_are_added_in_the_formats_order():
    text, focus = authoring.apply(EMPTY, [
        {"op": "add", "at": [], "tag": "dimension"},
        {"op": "add", "at": ["node", 0], "tag": "choice"},
        {"op": "add", "at": ["node", 0, "choice", 0], "tag": "score"},
        {"op": "content", "at": ["node", 0, "choice", 0], "tag": "consequence",
         "value": "<p>Quiet.</p>"}])
    choice = read(text).nodes[0].choices[0]
    assert choice.consequence == "<p>Quiet.</p>" and choice.scores[0].dimension == "dimension_1"
    order = [m.group(1) for m in re.finditer(r"<(text|consequence|score)\b", text)]
    assert order == ["text", "consequence", "score"]


def test_a_four_decision_scenario_built_from_the_empty_template_passes_every_check():
    text = authoring.apply("", [{"op": "template", "name": "empty"}])[0]
    ops = [{"op": "add", "at": [], "tag": "variable"},
           {"op": "rename", "at": ["variable", 0], "id": "trust"}]
    for _number in range(1, 4):
        ops.append({"op": "add", "at": [], "tag": "node"})
    for index in range(4):
        at = ["node", index]
        ops += [{"op": "content", "at": at, "tag": "html", "value": f"<p>Scene {index}.</p>"},
                {"op": "add", "at": at, "tag": "choice"},
                {"op": "content", "at": [*at, "choice", 0], "tag": "text", "value": "Go on."},
                {"op": "content", "at": [*at, "choice", 0], "tag": "consequence",
                 "value": "<p>On.</p>"},
                {"op": "set", "at": [*at, "choice", 0], "name": "points", "value": "1"}]
    text = authoring.apply(text, ops)[0]
    scenario = read(text)
    ids = [n.id for n in scenario.nodes]
    ops = [{"op": "set", "at": ["node", i, "choice", 0], "name": "target", "value": ids[i + 1]}
           for i in range(3)]
    ops += [{"op": "set", "at": ["node", 3, "choice", 0], "name": "target", "value": "end"},
            {"op": "add", "at": ["node", 3], "tag": "choice"},
            {"op": "add", "at": [], "tag": "ending", "link": ["node", 3, "choice", 1]},
            {"op": "content", "at": ["node", 3, "choice", 1], "tag": "text", "value": "Repair."},
            {"op": "content", "at": ["node", 3, "choice", 1], "tag": "consequence",
             "value": "<p>Mended.</p>"},
            {"op": "set", "at": ["node", 3, "choice", 1], "name": "requires",
             "value": "trust >= 0"},
            {"op": "add", "at": ["node", 0, "choice", 0], "tag": "effect"},
            {"op": "content", "at": ["ending", 0], "tag": "html", "value": "<p>Good.</p>"},
            {"op": "content", "at": ["ending", 1], "tag": "html", "value": "<p>Fine.</p>"},
            {"op": "content", "at": ["debrief", 0], "tag": "html", "value": "<p>Why.</p>"},
            {"op": "rename", "at": ["ending", 0], "id": "kept"}]
    text = authoring.apply(text, ops)[0]
    compiled = compile_text(text)
    assert [str(p) for p in compiled.problems] == []
    assert compiled.scenario.nodes[3].choices[0].target == "kept"


def test_the_example_template_passes_every_check():
    assert compile_text(EXAMPLE).playable


def test_a_text_that_cannot_be_read_is_refused_with_a_message():
    with pytest.raises(authoring.Refused):
        authoring.apply("<cultural_safety_scenario><node>", [{"op": "delete",
                                                             "at": ["node", 0]}])


# -- forms -----------------------------------------------------------------------------------


def test_the_outline_and_a_nodes_detail_show_what_is_written():
    root = spans.scan(HAND_WRITTEN)
    outline = forms.outline(HAND_WRITTEN, root)
    assert [(p["kind"], p["id"]) for p in outline["places"]] == [
        ("node", "intake"), ("node", "goals"), ("ending", "done")]
    assert outline["variables"][0] == {"at": ["variable", 0], "id": "trust", "initial": "2",
                                       "min": "", "max": "5"}
    shown = forms.detail(HAND_WRITTEN, root, ["node", 1])
    assert shown["choices"][0]["requires"] == "trust < 3"
    assert forms.detail(HAND_WRITTEN, root, ["ending", 0])["pointing"] == [
        {"at": ["node", 1, "choice", 0], "node": "goals", "choice": "repair"}]
    assert "You're the expert" in forms.detail(HAND_WRITTEN, root, ["node", 0])["html"]


@pytest.mark.parametrize("change, form, field", [
    (('target="done"', 'target="gone"'), ["node", 1], "choice.0.target"),
    (('rating="best"', 'rating="bets"'), ["node", 0], "choice.0.rating"),
    (('<effect variable="trust"', '<effect variable="trsut"'), ["node", 0],
     "choice.0.effect.0.variable"),
    (('initial="2"', 'initial="9"'), [], "variable.0.initial"),
    (('<p>She picks one.</p>', '<p>She <b>picks</b> one.</p>'), ["node", 0],
     "choice.0.consequence"),
    (('id="goals" title', 'id="intake" title'), ["node", 1], "id"),
    (('outcome="safe"', 'outcome="fine"'), ["ending", 0], "outcome"),
])
def test_each_problem_is_put_at_its_form_and_field(change, form, field):
    text = HAND_WRITTEN.replace(*change)
    compiled = compile_text(text)
    root = spans.scan(text)
    placed = [forms.locate(root, p) for p in compiled.problems]
    assert (form, field) in placed, [(str(p), forms.locate(root, p)) for p in compiled.problems]


# -- round trips, byte for byte outside the edited part ----------------------------------------

COURSE = REPO_ROOT / "course" / "vertical"
COURSE_TEXTS = [(path.stem, match.group(0)) for path in sorted(COURSE.glob("*.xml"))
                for match in re.finditer(r"<cultural_safety_scenario\b.*?</cultural_safety_scenario>",
                                         path.read_text(encoding="utf-8"), re.S)]


def roughen(text, rng):
    """``text`` as a person might have written it: comments between elements, attributes in
    another order, single quotes here and there, extra spaces in start tags."""
    def tag(match):
        name, body, close = match.group(1), match.group(2), match.group(3)
        attributes = re.findall(r'\s+[\w-]+="[^"]*"', body)
        rng.shuffle(attributes)
        if rng.random() < 0.3:
            attributes = [re.sub(r'="([^"\']*)"$', r"='\1'", a) for a in attributes]
        return f"<{name}{''.join(attributes)}{'  ' if rng.random() < 0.2 else ''}{close}"
    text = re.sub(r"<(node|choice|ending|variable|dimension|effect|score|reflection)"
                  r"((?:\s+[\w-]+=\"[^\"]*\")*)\s*(/?>)", tag, text)
    lines = text.split("\n")
    for _ in range(rng.randint(0, 4)):
        at = rng.randint(1, max(1, len(lines) - 1))
        if lines[at - 1].rstrip().endswith(">"):
            lines.insert(at, f"  <!-- note {rng.randint(0, 99)} -->")
    return "\n".join(lines)


def moves_for(text, rng):
    """A random move that applies to ``text``, and the (start, end) of ``text`` it may change
    (None for a move or a rename, checked otherwise)."""
    root = spans.scan(text)
    everything = [(p, e) for p, e in spans.walk(root)
                  if e.tag in ("node", "ending", "choice", "variable", "dimension", "effect",
                               "score", "reflection")]
    path, element = rng.choice(everything)
    kind = rng.choice(["set", "content", "add", "duplicate", "delete", "move", "rename"])
    if kind == "set":
        name = rng.choice([n for n in ("title", "points", "rating", "label", "prompt", "initial")
                           if n in element.attributes] or ["title"])
        return {"op": "set", "at": path, "name": name,
                "value": rng.choice(["1", "x & <y>", ""])}, (element.start, element.open_end)
    if kind == "content" and element.tag in ("node", "choice", "ending"):
        tag = {"node": "html", "ending": "html", "choice": rng.choice(["text", "consequence"])}[
            element.tag]
        value = "<p>New <em>words</em></p>" if tag != "text" else "New & plain"
        return {"op": "content", "at": path, "tag": tag, "value": value}, (element.start,
                                                                         element.end)
    if kind == "add":
        tag = {"node": "choice", "choice": "effect"}.get(element.tag)
        if tag:
            return {"op": "add", "at": path, "tag": tag}, (element.start, element.end)
        last = root.of("node")[-1]
        return {"op": "add", "at": [], "tag": "node"}, (last.end, last.end)
    if kind == "duplicate":
        return {"op": "duplicate", "at": path}, (element.end, element.end)
    if kind == "delete":
        return {"op": "delete", "at": path}, (text.rfind("\n", 0, element.start), element.end)
    if kind == "move":
        return {"op": "move", "at": path, "by": rng.choice([-1, 1])}, None
    return {"op": "rename", "at": path, "id": "renamed_x"}, None


def within(old, new, start, end):
    """Whether ``new`` is ``old`` with only the characters from ``start`` to ``end`` replaced."""
    return (new.startswith(old[:start]) and new.endswith(old[end:])
            and len(new) - (len(old) - end) >= start)


def values_blanked(text):
    return re.sub(r"=\s*(\"[^\"]*\"|'[^']*')", "=''", text)


def swapped(text, at, by):
    """The text with the element at ``at`` and its neighbour of the same kind swapped."""
    root = spans.scan(text)
    element = spans.find(root, at)
    parent = next(e for _p, e in spans.walk(root) if element in e.children)
    same = parent.of(element.tag)
    other = same[same.index(element) + by]
    first, second = sorted((element, other), key=lambda e: e.start)
    return (text[:first.start] + text[second.start:second.end] + text[first.end:second.start]
            + text[first.start:first.end] + text[second.end:])


def check_move(text, rng):
    operation, frame = moves_for(text, rng)
    try:
        new, _focus = authoring.apply(text, [operation])
    except authoring.Refused:
        return  # a refused move (no such sibling, nothing to duplicate) leaves the text alone
    assert olx.parse_xml_text(new)[0] is not None, (operation, new)
    if operation["op"] == "move":
        assert new == swapped(text, operation["at"], operation["by"]), operation
    elif operation["op"] == "rename":
        assert values_blanked(new) == values_blanked(text), operation
        assert "renamed_x" in new
    else:
        assert within(text, new, *frame), (operation, frame)


EXAMPLES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@EXAMPLES
@given(scenarios(), st.randoms(use_true_random=False))
def test_a_generated_scenario_written_by_hand_survives_any_edit_outside_the_edited_part(
        scenario, rng):
    text = roughen(olx.write(scenario, tag="cultural_safety_scenario"), rng)
    for _ in range(3):
        check_move(text, rng)


@pytest.mark.parametrize("name, text", COURSE_TEXTS, ids=[n for n, _ in COURSE_TEXTS])
def test_every_course_scenario_survives_edits_outside_the_edited_part(name, text):
    rng = random.Random(name)
    for _ in range(25):
        check_move(text, rng)


def test_every_course_scenario_reads_to_the_same_outline_as_its_model():
    assert len(COURSE_TEXTS) >= 10
    for _name, text in COURSE_TEXTS:
        scenario = read(text)
        outline = forms.outline(text, spans.scan(text))
        assert [p["id"] for p in outline["places"] if p["kind"] == "node"] == [
            n.id for n in scenario.nodes]
        assert [p["id"] for p in outline["places"] if p["kind"] == "ending"] == [
            e.id for e in scenario.endings]


def test_the_scan_finds_each_end_tag_however_it_is_written():
    text = HAND_WRITTEN.replace("<html><p>The form asks for goals.</p></html>",
                                "<html><p>The form <!-- not </html> --> asks.</p></html >")
    root = spans.scan(text)
    assert forms.detail(text, root, ["node", 1])["html"] == "<p>The form <!-- not </html> --> asks.</p>"
    assert forms.detail(text, root, ["ending", 0])["html"] == "<p>She returns.</p>"
    assert [e.tag for e in root.children] == ["variable", "node", "node", "ending", "debrief"]
