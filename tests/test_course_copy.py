"""course_copy: the course under an operator's key, as `manage.py cms import` will read it."""
import json
import shutil

import pytest

from cultural_safety_xblock.course_copy import CourseKey, key_of, keyed_copy, main
from cultural_safety_xblock.course_package import CourseProblems, check
from tests.support.paths import REPO_ROOT

COURSE = REPO_ROOT / "course"


def test_a_copy_under_a_new_key_is_read_by_the_importer_under_that_key(tmp_path):
    copy = keyed_copy("course-v1:Acme+CS9+2027_T1", tmp_path, COURSE)
    assert key_of(copy) == CourseKey("Acme", "CS9", "2027_T1")
    policy = json.loads((copy / "policies" / "2027_T1" / "policy.json").read_text())
    assert list(policy) == ["course/2027_T1"]
    assert "cultural_safety_scenario" in policy["course/2027_T1"]["advanced_modules"]
    assert not (copy / "policies" / key_of(COURSE).run).exists()
    assert check(copy) == []


def test_a_copy_under_the_courses_own_run_keeps_its_files(tmp_path):
    run = key_of(COURSE).run
    copy = keyed_copy(f"course-v1:Acme+CS9+{run}", tmp_path, COURSE)
    assert key_of(copy) == CourseKey("Acme", "CS9", run)
    assert (copy / "policies" / run / "policy.json").read_bytes() == \
        (COURSE / "policies" / run / "policy.json").read_bytes()


def test_copying_twice_under_one_key_gives_one_folder(tmp_path):
    first = keyed_copy("course-v1:Acme+CS9+2027", tmp_path, COURSE)
    (first / "stale.txt").write_text("left from the first run")
    second = keyed_copy("course-v1:Acme+CS9+2027", tmp_path, COURSE)
    assert first == second and not (second / "stale.txt").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["Acme-CS9-2027"]


@pytest.mark.parametrize("text", ["Acme/CS9/2027", "course-v1:Acme+CS9", "course-v1:Acme+CS 9+2027",
                                  "course-v1:Acme+CS9+2027+x", "course-v1:Ac'me+CS9+2027", ""])
def test_a_key_not_of_the_course_v1_form_is_refused(text):
    with pytest.raises(ValueError, match=r"is not of the form course-v1:ORG\+NUMBER\+RUN"):
        CourseKey.parse(text)


def test_a_course_with_problems_is_not_copied(tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(COURSE, broken)
    (broken / "static" / "course_image.png").unlink()
    with pytest.raises(CourseProblems) as raised:
        keyed_copy("course-v1:Acme+CS9+2027", tmp_path / "out", broken)
    assert any("course_image" in problem for problem in raised.value.problems)
    assert not (tmp_path / "out").exists()


def test_the_command_prints_the_folder_or_says_why_nothing_was_imported(tmp_path, capsys):
    assert main(["course-v1:Acme+CS9+2027", str(tmp_path), "--course", str(COURSE)]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "Acme-CS9-2027")
    broken = tmp_path / "broken"
    shutil.copytree(COURSE, broken)
    (broken / "static" / "course_image.png").unlink()
    assert main(["course-v1:Acme+CS9+2027", str(tmp_path), "--course", str(broken)]) == 2
    error = capsys.readouterr().err
    assert "has problems; nothing was imported" in error and "course_image" in error
