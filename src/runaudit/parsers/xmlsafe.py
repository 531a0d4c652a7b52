"""Safe XML parsing: no DTDs, no entity expansion, no external entities.

Activity XML never needs a DTD, so any document that declares one is refused
before a parser expands anything (billion laughs, XXE).

The bytes are decoded to text exactly once, here (byte-order mark, UTF-16
without a BOM, or the encoding the XML declaration names), and that one text
is what the safe parser sees: no second parser ever reads the raw bytes
differently. Leading whitespace and the XML declaration are dropped, which
is what lets Strava's TCX files (whitespace before ``<?xml``) and UTF-16 GPX
files parse.
"""

from __future__ import annotations

import codecs
import re
import xml.etree.ElementTree as ET

import defusedxml
import defusedxml.ElementTree as SafeET

from ..errors import ParseError

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


def local_name(tag: str) -> str:
    """Return a tag without its ``{namespace}``.

    >>> local_name("{http://www.topografix.com/GPX/1/1}trkpt")
    'trkpt'
    """
    return tag.rsplit("}", 1)[-1]
