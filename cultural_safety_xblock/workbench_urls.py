"""The workbench's URLs, with an index that lists scenarios in course order (1.2 before 1.10)."""
import re

from django.conf import settings
from django.shortcuts import render
from django.urls import re_path
from django.views.static import serve
from workbench import urls as sdk_urls
from workbench.scenarios import get_scenarios

from .course_units import WORKBENCH_STATIC, course_dir


def _natural(name):
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def index(request):
    listed = [(name, scenario.description) for name, scenario in get_scenarios().items()
              if name.split(".")[0] not in settings.EXCLUDED_XBLOCKS]
    listed.sort(key=lambda item: _natural(item[0]))
    return render(request, "workbench/index.html", {"scenarios": listed})


def course_static(request, path):
    """A file of the course's static/ folder, which its html pages link as /static/NAME (the LMS
    serves it as a course asset; course_units rewrites the link to this URL)."""
    return serve(request, path, document_root=str(course_dir() / "static"))


urlpatterns = [re_path(r"^$", index, name="workbench_index"),
               re_path(rf"^{WORKBENCH_STATIC.strip('/')}/(?P<path>.+)$", course_static,
                       name="course_static"),
               *[p for p in sdk_urls.urlpatterns if getattr(p, "name", None) != "workbench_index"]]
