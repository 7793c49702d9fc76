"""The block's own gettext catalogs, and an i18n service that reads them.

Open edX finds the catalogs itself: its XBlockI18nService loads
``<package>/translations/<locale>/LC_MESSAGES/text.mo`` (the bundled layout, domain "text")
for the language of the request, so in the LMS and Studio ``block.gettext`` reads our catalog.
The xblock-sdk workbench has no such service (its i18n service is Django's own catalog), so
the workbench settings and the in-process tests install ``CatalogI18nService`` instead.

Catalogs are made with ``make messages`` (Babel: extract, update, compile); see
``translations/README.md``.
"""
import gettext
from functools import lru_cache
from pathlib import Path

from xblock.runtime import NullI18nService

DOMAIN = "text"
LOCALE_DIR = Path(__file__).resolve().parent / "translations"
DEFAULT_LANGUAGE = "en"


def to_locale(language):
    """A language code as gettext names its folders: "fr-ca" -> "fr_CA", "pt-br" -> "pt_BR"."""
    language = (language or DEFAULT_LANGUAGE).replace("_", "-")
    code, _, region = language.partition("-")
    if not region:
        return code.lower()
    return f"{code.lower()}_{region.title() if len(region) > 2 else region.upper()}"


@lru_cache(maxsize=32)
def catalog(language):
    """The translations for a language (its region falls back to the bare language; English
    and unknown languages give the messages as written)."""
    return gettext.translation(DOMAIN, str(LOCALE_DIR), [to_locale(language)], fallback=True)


def languages():
    """Language folders that ship a compiled catalog, e.g. ["fr"]."""
    return sorted(path.parent.parent.name for path in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))


def _active_django_language():
    try:
        from django.utils import translation
    except ImportError:
        return None
    return translation.get_language()


class CatalogI18nService(NullI18nService):
    """The runtime "i18n" service, reading the block's catalog.

    With no ``language`` it follows Django's active language (what LocaleMiddleware chose for
    the request), as the LMS's service does; with one, it always speaks that language.
    """

    def __init__(self, language=None):  # noqa: D107 - no super(): its catalog is not ours
        self.language = language

    @property
    def _translations(self):
        """Looked up on each use: the language may change from one request to the next."""
        return catalog(self.language or _active_django_language() or DEFAULT_LANGUAGE)
