"""Story bodies: what staff type (plain text with light marks, or pasted HTML) becomes safe HTML.

Only ``h2 h3 p strong em ul ol li blockquote a[href] br`` survive nh3; scripts and styles are
dropped with their content, every ``on…`` attribute and every ``javascript:``/``data:`` link goes,
and links get ``rel="noopener noreferrer nofollow"``. The stored body is always the sanitised
HTML, so a page renders it with ``|safe`` and nothing else has to be trusted.
"""

from __future__ import annotations

import html
import re

import nh3

TAGS = {"h2", "h3", "p", "strong", "em", "ul", "ol", "li", "blockquote", "a", "br"}
ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template", "textarea", "select"}
_LOOKS_HTML = re.compile(
    r"<\s*/?\s*(h[1-6]|p|div|br|strong|em|b|i|ul|ol|li|blockquote|a|span|script|style|iframe|img|svg)\b", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def sanitise(value: str) -> str:
    """Strip *value* (HTML) down to the allowed tags and attributes."""
    return nh3.clean(value, tags=TAGS, clean_content_tags=DROPPED_WITH_CONTENT, attributes=ATTRIBUTES,
                     attribute_filter=_only_allowed, url_schemes=URL_SCHEMES, generic_attribute_prefixes=set(),
                     link_rel=LINK_REL, strip_comments=True).strip()


def _only_allowed(tag: str, attribute: str, value: str) -> str | None:
    """nh3 keeps a few generic attributes (title, lang) by default; only ``a[href]`` stays here."""
    if tag == "a" and attribute == "rel" and value == LINK_REL:
        return value  # the rel nh3 adds itself
    return value if attribute in ATTRIBUTES.get(tag, ()) else None


def _inline(text: str) -> str:
    """Escape a line and turn **bold** into <strong>."""
    escaped = html.escape(text, quote=False)
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escaped)


def text_to_html(text: str) -> str:
    """Plain text with light marks to HTML: ``## `` / ``### `` headings, ``- `` list items, ``> ``
    quotes, blank lines between paragraphs, single line breaks kept."""
    out: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if paragraph:
            out.append("<p>" + "<br>".join(_inline(line) for line in paragraph) + "</p>")
            paragraph.clear()
        if items:
            out.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("### "):
            flush()
            out.append(f"<h3>{_inline(line[4:].strip())}</h3>")
        elif line.startswith("## "):
            flush()
            out.append(f"<h2>{_inline(line[3:].strip())}</h2>")
        elif line.startswith(("- ", "• ")):
            if paragraph:
                flush()
            items.append(line[2:].strip())
        elif line.startswith("> "):
            flush()
            out.append(f"<blockquote><p>{_inline(line[2:].strip())}</p></blockquote>")
        else:
            if items:
                flush()
            paragraph.append(line)
    flush()
    return "\n".join(out)


def clean_body(value: str) -> str:
    """The stored form of a typed or pasted body: HTML is sanitised, plain text converted first."""
    value = (value or "").strip()
    if not value:
        return ""
    return sanitise(value if _LOOKS_HTML.search(value) else text_to_html(value))


def plain_text(value: str) -> str:
    """The words of a stored body without tags (for excerpts, feeds' summaries and search)."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", value or ""))).strip()


def excerpt(value: str, length: int = 120) -> str:
    text = plain_text(value)
    return text if len(text) <= length else text[: length - 1] + "…"
