"""Safe XML parsing: no DTDs, no entity expansion, no external entities.

Activity XML never needs a DTD, so any document that declares one is refused
before a parser expands anything (billion laughs, XXE).

The bytes are decoded to text exactly once, here (byte-order mark, UTF-16
without a BOM, or the encoding the XML declaration names), and that one text
is what the safe parser sees: no second parser ever reads the raw bytes
differently. Leading whitespace and the XML declaration are dropped, which
is what lets Strava's TCX files (whitespace before ``<?xml``) and UTF-16 GPX
files parse.

Two parsers read that text: defusedxml's expat (:func:`parse_xml`, for the
gpxpy-based GPX reader and the general TCX reader) and libxml2 through lxml
(:func:`parse_fast_xml`, for the one-pass GPX and TCX readers). The second
never sees a DTD either: a ``<!DOCTYPE`` anywhere in the text sends the file
to the first before libxml2 reads a byte, and libxml2 runs with entity
substitution, DTD loading and network access off and its default depth and
size limits on.
"""

from __future__ import annotations

import codecs
import re
import xml.etree.ElementTree as ET

import defusedxml
import defusedxml.ElementTree as SafeET
from lxml import etree

from runaudit.errors import ParseError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
#: The encoding named by an XML declaration; only the first bytes are searched.
_DECLARED = re.compile(
    rb"""\A\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']"""
)
#: The XML declaration itself (anchored, so matching is linear).
_DECLARATION = re.compile(r"\A<\?xml[^>]{0,500}\?>")
#: Encodings never honoured from a declaration (they can smuggle markup).
_REFUSED_CODECS = {"utf-7"}


def xml_encoding(data: bytes) -> str:
    """Return the Python codec to decode XML bytes with.

    A byte-order mark wins; then UTF-16 recognised by its zero bytes (XML 1.0
    appendix F); then the declaration's ``encoding="..."`` when Python knows
    it as a text encoding; else UTF-8.

    >>> xml_encoding(b'<?xml version="1.0" encoding="ISO-8859-1"?><gpx/>')
    'iso8859-1'
    >>> xml_encoding("<gpx/>".encode("utf-16-le"))
    'utf-16-le'
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    head = data[:2]
    if len(head) == 2 and head[0] != 0 and head[1] == 0:
        return "utf-16-le"
    if len(head) == 2 and head[0] == 0 and head[1] != 0:
        return "utf-16-be"
    match = _DECLARED.match(data[:512])
    if match:
        try:
            info = codecs.lookup(match.group(1).decode("ascii"))
        except LookupError:
            return "utf-8"
        # A declaration of UTF-16/32 in bytes that read as ASCII is a lie: use UTF-8.
        wide = info.name.startswith(("utf-16", "utf-32"))
        text_codec = getattr(info, "_is_text_encoding", True)
        if text_codec and not wide and info.name not in _REFUSED_CODECS:
            return info.name
    return "utf-8"


def decode_xml(data: bytes) -> str:
    """Decode XML bytes to text without BOM, leading whitespace or XML declaration.

    Undecodable bytes become U+FFFD instead of failing the whole file.

    >>> decode_xml(b'\\xef\\xbb\\xbf\\n  <?xml version="1.0"?>\\n<gpx/>')
    '<gpx/>'
    """
    text = data.decode(xml_encoding(data), errors="replace")
    text = text.lstrip("\ufeff \t\r\n")
    match = _DECLARATION.match(text)
    if match:
        text = text[match.end() :].lstrip(" \t\r\n")
    return text


def parse_xml(data: bytes, what: str) -> ET.Element:
    """Parse XML bytes safely and return the root element.

    Raises
    ------
    ParseError
        For a DTD or entity declaration ("refused for safety") and for
        malformed XML, naming ``what`` ("GPX", "TCX").
    """
    text = decode_xml(data)
    try:
        return SafeET.fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DTDForbidden as err:
        raise ParseError(
            f"{what} declares a DTD; refused for safety (entity expansion/XXE)"
        ) from err
    except (defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden) as err:
        raise ParseError(f"{what} declares XML entities; refused for safety") from err
    except ET.ParseError as err:
        raise ParseError(f"malformed {what} ({err})") from err
    except (ValueError, LookupError) as err:  # expat on odd encodings or characters
        raise ParseError(f"malformed {what} ({err})") from err


class Unusual(Exception):
    """The file is not the plain case a one-pass reader handles; the caller falls back."""


def parse_fast_xml(data: bytes, *, keep_blank_text: bool = False) -> etree._Element:
    """Parse XML bytes with libxml2 (lxml) and return the root element.

    The text of :func:`decode_xml`, encoded as UTF-8, is parsed with entity
    substitution, DTD loading and network access off and libxml2's limits on
    (depth 256, 10 MB per text node); comments and processing instructions
    are dropped, so an element's ``text`` is all its character data up to
    its first child element, as expat reports it. In a document without
    comments, CDATA sections or processing instructions, white space that
    stands alone before a child element is dropped too (libxml2 builds the
    tree a third faster): there an element with children may have ``text``
    None where expat reports the white space (``keep_blank_text`` keeps it).

    Raises
    ------
    Unusual
        For a ``<!DOCTYPE`` anywhere in the text (refused before parsing, so
        nothing is expanded or fetched), malformed XML, and anything libxml2
        reports as an error (an undeclared namespace prefix, nesting beyond
        its limit...): the caller reads such files with :func:`parse_xml`,
        which words the error.
    """
    ascii_xml = _ascii_xml(data)
    if ascii_xml is not None:
        raw, start = ascii_xml
    else:  # not plain ASCII: decode, check the names, encode as UTF-8
        start = 0
        text = decode_xml(data)
        if not text.isascii() and _non_ascii_name(text):
            raise Unusual("a non-ASCII name (expat and libxml2 allow different ones)")
        try:
            raw = text.encode("utf-8")
        except UnicodeEncodeError as err:
            raise Unusual(f"text not encodable as UTF-8 ({err.reason})") from err
    # "<!" or "<?" after the declaration: a DOCTYPE, comment, CDATA section or PI.
    marked = _MARKUP_DECLARATION.search(raw, start) is not None
    if marked and b"<!DOCTYPE" in raw:
        raise Unusual("a DOCTYPE (refused by parse_xml)")
    parser = etree.XMLParser(
        # Only where nothing but the white space separates text from a child
        # element does dropping it leave every element's text as it was.
        remove_blank_text=not (marked or keep_blank_text),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )
    try:
        root = etree.fromstring(raw, parser)
    except (etree.XMLSyntaxError, ValueError, LookupError) as err:
        raise Unusual(f"libxml2: {err}") from err
    if root is None or parser.error_log.filter_from_errors():
        raise Unusual("libxml2 reported an error")
    if root.getroottree().docinfo.internalDTD is not None:  # defensive: no DOCTYPE got here
        raise Unusual("a DTD")
    return root


_MARKUP_DECLARATION = re.compile(rb"<[!?]")
#: Codecs that read ASCII bytes as ASCII (what xml_encoding may name for them).
_ASCII_SUPERSETS = frozenset({"utf-8", "ascii", "iso8859-1", "cp1252"})
_BYTES_DECLARATION = re.compile(rb"\A<\?xml[^>]{0,500}\?>")
#: A declaration libxml2 reads exactly as decode_xml's dropping it would.
_PLAIN_DECLARATION = re.compile(
    rb"""<\?xml\s+version\s*=\s*(["'])1\.0\1"""
    rb"""(?:\s+encoding\s*=\s*(["'])(?i:utf-8|us-ascii|iso-8859-1)\2)?"""
    rb"""(?:\s+standalone\s*=\s*(["'])(?:yes|no)\3)?\s*\?>"""
)


def _ascii_xml(data: bytes) -> tuple[bytes, int] | None:
    """For ASCII bytes: what libxml2 may read, and where :func:`decode_xml`'s text starts.

    The bytes are ``data`` itself (no copy) when it starts with a plain XML
    declaration libxml2 reads the same way (version 1.0, an encoding that
    reads ASCII as ASCII); else the text of :func:`decode_xml`, as bytes.
    None for bytes that are not ASCII or that the declaration says to read
    otherwise (EBCDIC...).

    >>> _ascii_xml(b'<?xml version="1.0" encoding="UTF-8"?>\\n<gpx/>')
    (b'<?xml version="1.0" encoding="UTF-8"?>\\n<gpx/>', 38)
    >>> _ascii_xml(b'\\n <?xml version="1.0" encoding="UTF-8"?>\\n<gpx/>')
    (b'<gpx/>', 0)
    >>> _ascii_xml(b'<?xml version="1.0" encoding="cp500"?><gpx/>') is None
    True
    """
    if not data.isascii() or xml_encoding(data) not in _ASCII_SUPERSETS:
        return None
    plain = _PLAIN_DECLARATION.match(data)
    if plain:
        return data, plain.end()
    raw = data.lstrip(b" \t\r\n")
    match = _BYTES_DECLARATION.match(raw)
    return (raw[match.end() :].lstrip(b" \t\r\n") if match else raw), 0


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-")
_ATTRIBUTE_AFTER = re.compile(r"[^\s=<>\"'/]*\s*=")


def _non_ascii_name(text: str) -> bool:
    """Whether a non-ASCII character may stand in a name (element, attribute, entity, PI).

    There libxml2 follows the fifth edition of XML 1.0 and expat an earlier
    one, so the two parsers disagree on which documents are well-formed;
    text content and attribute values they read alike. Looks only around
    each non-ASCII run (linear time); a false alarm costs only the fallback.

    >>> _non_ascii_name('<name a="Lauf \u00e4">Lauf \u00e4 \U0001f3c3</name>')
    False
    >>> _non_ascii_name('<n\u00e4me>x</n\u00e4me>'), _non_ascii_name('<a b\u00e4 = "1"/>')
    (True, True)
    """
    for match in _NON_ASCII.finditer(text):
        start = match.start()
        while start > 0 and text[start - 1] in _NAME_CHARS:
            start -= 1
        if start > 0 and text[start - 1] in "</?&":
            return True
        if start > 0 and text[start - 1].isspace() and _ATTRIBUTE_AFTER.match(text, match.end()):
            return True
    return False


def local_name(tag: str) -> str:
    """Return a tag without its ``{namespace}``.

    >>> local_name("{http://www.topografix.com/GPX/1/1}trkpt")
    'trkpt'
    """
    return tag.rsplit("}", 1)[-1]
