"""Identifiers: every kind the bridge reads, normalised into the form the CERIF profile's XSD
accepts, and check digits (which the XSD does not check) refused with a reason.

Values are taken from the shared reference records where one exists (the comment names the
record); the rest are spelled as repositories spell them. Every normalised value is put into
its typed element and validated against the official 1.2 XSD, so "the form the profile
requires" is the schema's word, not this file's.
"""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

from crisbridge.mapping import identifiers
from crisbridge.mapping.identifiers import InvalidIdentifier, Recognised, recognise

PROFILE_NS = "https://www.openaire.eu/cerif-profile/1.2/"
TYPE_NS = {
    "Publication": ("https://www.openaire.eu/cerif-profile/vocab/COAR_Publication_Types", "http://purl.org/coar/resource_type/c_6501"),
    "Product": ("https://www.openaire.eu/cerif-profile/vocab/COAR_Product_Types", "http://purl.org/coar/resource_type/c_ddb1"),
}

# (normaliser, raw value as found, expected value, entity and element it is written into)
GOOD = [
    # DOI: written bare, whatever resolver or scheme it came with
    ("doi", "doi:10.5281/zenodo.3971988", "10.5281/zenodo.3971988", "Publication", "DOI"),  # dc:relation, Zenodo
    ("doi", "https://doi.org/10.1088/1748-0221/7/01/P01013", "10.1088/1748-0221/7/01/P01013", "Publication", "DOI"),
    ("doi", "http://dx.doi.org/10.1080/23744235.2020.1774644", "10.1080/23744235.2020.1774644", "Publication", "DOI"),  # dLibra dc:identifier
    ("doi", "info:doi/10.1088/1748-0221/7/01/P01013", "10.1088/1748-0221/7/01/P01013", "Publication", "DOI"),
    ("doi", "  DOI: 10.24325/issn.2446-5763.v11i31p271-293 ", "10.24325/issn.2446-5763.v11i31p271-293", "Publication", "DOI"),
    # Handle: written as prefix/suffix
    ("handle", "hdl:1765/309", "1765/309", "Publication", "Handle"),
    ("handle", "http://hdl.handle.net/1765/309", "1765/309", "Publication", "Handle"),  # EUR DSpace
    ("handle", "https://hdl.handle.net/10550/36188", "10550/36188", "Publication", "Handle"),
    # URN (NBN, from DataCite alternateIdentifier)
    ("urn", "urn:nbn:de:0070-pub-29497390", "urn:nbn:de:0070-pub-29497390", "Publication", "URN"),
    # ISBN: hyphens and prefixes removed; the XSD's concise ISBN-13 and ISBN-10 forms
    ("isbn", "ISBN 978-83-60779-01-9", "9788360779019", "Publication", "ISBN"),  # dLibra dc:identifier
    ("isbn", "978-3-205-77704-5", "9783205777045", "Publication", "ISBN"),  # DataCite alternateIdentifier
    ("isbn", "ISBN 83-921757-6-X", "839217576X", "Publication", "ISBN"),  # dLibra, ISBN-10 ending in X
    ("isbn", "83-921757-6-x", "839217576X", "Publication", "ISBN"),
    ("isbn", "urn:isbn:2-912335-08-6", "2912335086", "Publication", "ISBN"),
    # ISSN: NNNN-NNNC with an upper-case X
    ("issn", "1558-5646", "1558-5646", "Publication", "ISSN"),  # official 1.2 sample
    ("issn", "issn:2583-1887", "2583-1887", "Publication", "ISSN"),  # dLibra dc:identifier
    ("issn", "eISSN: 2434-561x", "2434-561X", "Publication", "ISSN"),
    ("issn", "https://portal.issn.org/resource/ISSN/0317-8471", "0317-8471", "Publication", "ISSN"),
    # PMCID
    ("pmcid", "PMC1517292", "PMC1517292", "Publication", "PMCID"),  # aggregator oaf record
    ("pmcid", "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC4354964/", "PMC4354964", "Publication", "PMCID"),
    # ARK: the ark:/NAAN/name part, without the resolver
    ("ark", "ark:/13030/tqb3kh97gh8w", "ark:/13030/tqb3kh97gh8w", "Product", "ARK"),  # DataCite relatedIdentifier
    ("ark", " https://n2t.net/ark:/21547/EBW2 ", "ark:/21547/EBW2", "Product", "ARK"),  # DataCite, with the spaces
    ("ark", "ark:13030/tqb3kh97gh8w", "ark:/13030/tqb3kh97gh8w", "Product", "ARK"),
    # ORCID: only as https://orcid.org/..., from bare, URL and compact spellings
    ("orcid", "0000-0001-5393-1421", "https://orcid.org/0000-0001-5393-1421", "Person", "ORCID"),  # DataCite nameIdentifier
    ("orcid", "https://orcid.org/0000-0002-5277-285X", "https://orcid.org/0000-0002-5277-285X", "Person", "ORCID"),  # 1.2 sample
    ("orcid", "http://orcid.org/0000-0001-7291-3210", "https://orcid.org/0000-0001-7291-3210", "Person", "ORCID"),
    ("orcid", "0000000153931421", "https://orcid.org/0000-0001-5393-1421", "Person", "ORCID"),
    ("orcid", "0000-0001-6643-503x", "https://orcid.org/0000-0001-6643-503X", "Person", "ORCID"),
    ("orcid", "0009-0002-1234-5674", "https://orcid.org/0009-0002-1234-5674", "Person", "ORCID"),  # the 2023 block
    # ISNI: four space-separated groups, from compact, spaced and URL spellings
    ("isni", "0000000121227317", "0000 0001 2122 7317", "Person", "ISNI"),  # DataCite nameIdentifier
    ("isni", "0000 0003 9448 2436", "0000 0003 9448 2436", "OrgUnit", "ISNI"),  # 1.2 sample
    ("isni", "https://isni.org/isni/0000000121227317", "0000 0001 2122 7317", "Person", "ISNI"),
    # ROR
    ("ror", "https://ror.org/02hpadn98", "https://ror.org/02hpadn98", "OrgUnit", "RORID"),  # 1.2 sample
    ("ror", "https://ror.org/02jx3x895", "https://ror.org/02jx3x895", "OrgUnit", "RORID"),  # DataCite affiliation
    ("ror", "http://ror.org/00x6h5n95", "https://ror.org/00x6h5n95", "OrgUnit", "RORID"),
    ("ror", "02HPADN98", "https://ror.org/02hpadn98", "OrgUnit", "RORID"),
    # FundRef: https://doi.org/10.13039/...
    ("fundref", "https://doi.org/10.13039/501100000780", "https://doi.org/10.13039/501100000780", "OrgUnit", "FundRefID"),
    ("fundref", "http://dx.doi.org/10.13039/501100000780", "https://doi.org/10.13039/501100000780", "OrgUnit", "FundRefID"),  # DataCite
    ("fundref", "10.13039/100000001", "https://doi.org/10.13039/100000001", "OrgUnit", "FundRefID"),
    ("fundref", "501100000780", "https://doi.org/10.13039/501100000780", "OrgUnit", "FundRefID"),
    # GRID
    ("grid", "grid.7491.b", "grid.7491.b", "OrgUnit", "GRID"),  # 1.2 sample
    ("grid", "grid.10698.36", "grid.10698.36", "OrgUnit", "GRID"),  # DataCite nameIdentifier
    ("grid", "https://grid.ac/institutes/grid.1002.3", "grid.1002.3", "OrgUnit", "GRID"),
]


def _entity(entity: str, element: str, value: str) -> Any:
    root = etree.Element(f"{{{PROFILE_NS}}}{entity}")
    if entity in TYPE_NS:
        ns, coar = TYPE_NS[entity]
        etree.SubElement(root, f"{{{ns}}}Type").text = coar
    etree.SubElement(root, f"{{{PROFILE_NS}}}{element}").text = value
    return root


@pytest.mark.parametrize(("kind", "raw", "expected", "entity", "element"), GOOD, ids=[f"{k}:{r.strip()}" for k, r, *_ in GOOD])
def test_normalised_into_the_form_the_profile_xsd_accepts(kind: str, raw: str, expected: str, entity: str, element: str, schema_12: Any) -> None:
    value = identifiers.NORMALISERS[kind](raw)
    assert value == expected
    root = _entity(entity, element, value)
    assert schema_12.validate(root), f"{element} {value!r}: {schema_12.error_log}"


def test_the_xsd_really_refuses_the_unnormalised_forms(schema_12: Any) -> None:
    # The check above means something only if the schema would refuse the raw spellings.
    for entity, element, raw in [
        ("Publication", "DOI", "https://doi.org/10.1088/1748-0221/7/01/P01013"),
        ("Person", "ORCID", "0000-0001-5393-1421"),
        ("Person", "ISNI", "0000000121227317"),
        ("OrgUnit", "FundRefID", "10.13039/100000001"),
        ("Publication", "ISBN", "978-83-60779-01-9X"),
    ]:
        assert not schema_12.validate(_entity(entity, element, raw)), raw


# (normaliser, value, words the reason must hold)
BAD = [
    ("orcid", "0000-0001-5393-1422", "check digit"),
    ("orcid", "456xyz", "sixteen digits"),  # DataCite fixture
    ("orcid", "0000-0000-0000-0001", "outside the ranges"),  # check digit fine, never issued
    ("orcid", "0000-0004-0000-0000", "outside the ranges"),
    ("orcid", "0009-0002-1234-5678", "check digit"),
    ("isni", "0000000134596520", "check digit"),  # DataCite example records carry this one: it is wrong
    ("isni", "0000 0003 9448 2437", "check digit"),
    ("isni", "abc123", "format"),  # DataCite fixture
    ("issn", "1558-5647", "check digit"),
    ("issn", "2049-363X", "check digit"),
    ("issn", "1558 56", "NNNN-NNNC"),
    ("isbn", "83-921757-6-9", "check digit"),
    ("isbn", "978-3-205-77704-4", "check digit"),
    ("isbn", "937-0-4523-12357-6", "length"),  # DataCite fixture: a made-up ISBN
    ("isbn", "979-0-2600-0043-8", "ISMN"),  # the 979-0 block is excluded by the profile's pattern
    ("ror", "https://ror.org/02hpadn99", "check digits"),
    ("ror", "https://ror.org/12hpadn98", "https://ror.org/0"),
    ("doi", "https://example.org/10.1000/x", "10.NNNN/suffix"),
    ("doi", "10.12/x", "10.NNNN/suffix"),
    ("handle", "hdl:not a handle", "prefix/suffix"),
    ("urn", "urn:", "urn:nid:nss"),
    ("pmcid", "PMID12345", "PMCnnnn"),
    ("ark", "ark:/12/x", "ark:/NAAN/name"),
    ("fundref", "https://doi.org/10.1234/100000001", "10.13039"),
    ("grid", "grid.7491", "grid.NNNN.x"),
]


@pytest.mark.parametrize(("kind", "raw", "reason"), BAD, ids=[f"{k}:{r}" for k, r, _ in BAD])
def test_failing_identifiers_raise_with_a_reason(kind: str, raw: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        identifiers.NORMALISERS[kind](raw)
    exc = caught.value
    assert exc.value == raw
    assert exc.kind.lower() == kind
    assert reason.lower() in exc.reason.lower(), exc.reason
    assert raw in str(exc)
    assert isinstance(exc, ValueError)


# dc:identifier values are untyped: the kind is told by the spelling.
RECOGNISED = [
    ("http://hdl.handle.net/1765/309", Recognised("handle", "1765/309")),
    ("hdl:1765/309", Recognised("handle", "1765/309")),
    ("doi:10.5281/zenodo.3971988", Recognised("doi", "10.5281/zenodo.3971988")),
    ("http://dx.doi.org/10.1080/23744235.2020.1774644", Recognised("doi", "10.1080/23744235.2020.1774644")),
    ("info:doi/10.1000/182", Recognised("doi", "10.1000/182")),
    ("10.1000/182", Recognised("doi", "10.1000/182")),
    ("urn:nbn:de:0070-pub-29497390", Recognised("urn", "urn:nbn:de:0070-pub-29497390")),
    ("urn:isbn:9788360779019", Recognised("isbn", "9788360779019")),
    ("ISBN 978-83-60779-01-9", Recognised("isbn", "9788360779019")),
    ("ISBN 83-921757-6-X", Recognised("isbn", "839217576X")),
    ("978-3-205-77704-5", Recognised("isbn", "9783205777045")),
    ("issn:2583-1887", Recognised("issn", "2583-1887")),
    ("ISSN 1558-5646", Recognised("issn", "1558-5646")),
    ("1558-5646", Recognised("issn", "1558-5646")),
    ("PMC1517292", Recognised("pmcid", "PMC1517292")),
    ("ark:/13030/tqb3kh97gh8w", Recognised("ark", "ark:/13030/tqb3kh97gh8w")),
    ("https://orcid.org/0000-0002-5277-285X", Recognised("orcid", "https://orcid.org/0000-0002-5277-285X")),
    ("https://ror.org/02hpadn98", Recognised("ror", "https://ror.org/02hpadn98")),
    ("https://lib.psnc.pl/dlibra/docmetadata?showContent=true&id=22", Recognised("url", "https://lib.psnc.pl/dlibra/docmetadata?showContent=true&id=22")),
    ("Some words", None),
    ("2004", None),
    ("", None),
]


@pytest.mark.parametrize(("raw", "expected"), RECOGNISED, ids=[r or "<empty>" for r, _ in RECOGNISED])
def test_untyped_identifiers_are_recognised_by_their_spelling(raw: str, expected: Recognised | None) -> None:
    assert recognise(raw) == expected


@pytest.mark.parametrize(("raw", "kind"), [("ISSN 1558-5647", "ISSN"), ("ISBN 83-921757-6-9", "ISBN"), ("https://orcid.org/0000-0001-5393-1422", "ORCID"), ("https://ror.org/02hpadn99", "ROR")])
def test_a_recognised_identifier_failing_its_check_is_refused_not_guessed(raw: str, kind: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        recognise(raw)
    assert caught.value.kind == kind


def test_a_failing_identifier_in_a_record_is_reported_with_its_value_and_not_written(reference: Any) -> None:
    # A real DataCite example whose ISNI fails its check digit: the person is written, the
    # ISNI is not, and the report says which value and why.
    from crisbridge.pipeline import Converter

    path = reference / "real-records/datacite-bolognese/original/spec/fixtures/datacite-example-complicated-v4.0.xml"
    result = Converter().convert_one(path)
    assert result.status.value == "converted"
    found = [i for i in result.issues if i.code == "id.invalid-isni"]
    assert found, [i.code for i in result.issues]
    assert found[0].location.value == "0000000134596520"
    assert found[0].severity.value == "warning"
    assert "check digit" in found[0].message
    assert b"0000000134596520" not in result.xml and b"0000 0001 3459 6520" not in result.xml
