"""edx-completion's own code (the PyPI package) beside the LMS stand-in, in a process of its own.

edx-completion's services and handlers import its Django models, so they need Django configured
with the completion app (and django-waffle, which its tracking switch is): the test process's
Django is the workbench's, so this runs as ``python -m tests.support.lms_completion`` and prints
what it found as JSON (tests/test_platform_contract.py asserts on it).

It plays every scenario of the course under both grading policies through the stand-in
(tests/support/lms_standin.py) with edx-completion's real ``CompletionService`` taking the
"completion" events and its real ``scorable_block_completion`` listening to grade changes, as the
LMS wires them (xmodule/services.py; completion/handlers.py).
"""
import json
import sys


def configure():
    import django
    from django.conf import settings
    from django.core.management import call_command

    settings.configure(
        INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "waffle",
                        "completion"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        USE_TZ=True, SECRET_KEY="contract-tests", DEFAULT_AUTO_FIELD="django.db.models.AutoField")
    django.setup()
    call_command("migrate", verbosity=0, run_syncdb=True)
    from waffle.models import Switch

    Switch.objects.create(name="completion.enable_completion_tracking", active=True)
    from eventtracking import tracker

    tracker.register_tracker(tracker.Tracker())  # BlockCompletion logs each submission


def usage_key(name):
    from opaque_keys.edx.keys import UsageKey

    return UsageKey.from_string(
        f"block-v1:OpenCulturalSafety+CS101+2026+type@cultural_safety_scenario+block@{name}")


class Completion:
    """The LMS's wiring of edx-completion: the service per learner, the grade-change handler."""

    def __init__(self):
        from django.contrib.auth import get_user_model

        self.users = {}
        self.User = get_user_model()

    def user(self, name):
        if name not in self.users:
            self.users[name] = self.User.objects.create(username=name)
        return self.users[name]

    def submit(self, user, usage, value):
        from completion.services import CompletionService

        CompletionService(self.user(user), usage.course_key).submit_completion(usage, value)

    def on_score_changed(self, usage_id, user_id, course_id, block):
        from completion.handlers import scorable_block_completion

        scorable_block_completion(sender=None, usage_id=usage_id, user_id=self.user(user_id).id,
                                  course_id=course_id)

    def of(self, user, usage):
        from completion.models import BlockCompletion

        found = BlockCompletion.objects.filter(user=self.user(user), block_key=usage).first()
        return None if found is None else found.completion

    def on_view(self, user, block):
        from completion.services import CompletionService

        service = CompletionService(self.user(user), block.scope_ids.usage_id.course_key)
        return service.can_mark_block_complete_on_view(block)


def play_course():
    from cultural_safety_xblock.course_units import SCENARIO_TAG, course_dir, units
    from cultural_safety_xblock.scenario.compiled import compile_source
    from tests.support.lms_standin import Lms, problem_responses_csv
    from tests.support.paths_through import walk

    completion = Completion()
    found = {}
    for unit in units(course_dir()):
        for element in unit.children:
            if element.tag != SCENARIO_TAG:
                continue
            name = element.get("url_name")
            scenario = compile_source(element).scenario
            best = [choice for _node, choice in walk(scenario, "best").path]
            worst = [choice for _node, choice in walk(scenario, "harmful").path]
            for grading in ("best_attempt", "last_attempt"):
                for practice in (False, True):
                    key = usage_key(f"{name}-{grading}-{'practice' if practice else 'graded'}")
                    lms = Lms(completion=completion.submit,
                              on_score_changed=completion.on_score_changed)
                    learner = lms.learner("learner", key, element=element, grading=grading,
                                          practice=practice, max_attempts=0, allow_back=True)
                    found[str(key)] = play_one(lms, learner, completion, best, worst,
                                               problem_responses_csv, scenario)
    return found


def play_one(lms, learner, completion, best, worst, csv, scenario):
    usage = learner.usage
    result = {"viewed": completion.on_view("learner", learner.load())}
    learner.load().student_view()
    result["after view"] = completion.of("learner", usage)
    answers = learner.play(best[:-1])
    result["before the ending"] = completion.of("learner", usage)
    answers += learner.play(best[-1:])
    result["after the best path"] = (completion.of("learner", usage),
                                     lms.grades.get(("learner", str(usage))))
    answers.append(learner.restart())
    answers += learner.play(worst)
    result["after a worse attempt"] = (completion.of("learner", usage),
                                       lms.grades.get(("learner", str(usage))))
    reflection = scenario.reflections[0].id
    answers.append(learner.call("save_reflection", {"id": reflection, "text": "SECRET words"}))
    result["statuses"] = sorted({status for status, _answer in answers})
    header, rows = csv(lms, learner.load())
    result["csv"] = {"header": header, "lengths": sorted({len(row) for row in rows}),
                     "leaks": sum("SECRET words" in json.dumps(row) for row in rows)}
    return result


def main():
    configure()
    mode = sys.argv[1] if len(sys.argv) > 1 else "course"
    if mode == "rules":
        print(json.dumps(rules()))
    else:
        print(json.dumps(play_course()))


def rules():
    """edx-completion's two rules on the block's class and instances, beside a scored block
    of XBlock's own kind without custom completion (which the rules do mark)."""
    from xblock.core import XBlock
    from xblock.scorable import ScorableXBlockMixin

    from tests.support.lms_standin import Lms

    class PlainScored(ScorableXBlockMixin, XBlock):
        """A scored block that leaves completion to the platform."""

    completion = Completion()
    found = {}
    for practice in (False, True):
        lms = Lms(completion=completion.submit, on_score_changed=completion.on_score_changed)
        key = usage_key("practice" if practice else "graded")
        block = lms.learner("learner", key, practice=practice).load()
        found["practice" if practice else "graded"] = {
            "on view": completion.on_view("learner", block),
            "has_custom_completion": getattr(type(block), "has_custom_completion", False)}
        completion.on_score_changed(str(key), "learner", str(key.course_key), block)
        found["practice" if practice else "graded"]["after a grade change"] = completion.of(
            "learner", key)
    plain_key = usage_key("plain").replace(block_type="plain_scored")
    XBlock.register_temp_plugin(PlainScored, "plain_scored")(completion.on_score_changed)(
        str(plain_key), "other", str(plain_key.course_key), None)
    found["plain scored, after a grade change"] = completion.of("other", plain_key)
    return found


if __name__ == "__main__":
    main()
