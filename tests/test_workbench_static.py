"""The course's images in the workbench: an html page's "/static/NAME" (which the LMS rewrites to
the course's asset) is served from the course's static/ folder, so the welcome unit's image shows
in the workbench as in the LMS."""
import re

import pytest

from cultural_safety_xblock.course_units import course_dir, units

pytestmark = pytest.mark.integration
IMAGE = re.compile(r'<img[^>]+src="([^"]+)"')


def unit_with_an_image():
    """(position in the course, the html's /static/ file name) of the first unit with an image."""
    for number, unit in enumerate(units()):
        for child in unit.children:
            found = IMAGE.search(child.text or "") if child.tag == "html" else None
            if found and found.group(1).startswith("/static/"):
                return number, found.group(1).removeprefix("/static/")
    raise AssertionError("no course page shows an image from /static/")


def test_the_welcome_units_image_is_served_in_the_workbench(django_client):
    number, name = unit_with_an_image()
    page = django_client.get(f"/scenario/cultural_safety_scenario.{number}/").content.decode()
    sources = IMAGE.findall(page)
    assert f"/course_static/{name}" in sources, sources
    image = django_client.get(f"/course_static/{name}")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert b"".join(image.streaming_content) == (course_dir() / "static" / name).read_bytes()


@pytest.mark.parametrize("path", ["../course.xml", "nothing.png", "%2e%2e/course.xml"])
def test_only_files_of_the_courses_static_folder_are_served(django_client, path):
    assert django_client.get(f"/course_static/{path}").status_code in (400, 404)   # 400: outside


def test_the_courses_own_html_keeps_the_link_the_lms_rewrites():
    _number, name = unit_with_an_image()
    pages = [p.read_text(encoding="utf-8") for p in (course_dir() / "html").glob("*.html")]
    assert any(f'src="/static/{name}"' in page for page in pages)


@pytest.mark.browser
def test_the_welcome_image_loads_in_a_browser(page, workbench_server):
    number, name = unit_with_an_image()
    page.goto(f"{workbench_server}/scenario/cultural_safety_scenario.{number}/")
    image = page.locator(f"img[src='/course_static/{name}']")
    image.wait_for()
    page.wait_for_function("(img) => img.complete", arg=image.element_handle())
    assert image.evaluate("(img) => img.naturalWidth") > 0
