"""Per-record state while a mapping runs: the draft of the entity and the record's issues."""

from __future__ import annotations

from typing import Any

from crisbridge.issues import Issue, Severity

_PREFIXES = {
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://www.openarchives.org/OAI/2.0/oai_dc/": "oai_dc",
    "http://www.openarchives.org/OAI/2.0/": "oai",
    "http://namespace.openaire.eu/schema/oaire/": "oaire",
    "http://purl.org/dc/terms/": "dcterms",
    "http://www.w3.org/XML/1998/namespace": "xml",
}


# The last leaf text normalised, as (raw, normalised): collapsing the spaces of a long
# abstract is what costs. Keyed by the raw text, so it can never answer for other text; one
# tuple, replaced whole, so threads are safe.
_last_text: tuple[str, str] = ("", "")


def text_of(el: Any) -> str:
    """The element's text with runs of white space collapsed (``" ".join(text.split())``)."""
    global _last_text
    if len(el):
        value = "".join(el.itertext())
        return " ".join(value.split()) if value else ""
    raw = el.text
    if not raw:
        return ""
    last = _last_text
    if last[0] == raw:
        return last[1]
    value = " ".join(raw.split())
    _last_text = (raw, value)
    return value


class Context:
    """Collects the draft and the issues for one record."""

    __slots__ = ("file", "record", "issues", "draft", "claimed", "root", "_text")

    def __init__(self, file: str, record: str, root: Any) -> None:
        self.file = file
        self.record = record
        self.root = root
        self.issues: list[Issue] = []
        self.draft: dict[str, Any] = {}
        self.claimed: set[Any] = set()
        self._text: tuple[Any, str] | None = None

    def text(self, el: Any) -> str:
        """``text_of(el)``, read once per element: the rules of a group, and the engine
        before them, ask for the same element's text in turn (the record is not changed
        while it is mapped, so the element's text stays what it was)."""
        last = self._text
        if last is not None and last[0] is el:
            return last[1]
        value = text_of(el)
        self._text = (el, value)
        return value

    def issue(
        self,
        severity: Severity,
        code: str,
        message: str,
        el: Any = None,
        value: str | None = None,
        step: str | None = None,
    ) -> None:
        """``step`` is a last step below ``el`` for the XPath: an attribute (``@titleType``) or
        ``text()``, when the issue is about that part of the element."""
        xpath = None if el is None else _relative_xpath(el, self.root)
        if step is not None and xpath is not None:
            xpath += "/" + step
        location = {
            "file": self.file,
            "record": self.record,
            "xpath": xpath,
            "line": None if el is None else el.sourceline or None,
            "value": value,
        }
        # validated as Issue(...) would be, from one dict (pydantic's validator called
        # directly costs half of the two constructors, on a path taken for most values)
        self.issues.append(_validate_issue({"code": code, "severity": severity, "message": message, "location": location}))


_validate_issue = Issue.__pydantic_validator__.validate_python


# Clark tag -> the step's name in an issue's XPath. Real records use a handful of tags per
# format; the bound keeps a hostile input with endless distinct tags from growing it.
_STEP_NAMES: dict[str, str] = {}
_STEP_NAMES_MAX = 4096


def _step_name(tag: str) -> str:
    name = _STEP_NAMES.get(tag)
    if name is None:
        ns, _, local = tag[1:].partition("}") if tag[:1] == "{" else ("", "", tag)
        prefix = _PREFIXES.get(ns) or ("datacite" if ns.startswith("http://datacite.org/schema/kernel") else None)
        name = f"{prefix}:{local}" if prefix else local
        if len(_STEP_NAMES) < _STEP_NAMES_MAX:
            _STEP_NAMES[tag] = name
    return name


def _relative_xpath(el: Any, root: Any) -> str:
    """``/oai_dc:dc/dc:relation[2]``: a step per element from the record's root down to
    ``el``, with a position where the element has siblings of the same name. The siblings
    are counted by lxml (``itersiblings`` with a tag filter), not in Python."""
    parent = el.getparent()
    if parent is root and root is not None:  # the common case: a child of the record's root
        tag = el.tag
        name = _step_name(tag)
        before = sum(1 for _ in el.itersiblings(tag, preceding=True))
        if before or next(el.itersiblings(tag), None) is not None:
            name += f"[{before + 1}]"
        return f"/{_step_name(root.tag)}/{name}"
    steps: list[str] = []
    node = el
    while node is not None:
        tag = node.tag
        name = _step_name(tag)
        parent = node.getparent()
        if parent is not None and node is not root:
            before = sum(1 for _ in node.itersiblings(tag, preceding=True))
            if before or next(node.itersiblings(tag), None) is not None:
                name += f"[{before + 1}]"
        steps.append(name)
        if node is root:
            break
        node = parent
    return "/" + "/".join(reversed(steps))
