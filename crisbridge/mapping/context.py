"""Per-record state while a mapping runs: the draft of the entity and the record's issues."""

from __future__ import annotations

from typing import Any

from lxml import etree

from crisbridge.issues import Issue, Location, Severity

_PREFIXES = {
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://www.openarchives.org/OAI/2.0/oai_dc/": "oai_dc",
    "http://www.openarchives.org/OAI/2.0/": "oai",
    "http://namespace.openaire.eu/schema/oaire/": "oaire",
    "http://purl.org/dc/terms/": "dcterms",
    "http://www.w3.org/XML/1998/namespace": "xml",
}


class Context:
    """Collects the draft and the issues for one record."""

    __slots__ = ("file", "record", "issues", "draft", "claimed", "root")

    def __init__(self, file: str, record: str, root: Any) -> None:
        self.file = file
        self.record = record
        self.root = root
        self.issues: list[Issue] = []
        self.draft: dict[str, Any] = {}
        self.claimed: set[Any] = set()

    def issue(
        self,
        severity: Severity,
        code: str,
        message: str,
        el: Any = None,
        value: str | None = None,
    ) -> None:
        self.issues.append(
            Issue(
                code=code,
                severity=severity,
                message=message,
                location=Location(
                    file=self.file,
                    record=self.record,
                    xpath=_relative_xpath(el, self.root) if el is not None else None,
                    line=el.sourceline if el is not None and el.sourceline else None,
                    value=value,
                ),
            )
        )


def _relative_xpath(el: Any, root: Any) -> str:
    steps: list[str] = []
    node = el
    while node is not None:
        qn = etree.QName(node)
        ns = qn.namespace or ""
        prefix = _PREFIXES.get(ns) or ("datacite" if ns.startswith("http://datacite.org/schema/kernel") else None)
        name = f"{prefix}:{qn.localname}" if prefix else qn.localname
        parent = node.getparent()
        if parent is not None and node is not root:
            same = [s for s in parent if s.tag == node.tag]
            if len(same) > 1:
                name += f"[{same.index(node) + 1}]"
        steps.append(name)
        if node is root:
            break
        node = parent
    return "/" + "/".join(reversed(steps))
