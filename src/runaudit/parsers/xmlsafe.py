"""Safe XML parsing: no DTDs, no entity expansion, no external entities.

Activity XML never needs a DTD, so any document that declares one is refused
before a parser expands anything (billion laughs, XXE).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import defusedxml
import defusedxml.ElementTree as SafeET

from ..errors import ParseError


def clean_xml_bytes(data: bytes) -> bytes:
    """Strip a BOM and the whitespace some exporters put before ``<?xml``."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.lstrip()


def parse_xml(data: bytes, what: str) -> ET.Element:
    """Parse XML bytes safely and return the root element.

    Raises
    ------
    ParseError
        For a DTD or entity declaration ("refused for safety") and for
        malformed XML, naming ``what`` ("GPX", "TCX").
    """
    try:
        return SafeET.fromstring(
            clean_xml_bytes(data), forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except defusedxml.DTDForbidden as err:
        raise ParseError(
            f"{what} declares a DTD; refused for safety (entity expansion/XXE)"
        ) from err
    except (defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden) as err:
        raise ParseError(f"{what} declares XML entities; refused for safety") from err
    except ET.ParseError as err:
        raise ParseError(f"malformed {what} ({err})") from err


def local_name(tag: str) -> str:
    """Return a tag without its ``{namespace}``.

    >>> local_name("{http://www.topografix.com/GPX/1/1}trkpt")
    'trkpt'
    """
    return tag.rsplit("}", 1)[-1]
