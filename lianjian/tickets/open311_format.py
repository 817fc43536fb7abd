"""Open311 GeoReport v2 documents in JSON and XML: one Python structure, two renderings.

Every document is built as plain data (lists of dicts with str/int/float/bool/None values); the
XML rendering wraps lists in the spec's element names (``services``/``service``,
``service_requests``/``request``, ``errors``/``error``) and is made with xml.etree, so every text
is escaped. Datetimes are W3C (ISO 8601 with the zone, e.g. ``2026-11-30T10:00:00+08:00``).
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

from lianjian.core.text import printable

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"

# A list's element name → the element name of each item in XML.
ITEMS = {"services": "service", "service_requests": "request", "errors": "error", "attributes": "attribute",
         "values": "value", "endpoints": "endpoint", "formats": "format"}


def w3c(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(printable(str(value)))


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, list):
        child = ITEMS.get(element.tag, "item")
        for item in value:
            _fill(ET.SubElement(element, child), item)
    else:
        element.text = _text(value)


def to_xml(root: str, value: Any) -> bytes:
    element = ET.Element(root)
    _fill(element, value)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="utf-8",
                                                                      xml_declaration=False)


def respond(fmt: str, root: str, value: Any, *, status: int = 200) -> HttpResponse:
    """*value* as JSON, or as XML under the element *root*."""
    if fmt == "xml":
        response = HttpResponse(to_xml(root, value), content_type=XML_TYPE, status=status)
    else:
        response = HttpResponse(json.dumps(value, ensure_ascii=False), content_type=JSON_TYPE, status=status)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def errors(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    """The spec's error array: ``[{"code": 400, "description": "…"}]`` / ``<errors><error>…``."""
    return respond(fmt, "errors", [{"code": status, "description": str(d)} for d in descriptions], status=status)
