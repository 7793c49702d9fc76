"""Packaging for the cultural safety branching-scenario XBlock."""
import shutil
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).parent


def package_data(package, roots):
    """Every file under the given folders of a package, as setup() wants them."""
    base = HERE / package
    return {
        package: [
            str(path.relative_to(base))
            for root in roots
            for path in (base / root).rglob("*")
            if path.is_file()
        ]
    }


class build_py_with_course(build_py):
    """Ship the OLX course (course/) inside the package as cultural_safety_xblock/course/.

    An installed XBlock then carries the course it was built with, so that an import job (the
    Tutor plugin's) finds it in the package, with nothing copied into a container. An editable
    install reads course/ from the checkout instead.
    """

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "cultural_safety_xblock" / "course"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(HERE / "course", target, ignore=shutil.ignore_patterns(".*"))


setup(
    name="cultural-safety-xblock",
    version="0.1.0",
    description="Branching scenarios on power and cultural safety in therapy, graded in Open edX",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="AGPL-3.0",
    python_requires=">=3.11",
    packages=find_packages(include=["cultural_safety_xblock", "cultural_safety_xblock.*"]),
    package_data=package_data("cultural_safety_xblock",
                              ["templates", "static", "translations", "workbench_templates"]),
    install_requires=["XBlock>=5.0", "lxml>=5.0", "jinja2>=3.1", "nh3>=0.2.17"],
    extras_require={
        # setuptools<81: fs (pulled in by XBlock) imports pkg_resources, which setuptools 81 removed;
        # a Python 3.12 venv has no setuptools of its own and would otherwise get the newest.
        "workbench": ["xblock-sdk==0.14.0", "XBlock[django]", "openedx-django-pyfs", "setuptools<81"],
        "test": [
            "xblock-sdk==0.14.0",
            "XBlock[django]",
            "openedx-django-pyfs",
            "setuptools<81",
            "pytest>=8",
            "hypothesis>=6",
            "playwright>=1.45",
            "axe-playwright-python>=0.1.8",  # only for the axe-core script it bundles (axe.min.js)
            "olxcleaner>=0.3",
            # the platform contract tests run edx-completion's own rules (tests/support/lms_completion.py)
            "edx-completion>=4.7",
            "babel>=2.12",  # make messages: extract, update and compile the gettext catalogs
            "ruff",
        ],
    },
    cmdclass={"build_py": build_py_with_course},
    entry_points={
        "xblock.v1": ["cultural_safety_scenario = cultural_safety_xblock.block:CulturalSafetyScenarioBlock"],
        "console_scripts": ["cultural-safety = cultural_safety_xblock.cli:main"],
    },
    classifiers=[
        "Framework :: Django",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
    ],
)
