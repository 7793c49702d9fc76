"""Parse XML text safely: UTF-8 only, size-limited, DTDs and entities refused before parsing.

The parser itself has entities, DTD loading and the network off as well, so nothing is ever
expanded or fetched; errors come back as problems with line numbers.
"""
import re

from lxml import etree

from .problems import N_, problem

MAX_BYTES = 1_000_000
MAX_DEPTH = 24

_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_ENCODING = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?\bencoding\s*=\s*[\"']([^\"']*)",
                       re.IGNORECASE)
_UTF8_NAMES = (b"utf-8", b"utf8", b"us-ascii", b"ascii")


def safe_parser():
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )

def parse_xml_text(text):
    """Parse text into an element tree safely; returns (root, problems)."""
    data, refused = checked_bytes(text)
    if refused:
        return None, refused
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as error:
        if "Excessive depth" in (error.msg or ""):
            return None, [problem(
                "too-deep", N_("document"), N_("elements are nested more than {limit} deep"),
                N_("flatten the HTML"), line=error.lineno, limit=MAX_DEPTH)]
        return None, [problem(
            "xml-syntax", N_("document"), N_("the XML is not well formed: {message}"),
            N_("fix the XML at this line (unclosed tag, stray '<' or '&')"),
            line=error.lineno, message=error.msg)]
    return root, []


def checked_bytes(text):
    """(UTF-8 bytes, []) of a text fit to parse, or (None, [the problem]) if it is refused."""
    # a lone surrogate passes into the bytes, which are then refused as not UTF-8
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text)
    if len(data) > MAX_BYTES:
        return None, [problem(
            "too-large", N_("document"),
            N_("the scenario is {size} bytes, over the limit of {limit}"),
            N_("split it into several scenarios"), size=len(data), limit=MAX_BYTES)]
    # Only UTF-8 is read, so the byte scan for declarations below cannot be dodged by
    # writing the document in UTF-16, UTF-32 or EBCDIC.
    declared = _ENCODING.match(data)
    if (declared and declared.group(1).strip().lower() not in _UTF8_NAMES) or not _is_utf8(data):
        return None, [problem(
            "not-utf8", N_("document"), N_("the text is not UTF-8 ({encoding})"),
            N_("save it as UTF-8, with no other encoding declared"),
            encoding=declared.group(1).decode("ascii", "replace")[:20] if declared else "bytes")]
    found = _DECLARATION.search(data)
    if found:
        line = data[: found.start()].count(b"\n") + 1
        return None, [problem(
            "dtd-refused", N_("document"),
            N_("a <!{kind}> declaration is not allowed (DTDs and entities are never expanded)"),
            N_("remove the declaration and write the text out"), line=line,
            kind=found.group(1).decode().upper())]
    return data, []


def _is_utf8(data):
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in data
