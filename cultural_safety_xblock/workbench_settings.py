"""Django settings for the local xblock-sdk workbench (never imported by the XBlock itself).

Builds on the sdk's own ``workbench.settings`` and changes only what a local run needs:

- every file the workbench writes (sqlite database, log, django-pyfs files) lives in one folder,
  ``var/`` under the current working directory, or ``$CULTURAL_SAFETY_VAR_DIR`` when set
  (the sdk would otherwise write ``workbench/static/djpyfs`` into the working directory);
- it answers on loopback host names only;
- the sdk's sample blocks are left out of the index page unless
  ``CULTURAL_SAFETY_WORKBENCH_SAMPLES=1`` (their scenarios still load and answer by URL).

``WORKBENCH_DATABASES`` (a JSON ``DATABASES`` dict) still overrides the database, as in the sdk.
"""
import os
from pathlib import Path

from workbench.settings import *  # noqa: F403  (the sdk's settings are the base)
from workbench.settings import DATABASES as _SDK_DATABASES
from workbench.settings import LOGGING as _SDK_LOGGING
from workbench.settings import TEMPLATES as _SDK_TEMPLATES

VAR_DIR = Path(os.environ.get("CULTURAL_SAFETY_VAR_DIR") or "var").resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

if "WORKBENCH_DATABASES" in os.environ:
    DATABASES = _SDK_DATABASES
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "workbench.db"),
            # Parallel handler calls from the browser: wait for the lock instead of failing.
            "OPTIONS": {"timeout": 20},
        }
    }

LOGGING = {
    **_SDK_LOGGING,
    "handlers": {
        **_SDK_LOGGING["handlers"],
        "logfile": {**_SDK_LOGGING["handlers"]["logfile"], "filename": str(VAR_DIR / "workbench.log")},
    },
}

DJFS = {"type": "osfs", "directory_root": str(VAR_DIR / "djpyfs"), "url_root": "/static/djpyfs"}

# The workbench is a local tool: only loopback names. DEBUG stays on, as in the sdk, because
# that is what makes runserver serve the workbench's static files.
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
DEBUG = True

SDK_SAMPLE_XBLOCKS = frozenset({
    "allscopes_demo",
    "attempts_scoreboard_demo",
    "equality_demo",
    "filethumbs",
    "helloworld_demo",
    "html_demo",
    "problem_demo",
    "sidebar_demo",
    "slider_demo",
    "textinput_demo",
    "thumbs",
    "view_counter_demo",
})
if os.environ.get("CULTURAL_SAFETY_WORKBENCH_SAMPLES", "") in ("1", "true", "yes"):
    EXCLUDED_XBLOCKS = set()
else:
    EXCLUDED_XBLOCKS = set(SDK_SAMPLE_XBLOCKS)
ROOT_URLCONF = "cultural_safety_xblock.workbench_urls"

# Languages, as in the LMS: Django picks the request's language (browser Accept-Language, or the
# django_language cookie) and the block's i18n service reads our catalog in that language.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
MIDDLEWARE = [
    *MIDDLEWARE[:MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1],  # noqa: F405
    "django.middleware.locale.LocaleMiddleware",
    *MIDDLEWARE[MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1:],  # noqa: F405
]
WORKBENCH = {
    **WORKBENCH,  # noqa: F405
    "services": {**WORKBENCH["services"], "i18n": "cultural_safety_xblock.i18n.CatalogI18nService"},  # noqa: F405
}

# The learner's page without the sdk's debug panel, which prints the scenario's OLX (ratings,
# points and targets included) under every block.
TEMPLATES = [{**_SDK_TEMPLATES[0],
              "DIRS": [str(Path(__file__).parent / "workbench_templates"), *_SDK_TEMPLATES[0]["DIRS"]]},
             *_SDK_TEMPLATES[1:]]
