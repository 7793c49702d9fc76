"""A stand-in for the LMS's field storage and handler path, with the platform's concurrency.

Written from the platform's source (openedx/openedx-platform), not copied from it:

- ``lms/djangoapps/courseware/model_data.py``, ``FieldDataCache`` and ``DjangoKeyValueStore``:
  a request's fields are fetched once, when its block is built (``cache_fields``), and every
  read is served from that cache; nothing is read again before the request ends. Writes go out
  at ``set_many``, scope by scope, in the order the dirty fields come.
- same file, ``UserStateSummaryCache`` (a ``DjangoOrmFieldCache``): one row per (usage id,
  field name). ``set_many`` walks the fields in sorted order: a field the request's cache did
  not hold is an INSERT (``force_insert``), any other an UPDATE of the whole value. An INSERT of
  a row another request inserted meanwhile raises ``IntegrityError``, turned into
  ``KeyValueMultiSaveError``; the names it carries as saved include the failing field (it is
  appended in a ``finally``), so XBlock marks that field clean although it was not stored.
- ``lms/djangoapps/courseware/user_state_client.py``, ``DjangoXBlockUserStateClient.set_many``:
  at save the learner's ``StudentModule`` row is fetched afresh (``get_or_create``), the fields
  that changed are laid over it and the whole row is written back: the last writer wins. (Its
  ``IntegrityError`` branch, which skips the write, is not modelled: in the autocommit of a
  non-atomic request Django's ``get_or_create`` finds the row another request just created.)
- ``lms/djangoapps/courseware/block_render.py``, ``handle_xblock_callback`` is
  ``transaction.non_atomic_requests`` (nothing a failed request wrote is rolled back, nothing
  it published is taken back); ``_invoke_xblock_handler`` calls the block's ``handle`` (XBlock's
  ``Runtime.handle``: the handler, then ``block.save()``) and lets any other exception become a
  500.
- ``DjangoKeyValueStore._raise_unless_scope_is_allowed``: a learner's request cannot write
  content or settings (``InvalidScopeError``).

``Database`` is the shared storage (dicts under a lock; real threads may use it at once);
``Request`` is one handler call of one learner over it. ``latency`` widens the windows the LMS
has between a request's reads and its writes (the rest of its work: modulestore, access checks,
other queries), so that races happen as often as they do there.
"""
import json
import random
import re
import threading
import time

from webob import Request as WebRequest
from xblock.exceptions import InvalidScopeError, KeyValueMultiSaveError
from xblock.fields import Scope, ScopeIds
from xblock.runtime import KeyValueStore, KvsFieldData
from xblock.test.tools import TestRuntime

USAGE = "block-v1:Org+Course+Run+type@cultural_safety_scenario+block@scenario"
LEARNER_SCOPES = (Scope.user_state, Scope.user_state_summary, Scope.preferences, Scope.user_info)


class IntegrityError(Exception):
    """What the database raises when an INSERT meets a row that exists (a Django
    ``DatabaseError``): here, ``UNIQUE constraint failed`` on a user_state_summary row."""


class Database:
    """Every stored row, shared by the requests; each write of a row is atomic, nothing more.

    ``learner_rows``: {(user, usage): {field: JSON text}} (StudentModule.state);
    ``summary_rows``: {(usage, field): JSON text} (XModuleUserStateSummaryField);
    ``authored``: content and settings (the modulestore's), written only by ``author``.
    ``events``: (user, name, data) in the order published. ``fail_learner_save``: users whose
    StudentModule write fails (a database error), to show what the block does then.
    """

    def __init__(self, latency=0.0, seed=None):
        self.latency = latency
        self.learner_rows = {}
        self.summary_rows = {}
        self.authored = {}
        self.events = []
        self.answers = []
        self.fail_learner_save = set()
        self.lock = threading.Lock()
        self._random = random.Random(seed)

    def pause(self, share=1.0):
        """Let other threads run for a part of the configured latency (jittered)."""
        if self.latency:
            with self.lock:
                jitter = self._random.uniform(0.5, 1.5)
            time.sleep(self.latency * share * jitter)

    def author(self, block_class, usage=USAGE, **fields):
        """Store authored fields as Studio would, outside any learner request."""
        request = Request(self, block_class, user=None, usage=usage, authoring=True)
        for name, value in fields.items():
            setattr(request.block, name, value)
        request.block.save()

    def learner_state(self, user, usage=USAGE):
        with self.lock:
            row = self.learner_rows.get((user, usage), {})
            return {name: json.loads(text) for name, text in row.items()}

    def summary(self, usage=USAGE):
        with self.lock:
            return {field: json.loads(text) for (owner, field), text in self.summary_rows.items()
                    if owner == usage}

    def named(self, name, user=None):
        with self.lock:
            return [data for who, event, data in self.events
                    if event == name and (user is None or who == user)]


class RequestStore(KeyValueStore):
    """One request's view of the ``Database``: read once when built, written at ``set_many``."""

    def __init__(self, database, user, usage, authoring=False):
        self.database, self.user, self.usage, self.authoring = database, user, usage, authoring
        with database.lock:
            self.learner = dict(database.learner_rows.get((user, usage), {}))
            self.summary = {field: text for (owner, field), text in database.summary_rows.items()
                            if owner == usage}

    # -- reads: from what the request fetched when it began --------------------------------------

    def get(self, key):
        if key.scope == Scope.user_state:
            return json.loads(self.learner[key.field_name])
        if key.scope == Scope.user_state_summary:
            return json.loads(self.summary[key.field_name])
        with self.database.lock:
            return json.loads(self.database.authored[self._authored_key(key)])

    def has(self, key):
        if key.scope == Scope.user_state:
            return key.field_name in self.learner
        if key.scope == Scope.user_state_summary:
            return key.field_name in self.summary
        with self.database.lock:
            return self._authored_key(key) in self.database.authored

    def set(self, key, value):
        self.set_many({key: value})

    def delete(self, key):
        raise NotImplementedError("the block never deletes a field in a learner's request")

    # -- writes: scope by scope, as FieldDataCache.set_many ----------------------------------------

    def set_many(self, update_dict):
        by_scope = {}
        for key, value in update_dict.items():
            if key.scope not in LEARNER_SCOPES and not self.authoring:
                raise InvalidScopeError(key, LEARNER_SCOPES)
            by_scope.setdefault(key.scope, {})[key] = value
        saved = []
        for scope, values in by_scope.items():
            try:
                if scope == Scope.user_state:
                    self._save_learner(values)
                elif scope == Scope.user_state_summary:
                    self._save_summary(values)
                else:
                    with self.database.lock:
                        for key, value in values.items():
                            self.database.authored[self._authored_key(key)] = json.dumps(value)
            except KeyValueMultiSaveError as error:
                raise KeyValueMultiSaveError(saved + error.saved_field_names) from error
            saved += [key.field_name for key in values]

    def _save_learner(self, values):
        """Read the row afresh, lay the changed fields over it, write it whole (last writer wins)."""
        changed = {key.field_name: json.dumps(value) for key, value in values.items()}
        with self.database.lock:
            row = dict(self.database.learner_rows.get((self.user, self.usage), {}))
        self.database.pause(0.1)          # the row's SELECT and UPDATE are two round trips
        if self.user in self.database.fail_learner_save:
            raise KeyValueMultiSaveError([])
        row.update(changed)
        with self.database.lock:
            self.database.learner_rows[(self.user, self.usage)] = row
        self.learner.update(changed)

    def _save_summary(self, values):
        """Sorted by name; INSERT what the request did not fetch, UPDATE the rest."""
        saved = []
        for key, value in sorted(values.items(), key=lambda item: item[0].field_name):
            name, text = key.field_name, json.dumps(value)
            try:
                with self.database.lock:
                    row = (self.usage, name)
                    if name not in self.summary and row in self.database.summary_rows:
                        raise IntegrityError(f"UNIQUE constraint failed: ({self.usage}, {name})")
                    self.database.summary_rows[row] = text
                self.summary[name] = text
            except IntegrityError as error:
                raise KeyValueMultiSaveError(saved) from error
            finally:
                saved.append(name)       # the platform's quirk: the failing field counts as saved

    def _authored_key(self, key):
        return (key.scope, key.field_name)


class Request:
    """One LMS handler request: a fresh block over ``database``, the handler, then save."""

    def __init__(self, database, block_class, user="learner", usage=USAGE, authoring=False,
                 staff=False):
        self.database, self.user = database, user
        self.store = RequestStore(database, user, usage, authoring)
        runtime = TestRuntime(services={"field-data": KvsFieldData(self.store)})
        runtime.publish = self._publish
        runtime.user_id = user
        runtime.user_is_staff = staff
        ids = ScopeIds(user, "cultural_safety_scenario", "definition", usage)
        self.block = runtime.construct_xblock_from_class(block_class, ids)

    def _publish(self, block, name, data):
        with self.database.lock:
            self.database.events.append((self.user, name, data))

    def handle(self, handler, body):
        """(status, answer) as the LMS would give it: a 500 for any exception the handler or
        the runtime's save raises (``_invoke_xblock_handler`` re-raises them)."""
        self.database.pause()             # the request's other work, between its reads and writes
        request = WebRequest.blank("/", method="POST", body=json.dumps(body).encode())
        try:
            response = self.block.handle(handler, request)
        except Exception as error:        # noqa: BLE001 - what the LMS turns into a 500
            answer = (500, {"error": f"{type(error).__name__}: {error}"})
        else:
            answer = (response.status_code, json.loads(response.body))
        with self.database.lock:
            self.database.answers.append((self.user, handler, answer[0]))
        return answer


def run_at_once(calls, timeout=60):
    """Run each of ``calls`` (no-argument functions) in its own thread, all released together;
    their results in order. An exception in a call is re-raised here."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)
    errors = []

    def run(index, call):
        try:
            barrier.wait(timeout)
            results[index] = call()
        except BaseException as error:   # noqa: BLE001 - handed to the caller
            errors.append(error)

    threads = [threading.Thread(target=run, args=(index, call), daemon=True)
               for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    if errors:
        raise errors[0]
    return results


class Player:
    """One learner in a browser: each action a new ``Request`` naming what the last answer
    showed (its version and place); choices picked from the buttons the stage offers."""

    _PLACE = re.compile(r'data-node="([^"]*)"')
    _CHOICE = re.compile(r'data-choice="([^"]*)"')
    _BUTTON = re.compile(r'data-choice="([^"]*)">([^<]*)<')

    def __init__(self, database, block_class, user, seed=0):
        self.database, self.block_class, self.user = database, block_class, user
        self.version, self.node, self.stage, self.status = 0, "", "", "node"
        self.random = random.Random(seed)

    def act(self, handler, **extra):
        request = Request(self.database, self.block_class, user=self.user)
        status, answer = request.handle(handler, {"version": self.version, "node": self.node,
                                                  **extra})
        if status == 200:
            self.version, self.stage = answer["version"], answer["stage"]
            self.status = answer["status"]
            found = self._PLACE.search(self.stage)
            self.node = found.group(1) if found else ""
        return status, answer

    def offered(self):
        """What the offered choices' buttons send (the page never shows a choice's id)."""
        return self._CHOICE.findall(self.stage)

    def button(self, text):
        """What the button showing ``text`` sends."""
        return next(sent for sent, shown in self._BUTTON.findall(self.stage) if shown == text)

    def play_attempt(self, pick=None):
        """Begin (or restart after an ending) and choose until an ending; the statuses."""
        statuses = [self.act("restart" if self.status == "ending" else "begin")[0]]
        while statuses[-1] == 200 and self.status != "ending":
            choices = self.offered()
            statuses.append(self.act("choose", choice=pick(choices) if pick
                                     else self.random.choice(choices))[0])
        return statuses
