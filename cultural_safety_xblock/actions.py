"""JSON handlers that check their input before the block sees it.

A handler declares the fields it takes and their types; a request that is not a POST, is too
large, is not a JSON object, lacks a field, has one of the wrong type or has an unknown one is
answered 4xx with a message saying which, and never reaches the learner's state.
"""
import functools
import json

from webob import Response
from xblock.core import XBlock

from .scenario.engine import Refusal
from .scenario.problems import N_

MAX_BODY = 16_384
# How a learner action's answer gives the stage: "html", the learner view's (the default), or
# "data", the structure student_view_data gives the mobile app (mobile.stage_data).
VIEWS = ("html", "data")
_TYPES = {int: N_("a whole number"), str: N_("text"), bool: N_("true or false"),
          float: N_("a number"), list: N_("a list")}


class Unstored(Refusal):
    """A refusal from a request whose own copy of the learner's state is not what is stored
    (a racing duplicate, or a save that failed): answered without a stage, so the page keeps
    what it shows (a reload shows the stored state)."""


def _fits(value, kind):
    """JSON's true/false are not numbers here, and a whole number is a number. Text must be
    valid Unicode: a lone surrogate (JSON "\\ud800") stored would break every later page."""
    if kind is bool or isinstance(value, bool):
        return kind is bool and isinstance(value, bool)
    if kind is str and isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    return isinstance(value, (int, float) if kind is float else kind)


def respond(status, payload):
    return Response(json.dumps(payload), status=status, content_type="application/json",
                    charset="utf-8")


def _refuse(block, status, message, **values):
    return respond(status, {"code": "bad-request", "message": block.gettext(message).format(**values)})


def read_request(block, request, fields, limit=MAX_BODY, optional=None):
    """(values, None) or (None, error response). Every one of ``fields`` must be sent; those of
    ``optional`` (name -> type) may be, and are left out of ``values`` when they are not."""
    optional = optional or {}
    if request.method != "POST":
        response = _refuse(block, 405, N_("Send this request with POST."))
        response.allow = ("POST",)
        return None, response
    body = request.body_file.read(limit + 1)
    if len(body) > limit:
        return None, _refuse(block, 413, N_("The request is larger than {limit} bytes."),
                             limit=limit)
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # deep nesting: RecursionError
        return None, _refuse(block, 400, N_("The request is not valid JSON."))
    if not isinstance(data, dict):
        return None, _refuse(block, 400, N_("The request must be a JSON object."))
    for name in data:
        if name not in fields and name not in optional:
            return None, _refuse(block, 400, N_("Unknown field '{name}'."), name=name[:40])
    for name, kind in {**fields, **optional}.items():
        if name not in data:
            if name in optional:
                continue
            return None, _refuse(block, 400, N_("The field '{name}' is missing."), name=name)
        value = data[name]
        if not _fits(value, kind):
            return None, _refuse(block, 400, N_("The field '{name}' must be {kind}."), name=name,
                                 kind=block.gettext(_TYPES[kind]))
    return data, None


def json_action(**fields):
    """Mark a block method as a learner's JSON handler taking exactly ``fields`` (name=type),
    and optionally "view" (one of ``VIEWS``), which the method gets as ``view``.

    The method returns a JSON-able dict (status 200) or raises ``Refusal``; a refusal is
    answered with its status, its message and the learner's current stage, in that view.
    """
    def decorate(method):
        @XBlock.handler
        @functools.wraps(method)
        def handler(self, request, suffix=""):
            values, error = read_request(self, request, fields, optional={"view": str})
            if error is not None:
                return error
            view = values.pop("view", VIEWS[0])
            if view not in VIEWS:
                return _refuse(self, 400, N_("The field 'view' must be \"html\" or \"data\", "
                                             "not \"{value}\"."), value=view[:40])
            try:
                return respond(200, method(self, view=view, **values))
            except Refusal as refusal:
                payload = {"code": refusal.code,
                           "message": self.gettext(refusal.message).format(**refusal.args_)}
                if not isinstance(refusal, Unstored):
                    payload.update(self.refusal_context(view))
                return respond(refusal.status, payload)
        return handler
    return decorate
