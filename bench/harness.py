"""One runtime and one LMS-like field store for every block measured, and fair timing.

- ``JsonStore``: a KeyValueStore that keeps every value as JSON text, decoding it on each read
  and encoding it on each write, as the LMS's DjangoKeyValueStore does with a learner's state
  (and as a modulestore hands a fresh copy of content to each request). Copying costs show.
- ``BenchRuntime``: XBlock's TestRuntime with the few runtime calls views make (handler and
  resource URLs, publish) answered as the LMS would, cheaply and the same for every block.
- ``Request``: one request is a fresh block over the stored fields, one call, ``save()``: what
  an LMS process does per request, so nothing is carried in the block between requests.
- ``interleaved``: both blocks measured in alternating rounds, so bursts of machine noise fall
  on both and the ratio stays honest.
"""
import gc
import json
import statistics
import sys
import time

from webob import Request as WebRequest
from xblock.fields import ScopeIds
from xblock.runtime import KeyValueStore, KvsFieldData
from xblock.test.tools import TestRuntime


class JsonStore(KeyValueStore):
    """Field values stored as JSON text: decoded on every read, encoded on every write."""

    def __init__(self):
        self.rows = {}

    def get(self, key):
        return json.loads(self.rows[self._name(key)])

    def set(self, key, value):
        self.rows[self._name(key)] = json.dumps(value)

    def set_many(self, update_dict):
        for key, value in update_dict.items():
            self.set(key, value)

    def delete(self, key):
        del self.rows[self._name(key)]

    def has(self, key):
        return self._name(key) in self.rows

    @staticmethod
    def _name(key):
        return (key.scope, key.user_id, key.block_scope_id, key.field_name)


class BenchRuntime(TestRuntime):
    """TestRuntime answering handler_url, local_resource_url and publish like a platform."""

    def __init__(self, store, user_id, staff=False):
        super().__init__(services={"field-data": KvsFieldData(store)})
        self.user_id = user_id
        self.user_is_staff = staff  # read by blocks that check staff rights without a user service
        self.events = []

    def handler_url(self, block, handler_name, suffix="", query="", thirdparty=False):
        return f"/courses/bench/xblock/{block.scope_ids.usage_id}/handler/{handler_name}/{suffix}"

    def local_resource_url(self, block, uri):
        return f"/xblock/resource/{block.scope_ids.block_type}/{uri}"

    def publish(self, block, event_type, event_data):
        self.events.append((event_type, event_data))


class Request:
    """Requests from one learner (or author) to one block kept in ``store``."""

    def __init__(self, block_class, block_type, store=None, user="learner_1", usage="usage-1",
                 staff=False):
        self.block_class = block_class
        self.staff = staff
        self.block_type = block_type
        self.store = store if store is not None else JsonStore()
        self.user = user
        self.usage = usage

    def block(self):
        runtime = BenchRuntime(self.store, self.user, self.staff)
        ids = ScopeIds(self.user, self.block_type, "definition-" + self.usage, self.usage)
        return runtime.construct_xblock_from_class(self.block_class, ids)

    def set_fields(self, **values):
        block = self.block()
        for name, value in values.items():
            setattr(block, name, value)
        block.save()

    def post(self, handler, body):
        """(status, response body bytes) of a JSON POST to ``handler`` on a fresh block."""
        block = self.block()
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        request = WebRequest.blank("/", method="POST", body=data,
                                   content_type="application/json")
        response = getattr(block, handler)(request)
        block.save()
        return response.status_code, response.body

    def view(self, name="student_view"):
        """The view as the page will carry it: HTML, resources and the script's arguments."""
        block = self.block()
        fragment = getattr(block, name)({})
        block.save()
        return (fragment.body_html() + fragment.head_html() + fragment.foot_html()
                + json.dumps(fragment.json_init_args or {}))


def timed(function):
    """(milliseconds, result): CPU time of this thread, so the other processes of a busy shared
    machine do not enter the figure (on an idle machine it matches wall time within a few %)."""
    began = time.thread_time()
    result = function()
    return (time.thread_time() - began) * 1000, result


def python_calls(function):
    """How many Python function calls ``function()`` makes: a measure of work no noise moves."""
    calls = 0

    def count(_frame, event, _arg):
        nonlocal calls
        calls += event == "call"

    sys.setprofile(count)
    try:
        function()
    finally:
        sys.setprofile(None)
    return calls


def interleaved(contenders, rounds, per_round):
    """{name: [ms, ...]}: each contender's sampler called per_round times a round, alternately.

    ``contenders`` maps a name to a callable returning the milliseconds of one sample. The
    order swaps every round; garbage is collected between rounds, never inside one.
    """
    samples = {name: [] for name in contenders}
    names = list(contenders)
    for number in range(rounds):
        order = names if number % 2 == 0 else names[::-1]
        for name in order:
            gc.collect()
            for _ in range(per_round):
                samples[name].append(contenders[name]())
    return samples


def median(values):
    return statistics.median(values) if values else float("nan")


def p90(values):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
