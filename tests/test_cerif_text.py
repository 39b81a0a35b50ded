"""The CERIF writer writes XML as text: it must be the bytes lxml writes for the same tree.

The escaping is checked against lxml itself for any string XML can carry; whole entities are
checked to come back unchanged through lxml (parse, serialise).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from crisbridge.model import LangString, OrgUnit, Publication
from crisbridge.pipeline import EntityOutput
from crisbridge.writers.cerif import CerifWriter, _attr, _leaf
from test_properties import outputs  # the property tests' entity strategy (their folder is on sys.path)

NS = "https://www.openaire.eu/cerif-profile/1.2/"
# every character XML 1.0 allows, with the ones the serialiser escapes made likely
xml_text = st.text(
    alphabet=st.one_of(
        st.sampled_from("&<>\"'\r\n\t ]"),
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\ufffe\uffff",
                      min_codepoint=0x20),
    )
)


def _lxml(text: str | None, attrs: dict[str, str]) -> bytes:
    root = etree.Element(f"{{{NS}}}E", nsmap={None: NS})
    child = etree.SubElement(root, f"{{{NS}}}X", attrs)
    if text is not None:
        child.text = text
    return etree.tostring(child, encoding="utf-8").replace(f' xmlns="{NS}"'.encode(), b"", 1)


@settings(max_examples=300, deadline=None)
@given(st.none() | xml_text, xml_text)
def test_text_and_attributes_are_escaped_as_lxml_escapes_them(text: str | None, value: str) -> None:
    written = _leaf("X", text, f' a="{_attr(value)}"').encode("utf-8")
    assert written == _lxml(text, {"a": value})


@settings(max_examples=100, deadline=None)
@given(outputs())
def test_written_bytes_are_what_lxml_writes_for_the_parsed_tree(entity: Any) -> None:
    data, _ = CerifWriter("1.2").write_bytes(entity)
    assert etree.tostring(etree.fromstring(data), encoding="utf-8") == data


@pytest.mark.parametrize("bad", ["\x00", "a\x01b", "\x1f", "\ufffe"])
def test_characters_xml_cannot_carry_are_refused_as_lxml_refuses_them(bad: str) -> None:
    with pytest.raises(ValueError, match="XML compatible"):
        etree.Element("X").text = bad
    with pytest.raises(ValueError, match="XML compatible"):
        CerifWriter("1.2").write_bytes(Publication(titles=[LangString(value=bad)]))
    with pytest.raises(ValueError, match="XML compatible"):
        CerifWriter("1.2").write(OrgUnit(name="x", acronym=bad))


def test_an_entity_output_gives_its_element_from_its_bytes_and_follows_changes_to_it() -> None:
    writer = CerifWriter("1.2")
    entity = Publication(id="Publications/1", titles=[LangString(value="A & B", lang="en")])
    data, _ = writer.write_bytes(entity)
    out = EntityOutput("Publications/1", entity.entity, entity, xml=data)  # type: ignore[arg-type]
    assert out.xml == data
    assert out.element.findtext(f"{{{NS}}}Title") == "A & B"
    out.element.set("id", "Publications/2")
    assert b'id="Publications/2"' in out.xml
    with pytest.raises(ValueError):
        EntityOutput("x", entity.entity, entity)  # type: ignore[arg-type]
