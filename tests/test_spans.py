"""The scan of an edited text (scenario/spans.py, issue 14): after a keystroke only the element
that holds the change is scanned again, the others are the last text's, moved. Whatever the
edit, the spans must be those a whole scan of the new text finds."""
import random

from hypothesis import given
from hypothesis import strategies as st

from cultural_safety_xblock.scenario import authoring, olx, spans
from cultural_safety_xblock.scenario.compiled import compile_text
from tests.test_authoring import EXAMPLES, HAND_WRITTEN, moves_for, roughen
from tests.test_roundtrip import scenarios

# what a raw edit may write: text, entities, markup of the author's, comments, line breaks, end
# tags of the format (a <text> in a <text> the format forbids: the scan may assume it away)
PIECES = ("a", " ", "\n", "&amp;", "&lt;", "<", ">", '"', "'", "<p>", "</p>", "<b/>",
          "<!-- x -->", "<!--", "-->", "</choice>", "<choice>", "</node>", "=", "é")


def described(root):
    """Everything a reader of the scan may ask of each element, in text order."""
    return [(path, element.tag, element.start, element.open_end, element.inner_end, element.end,
             element.line, element.end_line, element.attributes_end,
             [(name, found.value, found.start, found.end, found.quote, found.name_start)
              for name, found in element.attributes.items()])
            for path, element in spans.walk(root)]


def well_formed(text):
    return olx.parse_xml_text(text)[0] is not None


def raw_edit(text, rng):
    """``text`` with a few characters somewhere replaced by a few pieces, if still well formed."""
    for _ in range(20):
        start = rng.randrange(len(text))
        end = min(len(text), start + rng.choice([0, 0, 1, 3, 12]))
        new = text[:start] + "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 3))) + text[end:]
        if new != text and well_formed(new):
            return new
    return None


def moved(text, rng):
    """``text`` after a random move of the visual editor, or None if it is refused (or the raw
    edits so far have left no scenario to make one on)."""
    if compile_text(text).scenario is None or not spans.scan(text).of("node"):
        return None
    operation, _frame = moves_for(text, rng)
    try:
        return authoring.apply(text, [operation])[0]
    except authoring.Refused:
        return None


def check_edit(old, new, rng):
    root = spans._scan(old)
    if rng.random() < 0.5:
        described(root)  # attributes worked out before the edit are moved with their elements
    whole = described(spans._scan(new))
    again = spans.rescan(old, root, new)
    if again is not None:
        assert described(again) == whole
    assert described(root) == described(spans._scan(old))  # the last text's scan is unchanged


@EXAMPLES
@given(scenarios(), st.randoms(use_true_random=False))
def test_a_rescan_after_any_edit_finds_the_spans_of_a_whole_scan(scenario, rng):
    text = roughen(olx.write(scenario, tag="cultural_safety_scenario"), rng)
    for _ in range(4):
        new = raw_edit(text, rng) if rng.random() < 0.6 else moved(text, rng)
        if new is None:
            continue
        check_edit(text, new, rng)
        text = new


def test_a_keystroke_in_a_title_rescans_one_element_and_scan_gives_the_same_tree():
    rng = random.Random(4)
    for typed in ("Goal", "Goals and <aims> & more", ""):
        new, _focus = authoring.apply(HAND_WRITTEN, [
            {"op": "set", "at": ["node", 1], "name": "title", "value": typed}])
        root = spans._scan(HAND_WRITTEN)
        again = spans.rescan(HAND_WRITTEN, root, new)
        assert again is not None
        assert again.children[0] is root.children[0]  # before the edit: the last scan's own
        assert described(again) == described(spans._scan(new))
        spans.scan(HAND_WRITTEN)
        assert described(spans.scan(new)) == described(spans._scan(new))
        check_edit(HAND_WRITTEN, new, rng)


def test_an_edit_across_elements_is_scanned_whole():
    at = HAND_WRITTEN.index('  <node id="goals"')
    commented = HAND_WRITTEN[:at] + "<!--" + HAND_WRITTEN[at:].replace("  <ending", "--><ending")
    assert well_formed(commented)
    assert spans.rescan(HAND_WRITTEN, spans._scan(HAND_WRITTEN), commented) is None
    spans.scan(HAND_WRITTEN)
    root = spans.scan(commented)
    assert [e.tag for e in root.children] == ["variable", "node", "ending", "debrief"]
    assert described(root) == described(spans._scan(commented))


def test_an_edit_that_closes_an_element_early_is_scanned_whole():
    # a choice's end tag typed inside its text: the node's children change, its end does not
    text = HAND_WRITTEN.replace("<text>Decide for her.</text>",
                                "<text>Decide</text></choice><choice id='x'><text>for her.</text>")
    assert well_formed(text)
    again = spans.rescan(HAND_WRITTEN, spans._scan(HAND_WRITTEN), text)
    assert again is not None and described(again) == described(spans._scan(text))
    assert len(again.of("node")[0].of("choice")) == 3
