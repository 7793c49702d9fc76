"""The two blocks measured, each driven the way its own learner view and Studio editor drive it.

Both play the same scenario shape (``shapes.scenario_xml``): a row's size counts every node, the
three endings included, because the peer counts them against its 30-node limit. The peer's copy
is read from our OLX text, so the graph, the texts and the points are the same; what the peer's
format has no place for (a choice's consequence, rating, dimension scores) it does without.

Each contender gives samplers (callables returning milliseconds) that the harness interleaves:
``step`` (one learner choice), ``view`` (student_view as the page carries it) and ``save`` (a
Studio save with validation, each time with a new text so no cache can answer it).
"""
import gzip
import itertools
import json
import re
from importlib import resources

from lxml import etree

from bench.harness import Request, timed
from bench.shapes import scenario_xml

ENDINGS = 3
DEPTH = 6          # choices a learner makes before starting again: a real scenario's path length
GZIP_LEVEL = 6     # what web servers commonly use
REVISIONS = itertools.count(1)  # every saved text in this process differs from every other


def gzipped_size(texts):
    joined = b"".join(text.encode("utf-8") if isinstance(text, str) else text for text in texts)
    return len(joined), len(gzip.compress(joined, GZIP_LEVEL))


def shape(total_nodes, revision=0):
    """Our OLX text of ``total_nodes`` nodes (endings included); ``revision`` adds a sentence to
    the first node's scene, the very edit the peer's saves make (``peer_nodes``)."""
    text = scenario_xml(total_nodes - ENDINGS)
    if not revision:
        return text
    scene = "<p>Scene 0: the client speaks about their week.</p>"
    return text.replace(scene, f"{scene}<p>Take {revision}.</p>", 1)


def forget_reading():
    """Forget what earlier readings left (parts, the last text, analyses): a first reading."""
    from cultural_safety_xblock.scenario import analysis, edits, parts

    parts.forget()
    edits.forget()
    analysis.forget()


class Ours:
    name = "ours"
    block_type = "cultural_safety_scenario"

    def __init__(self, total_nodes, cohort_everywhere=False):
        from cultural_safety_xblock.block import CulturalSafetyScenarioBlock

        self.block_class = CulturalSafetyScenarioBlock
        self.total_nodes = total_nodes
        self.text = shape(total_nodes)
        self.answers = []
        course = Request(self.block_class, self.block_type, user="staff_author")
        course.set_fields(scenario_xml=self.text)
        if cohort_everywhere:
            course.set_fields(**cohort_shards(self.text))
        self.learner = Request(self.block_class, self.block_type, store=course.store)
        self.seen = self._answer(self.learner.post("begin", {"version": 0, "node": ""}))
        self.depth = 0
        self.viewer = Request(self.block_class, self.block_type, store=course.store,
                              user="learner_2")
        seen = self._answer(self.viewer.post("begin", {"version": 0, "node": ""}))
        for _ in range(2):
            seen = self._answer(self.viewer.post("choose", {"version": seen["version"],
                                                            "node": seen["node"], "choice": "c0"}))
        # saves go to a block of their own: a new text must not evict the learners' scenario
        self.author = Request(self.block_class, self.block_type, user="staff_author",
                              usage="usage-studio", staff=True)
        self.save_label = "compile_source + field write (no save handler yet)"
        self.save_handler = studio_save_handler(self.block_class)
        if self.save_handler:
            self.save_label = f"handler {self.save_handler}"

    @staticmethod
    def _answer(response):
        status, body = response
        answer = json.loads(body)
        if status != 200:
            raise RuntimeError(f"ours answered {status}: {answer}")
        node = re.search(r'data-node="([^"]*)"', answer.get("stage", ""))
        return {"version": answer["version"], "node": node.group(1) if node else "",
                "status": answer.get("status")}

    def step(self):
        body = json.dumps({"version": self.seen["version"], "node": self.seen["node"],
                           "choice": "c0"}).encode()
        ms, response = timed(lambda: self.learner.post("choose", body))
        self.answers.append(len(response[1]))
        self.seen = self._answer(response)
        self.depth += 1
        if self.seen["status"] == "ending" or self.depth >= DEPTH:
            self.seen = self._answer(self.learner.post(
                "restart", {"version": self.seen["version"], "node": self.seen["node"]}))
            self.depth = 0
        return ms

    def view(self):
        return timed(self.viewer.view)[0]

    def save(self):
        """An author's save: the text differs from the last one saved by an edit in one node."""
        text = shape(self.total_nodes, next(REVISIONS))
        if self.save_handler:
            return timed(lambda: self._save_by_handler(text))[0]
        return timed(lambda: self._save_by_fields(text))[0]

    def save_first(self):
        """A save of a text this process has read nothing of (a scenario pasted or imported)."""
        forget_reading()
        return self.save()

    def _save_by_handler(self, text):
        status, body = self.author.post(self.save_handler, studio_save_body(text))
        if status != 200:
            raise RuntimeError(f"our save answered {status}: {body[:300]!r}")

    def _save_by_fields(self, text):
        """What a save handler must do at least: read the request, validate, store the text."""
        from cultural_safety_xblock.scenario.compiled import compile_source

        body = json.dumps({"scenario": text}).encode()
        received = json.loads(body)["scenario"]
        compiled = compile_source(received)
        if not compiled.playable:
            raise RuntimeError(f"the bench scenario has problems: {compiled.problems[:3]}")
        self.author.set_fields(scenario_xml=received)

    @staticmethod
    def assets():
        folder = resources.files("cultural_safety_xblock").joinpath("static")
        return gzipped_size([folder.joinpath(name).read_bytes()
                             for name in ("student.js", "student.css")])


def cohort_shards(text):
    """The aggregate fields of a block whose cohort has made every choice at least once in every
    shard (a course some terms old): a learner's step reads and writes back one of them."""
    from cultural_safety_xblock import cohort
    from cultural_safety_xblock.scenario.compiled import compile_text

    scenario = compile_text(text).scenario
    events = [("started", {"attempt": 1})] + [("chose", {"node": node.id, "choice": choice.id})
                                              for node in scenario.nodes for choice in node.choices]
    fields = {}
    for shard, name in enumerate(cohort.SHARD_FIELDS):
        fields[name] = cohort.count({}, {}, events)[0]
        fields = cohort.tallied(fields, shard, events, len(scenario.nodes))
    return fields


def studio_save_handler(block_class):
    """The name of the Studio save handler, once issue 3 has built one; else None."""
    for name in ("studio_submit", "save_scenario", "studio_save", "submit_studio_edits"):
        if getattr(getattr(block_class, name, None), "_is_xblock_handler", False):
            return name
    return None


def studio_save_body(text):
    """The save handler's request: the editor's text and the settings form, as Studio sends it."""
    return {"scenario_xml": text, "display_name": "Branching scenario", "weight": 1.0,
            "max_attempts": 0, "grading": "best_attempt", "practice": False,
            "allow_back": True, "allow_restart": True, "reflections_in_reports": False}


# -- the peer ---------------------------------------------------------------------------------

MAX_PEER_NODES = 30


def peer_nodes(total_nodes, revision=0):
    """The peer's Studio node list for our shape (start node first, endings without choices)."""
    root = etree.fromstring(shape(total_nodes, revision))
    nodes = []
    for element in root:
        if element.tag not in ("node", "ending"):
            continue
        html = element.find("html")
        content = "".join(etree.tostring(child, encoding="unicode") for child in html)
        if element.get("id") == "n0" and revision:   # one place changes, as in ours
            content += f"<p>Take {revision}.</p>"
        choices = [{"text": choice.findtext("text"), "target_node_id": choice.get("target"),
                    "score": int(choice.get("points"))} for choice in element.iter("choice")]
        nodes.append({"id": element.get("id"), "content": content, "choices": choices,
                      "media": {"type": "", "url": "", "alt": ""}, "hint": "",
                      "left_image_url": "", "right_image_url": "", "left_image_alt_text": "",
                      "right_image_alt_text": "", "overlay_text": False, "transcript_url": ""})
    return nodes


def peer_payload(total_nodes, revision=0):
    """What the peer's Studio editor posts to studio_submit."""
    return {"nodes": peer_nodes(total_nodes, revision), "deleted_node_ids": [],
            "display_name": "Branching scenario", "enable_undo": True, "enable_scoring": True,
            "enable_reset_activity": True, "background_image_url": "",
            "background_image_alt_text": "", "background_image_is_decorative": False,
            "grade_ranges": [{"label": "Fail", "start": 0, "end": 49},
                             {"label": "Pass", "start": 50, "end": 100}]}


class Peer:
    name = "branching-xblock"
    block_type = "branching_xblock"

    def __init__(self, total_nodes):
        from branching_xblock import BranchingXBlock

        self.block_class = BranchingXBlock
        self.total_nodes = total_nodes
        self.author = Request(self.block_class, self.block_type, user="staff_author")
        self._save(peer_payload(total_nodes))
        self.learner = Request(self.block_class, self.block_type, store=self.author.store)
        self.depth = 0
        self.answers = []
        self.viewer = Request(self.block_class, self.block_type, store=self.author.store,
                              user="learner_2")
        for _ in range(2):
            self.viewer.post("select_choice", {"choice_index": 0})
        self.author = Request(self.block_class, self.block_type, user="staff_author",
                              usage="usage-studio", staff=True)

    def _save(self, payload):
        status, body = self.author.post("studio_submit", payload)
        answer = json.loads(body)
        if status != 200 or answer.get("result") != "success":
            raise RuntimeError(f"the peer refused the scenario: {status} {answer}")

    def step(self):
        ms, (status, body) = timed(lambda: self.learner.post("select_choice", {"choice_index": 0}))
        answer = json.loads(body)
        if status != 200 or not answer.get("success"):
            raise RuntimeError(f"the peer answered {status}: {answer}")
        self.answers.append(len(body))
        self.depth += 1
        if answer.get("has_completed") or self.depth >= DEPTH:
            self.learner.post("reset_activity", {})
            self.depth = 0
        return ms

    def view(self):
        return timed(self.viewer.view)[0]

    def save(self):
        payload = peer_payload(self.total_nodes, next(REVISIONS))
        return timed(lambda: self._save(payload))[0]

    @staticmethod
    def assets():
        folder = resources.files("branching_xblock").joinpath("static")
        return gzipped_size([folder.joinpath("bundles", "student.js").read_bytes(),
                             folder.joinpath("css", "branching_xblock.css").read_bytes()])
