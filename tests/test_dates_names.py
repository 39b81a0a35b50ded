"""Dates as real records write them, into the lexical forms the profile accepts (or refused with
a reason), and display names split into family and given names.

The month names and name particles come from the shipped vocabulary tables, as in a run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from lxml import etree

from crisbridge.mapping import dates, names
from crisbridge.mapping.dates import InvalidDate, Span
from crisbridge.mapping.registry import shared_tables


@pytest.fixture(scope="module")
def months() -> dict[str, Any]:
    return shared_tables()["month_names"]


@pytest.fixture(scope="module")
def particles() -> dict[str, Any]:
    return shared_tables()["name_particles"]


# raw value (as found in the reference records or spelled like them) -> Span
DATES = [
    ("2004", Span("2004")),
    ("2002.06", Span("2002-06")),  # dLibra dc:date
    ("2002.6", Span("2002-06")),
    ("2003.02.14", Span("2003-02-14")),
    ("January 2004", Span("2004-01")),  # EUR DSpace
    ("Jan. 2004", Span("2004-01")),
    ("17 January 2004", Span("2004-01-17")),
    ("January 17, 2004", Span("2004-01-17")),
    ("März 2004", Span("2004-03")),
    ("17.01.2004", Span("2004-01-17")),
    ("2004-1-5", Span("2004-01-05")),
    ("2004-02-29", Span("2004-02-29")),  # a leap day
    ("2004-02-17T10:00:00Z", Span("2004-02-17T10:00:00Z")),  # OAI datestamps
    ("2004-02-17T10:00:00+0100", Span("2004-02-17T10:00:00+01:00")),  # xs:dateTime wants the colon
    ("2004-02-17T10:00+01:00", Span("2004-02-17T10:00:00+01:00")),  # and the seconds
    ("2019-03-12T11:40:57.123-05:00", Span("2019-03-12T11:40:57.123-05:00")),
    ("2004-02-17T24:00:00Z", Span("2004-02-17T24:00:00Z")),  # xs:dateTime allows the end of the day
    ("2010/2017", Span("2010", "2017")),  # RKMS-ISO8601 range (DataCite)
    ("2010-2017", Span("2010", "2017")),
    ("2010 - 2017", Span("2010", "2017")),
    ("2004-02-17/2004-03-01", Span("2004-02-17", "2004-03-01")),
    ("2010/", Span("2010")),
    ("/2017", Span("", "2017")),
    ("[2004?]", Span("2004")),
    ("c. 1999", Span("1999")),
    ("ca. 1999", Span("1999")),
    ("circa 1999", Span("1999")),
    ("©2001", Span("2001")),
]


@pytest.mark.parametrize(("raw", "expected"), DATES, ids=[d for d, _ in DATES])
def test_messy_dates_become_profile_dates(raw: str, expected: Span, months: dict[str, Any]) -> None:
    assert dates.normalise(raw, months) == expected


@pytest.mark.parametrize(("raw", "expected"), DATES, ids=[d for d, _ in DATES])
def test_every_normalised_date_is_an_xsd_date_type(raw: str, expected: Span, months: dict[str, Any]) -> None:
    # PublicationDate is cfGenericDateTime__Type: xs:gYear | xs:gYearMonth | xs:date | xs:dateTime
    span = dates.normalise(raw, months)
    for value in (span.start, span.end):
        if value:
            assert _is_generic_date(value), value


# raw value -> words the reason must hold
IMPOSSIBLE = [
    ("1981-09-31T21:42:52Z", "day 31"),  # a real DataCite record: September has 30 days
    ("2003-02-29", "day 29"),
    ("2001-13", "month 13"),
    ("2004-00", "month 00"),
    ("2004-02-00", "day 00"),
    ("0999", "implausible"),
    ("2017/2010", "ends before it starts"),
    ("Spring 2004", "month name"),
    (":tba", "not a date"),  # a real DataCite record
    ("", "empty"),
    ("2004-02-17T25:00:00Z", "hour"),
    ("2004-02-17T10:61:00Z", "minute"),
    ("2004-02-17T10:00:61Z", "second"),
    ("2004-02-17T24:30:00Z", "hour"),
    ("2004-02-17T10:00:00+25:00", "offset"),
    ("2004-02-17T10:00:00+14:30", "offset"),
]


@pytest.mark.parametrize(("raw", "reason"), IMPOSSIBLE, ids=[d or "<empty>" for d, _ in IMPOSSIBLE])
def test_impossible_dates_are_refused_with_a_reason(raw: str, reason: str, months: dict[str, Any]) -> None:
    with pytest.raises(InvalidDate) as caught:
        dates.normalise(raw, months)
    assert reason in str(caught.value)
    assert repr(raw) in str(caught.value)  # the reason quotes the value


def test_xs_date_targets_refuse_partial_dates_rather_than_invent_a_day(months: dict[str, Any]) -> None:
    # Patent and Project dates, and Access/@endDate, are xs:date (cfDate__Type)
    assert dates.normalise("2004-02-17T10:00:00Z", months, date_only=True) == Span("2004-02-17")
    for raw in ("2004", "2004-02", "2010/2017", "January 2004"):
        with pytest.raises(InvalidDate, match="full date"):
            dates.normalise(raw, months, date_only=True)


def test_the_earliest_of_repeated_dates_is_kept() -> None:
    assert dates.earliest(["2004-05-01T10:00:00Z", "2003", "2003-11-02"]) == "2003"


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ("openaire-dnet-hadoop/records/oai_dc/oai_lib.psnc.pl_169.xml", "2002-06"),  # dLibra "2002.06"
        ("dspace-eur-pyoai/records/oai_dc/hdl_1765_1131.xml", "2004-01"),  # "January 2004" beside datestamps
        ("dspace-eur-pyoai/records/oai_dc/hdl_1765_1163.xml", "2004-01"),
    ],
)
def test_dates_of_real_records_are_written_valid(record: str, expected: str, reference: Any, schema_12: Any) -> None:
    from crisbridge.pipeline import Converter

    result = Converter().convert_one(reference / "real-records" / record)
    element = etree.fromstring(result.xml)
    assert element.findtext("{https://www.openaire.eu/cerif-profile/1.2/}PublicationDate") == expected
    assert schema_12.validate(element), schema_12.error_log


def _is_generic_date(value: str) -> bool:
    import re

    if re.fullmatch(r"\d{4}", value) or re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        return True
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        datetime.strptime(value, "%Y-%m-%d")
        return True
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))?", value)
    if not m:
        return False
    datetime.strptime(m.group(1), "%Y-%m-%d")
    hh, mm, ss = int(m.group(2)), int(m.group(3)), int(m.group(4))
    if hh == 24:
        return mm == 0 and ss == 0
    zone_ok = m.group(7) is None or (int(m.group(7)) * 60 + int(m.group(8)) <= 14 * 60 and int(m.group(8)) < 60)
    return hh < 24 and mm < 60 and ss < 60 and zone_ok


# display name -> (family, given)
NAMES = [
    # Family, Given (DSpace, Zenodo)
    ("Mazurek, Cezary", ("Mazurek", "Cezary")),  # dLibra
    ("Smith, J.", ("Smith", "J.")),
    ("García Márquez, Gabriel", ("García Márquez", "Gabriel")),
    ("van der Berg, Vincent", ("van der Berg", "Vincent")),
    ("  Smith ,  John ", ("Smith", "John")),
    (", John", (None, "John")),
    ("Smith, ", ("Smith", None)),
    # Dutch DSpace: the particles after the initials belong to the family name
    ("Bosch, F.A.J. van den", ("van den Bosch", "F.A.J.")),  # EUR DSpace
    ("Jong, A. de", ("de Jong", "A.")),  # EUR DSpace
    ("Laan, E.A. van der", ("van der Laan", "E.A.")),  # EUR DSpace
    ("Jong, Martijn de", ("de Jong", "Martijn")),  # EUR DSpace
    ("Rossi, Da", ("Rossi", "Da")),  # a given name that is also a particle stays a given name
    # Given Family, with the particles the table lists
    ("Aurélien Ribes", ("Ribes", "Aurélien")),  # Zenodo
    ("Alexandra G. Hanselman", ("Hanselman", "Alexandra G.")),  # Zenodo
    ("Yi Feng", ("Feng", "Yi")),  # Zenodo
    ("Ludwig van Beethoven", ("van Beethoven", "Ludwig")),
    ("Vincent van der Berg", ("van der Berg", "Vincent")),
    ("Juan de la Cruz", ("de la Cruz", "Juan")),
    ("Ursula K. Le Guin", ("Le Guin", "Ursula K.")),
    ("J. Smith", ("Smith", "J.")),
    ("Jean-Paul Sartre", ("Sartre", "Jean-Paul")),
    # Family I. (CNR ExploRA, many CRISs)
    ("Cantoni C.", ("Cantoni", "C.")),  # CNR
    ("Chiggiato J.", ("Chiggiato", "J.")),  # CNR
    ("Smith J. R.", ("Smith", "J. R.")),
    ("Smith JR", ("Smith", "JR")),
    ("Kowalski J.-P.", ("Kowalski", "J.-P.")),
    ("ÅSTRÖM K.", ("ÅSTRÖM", "K.")),
    # family names of two letters and of several words, in the CNR order
    ("Li X.", ("Li", "X.")),
    ("Wu Y. Z.", ("Wu", "Y. Z.")),
    ("De Rosa M.", ("De Rosa", "M.")),
    ("Lo Presti A.", ("Lo Presti", "A.")),
    ("Le Guin U. K.", ("Le Guin", "U. K.")),
    # one word
    ("Madonna", ("Madonna", None)),
    ("", (None, None)),
]


@pytest.mark.parametrize(("display", "expected"), NAMES, ids=[n or "<empty>" for n, _ in NAMES])
def test_display_names_are_split(display: str, expected: tuple[str | None, str | None], particles: dict[str, Any]) -> None:
    assert names.split(display, particles) == expected


def test_a_real_dutch_name_is_written_with_its_particles_in_the_family_name(reference: Any, schema_12: Any) -> None:
    from crisbridge.pipeline import Converter

    result = Converter().convert_one(reference / "real-records/dspace-eur-pyoai/records/oai_dc/hdl_1765_1131.xml")
    ns = {"c": "https://www.openaire.eu/cerif-profile/1.2/"}
    authors = etree.fromstring(result.xml).findall("c:Authors/c:Author", ns)
    written = [
        (a.findtext("c:DisplayName", namespaces=ns), a.findtext("c:Person/c:PersonName/c:FamilyNames", namespaces=ns), a.findtext("c:Person/c:PersonName/c:FirstNames", namespaces=ns))
        for a in authors
    ]
    assert written == [("Volberda, H.W.", "Volberda", "H.W."), ("Bosch, F.A.J. van den", "van den Bosch", "F.A.J.")]
