"""Open311's two formats: every answer is built once as plain data and written as XML or JSON.

GeoReport v2 answers a list of items under a plural root (``<services><service>…``) in XML, and
the same list as a JSON array. Values are strings, numbers, booleans, None or nested lists of
dicts (a service definition's attributes and their values). XML is built with the standard
library's ``xml.etree.ElementTree`` — never by joining strings — so a partner's text can never
break out of its element; characters XML 1.0 cannot carry (controls) were removed when the
text was cleaned on the way in. Nothing a partner sends is ever parsed as XML: requests are
form-encoded.
"""

import json
from xml.etree import ElementTree

from django.http import HttpResponse

XML = "xml"
JSON = "json"
FORMATS = (XML, JSON)

# In XML, an item of a nested list is named after its list: <attributes><attribute>…
ITEM_NAMES = {"attributes": "attribute", "values": "value", "media_urls": "media_url"}


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _fill(element: ElementTree.Element, item: dict) -> None:
    for name, value in item.items():
        child = ElementTree.SubElement(element, name)
        if isinstance(value, list):
            for entry in value:
                grandchild = ElementTree.SubElement(child, ITEM_NAMES.get(name, name))
                if isinstance(entry, dict):
                    _fill(grandchild, entry)
                else:
                    grandchild.text = _text(entry)
        elif isinstance(value, dict):
            _fill(child, value)
        else:
            child.text = _text(value)


def to_xml(root: str, item_name: str, items: list[dict]) -> bytes:
    element = ElementTree.Element(root)
    for item in items:
        _fill(ElementTree.SubElement(element, item_name), item)
    return ElementTree.tostring(element, encoding="utf-8", xml_declaration=True)


def respond(
    fmt: str, root: str, item_name: str, items: list[dict] | dict, *, status: int = 200
) -> HttpResponse:
    """``items`` (a list, or one object: a service definition) in ``fmt``."""
    if fmt == JSON:
        body = json.dumps(items, ensure_ascii=False, separators=(",", ":"))
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    elif isinstance(items, dict):
        element = ElementTree.Element(root)
        _fill(element, items)
        response = HttpResponse(
            ElementTree.tostring(element, encoding="utf-8", xml_declaration=True),
            content_type="text/xml; charset=utf-8",
        )
    else:
        response = HttpResponse(
            to_xml(root, item_name, items), content_type="text/xml; charset=utf-8"
        )
    response.status_code = status
    return response


def errors(fmt: str, status: int, descriptions: list[str]) -> HttpResponse:
    """The spec's error answer: ``<errors><error><code/><description/></error></errors>``."""
    items = [{"code": status, "description": text} for text in descriptions]
    return respond(fmt, "errors", "error", items, status=status)
