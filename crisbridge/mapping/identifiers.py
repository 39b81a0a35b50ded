"""Identifier recognition and normalisation into the forms the CERIF profile requires.

The profile XSD (``includes/*-identifiers.xsd``) fixes the lexical forms: DOI bare
(``10.xxxx/...``), ORCID as ``https://orcid.org/dddd-dddd-dddd-dddX`` within the two ranges
ORCID issues, ISNI as four space-separated groups, ROR as ``https://ror.org/0...``, FundRef
as ``https://doi.org/10.13039/...``. Check digits (ORCID, ISNI, ISSN, ISBN, ROR) are not
checked by the XSD; they are checked here.

Every function returns the normalised value, or raises ``InvalidIdentifier`` with a reason
a person can act on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum import isbn as _isbn
from stdnum import isni as _isni
from stdnum import issn as _issn
from stdnum.exceptions import ValidationError as _StdnumError
from stdnum.iso7064 import mod_11_2


class InvalidIdentifier(ValueError):
    """The value looks like an identifier of a kind but fails its syntax or check digit."""

    def __init__(self, kind: str, value: str, reason: str) -> None:
        self.kind = kind
        self.value = value
        self.reason = reason
        super().__init__(f"{kind} {value!r}: {reason}")


@dataclass(frozen=True, slots=True)
class Recognised:
    kind: str  # doi, handle, urn, isbn, issn, pmcid, ark, orcid, isni, ror, url, ...
    value: str  # normalised


_DOI_RESOLVER = re.compile(
    r"^(?:doi:\s*|info:doi/|https?://(?:dx\.)?doi\.org/|https?://doi\.[a-z]+\.org/)", re.I
)
_DOI_BARE = re.compile(r"^10\.\d{4,}(?:\.\d+)*/\S+$")
_HANDLE_PREFIX = re.compile(r"^(?:hdl:\s*|info:hdl/|https?://hdl\.handle\.net/)", re.I)
_HANDLE_BARE = re.compile(r"^\d[\w.]*/\S+$")
_ORCID_PREFIX = re.compile(r"^(?:https?://(?:www\.)?orcid\.org/|orcid:\s*)", re.I)
_ORCID_BARE = re.compile(r"^(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dXx])$")
# The two ranges ORCID issues identifiers from, as the profile XSD pattern allows them.
_ORCID_RANGE = re.compile(r"^0000-000(?:1-[5-9]|2-\d|3-[0-4])\d{3}-\d{3}[\dX]$|^0009-000\d-\d{4}-\d{3}[\dX]$")
_ROR = re.compile(r"^(?:https?://(?:www\.)?ror\.org/|ror:\s*)?(0[a-hj-km-np-tv-z0-9]{6})(\d{2})$", re.I)
_FUNDREF = re.compile(
    r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?(?:10\.13039/)?(\d{6,})$|"
    r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?10\.13039/(\d+)$",
    re.I,
)
_GRID = re.compile(r"^(?:https?://(?:www\.)?grid\.ac/institutes/)?(grid\.\d{4,}\.[0-9a-f]{1,2})$", re.I)
_PMCID = re.compile(r"^(?:pmcid:\s*|https?://(?:www\.)?ncbi\.nlm\.nih\.gov/pmc/articles/)?(PMC\d+)/?$", re.I)
_ARK = re.compile(r"^(?:https?://[^/]+/)?(ark:/?\d{5,}/\S+)$", re.I)
_URN = re.compile(r"^urn:[a-z0-9][a-z0-9-]{0,31}:\S+$", re.I)
_ISBN_PREFIX = re.compile(r"^(?:urn:isbn:|isbn(?:-1[03])?:?\s*)", re.I)
_ISSN_PREFIX = re.compile(r"^(?:urn:issn:|e?issn:?\s*|https?://portal\.issn\.org/resource/issn/)", re.I)
_ISSN_SHAPE = re.compile(r"^\d{4}-?\d{3}[\dXx]$")
_ISBN_SHAPE = re.compile(r"^(?:97[89][- ]?)?\d{1,5}[- ]?\d+[- ]?\d+[- ]?[\dXx]$")
_URL = re.compile(r"^https?://\S+$", re.I)
# "2004-2010" has the shape of an ISSN but is a span of years (seen in dc:identifier)
_YEAR_RANGE = re.compile(r"^(1[5-9]|20)\d\d-(1[5-9]|20)\d\d$")
_ISNI_PREFIX = re.compile(r"^(?:https?://(?:www\.)?isni\.org/(?:isni/)?|isni:?\s*)", re.I)
_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def doi(raw: str) -> str:
    value = _DOI_RESOLVER.sub("", raw.strip())
    if not _DOI_BARE.match(value):
        raise InvalidIdentifier("DOI", raw, "not of the form 10.NNNN/suffix")
    return value


def handle(raw: str) -> str:
    value = _HANDLE_PREFIX.sub("", raw.strip())
    if not _HANDLE_BARE.match(value):
        raise InvalidIdentifier("Handle", raw, "not of the form prefix/suffix")
    return value


def orcid(raw: str) -> str:
    m = _ORCID_BARE.match(_ORCID_PREFIX.sub("", raw.strip()))
    if not m:
        raise InvalidIdentifier("ORCID", raw, "not sixteen digits in four groups")
    digits = "".join(m.groups()).upper()
    if not mod_11_2.is_valid(digits):
        raise InvalidIdentifier("ORCID", raw, "check digit does not match (ISO 7064 MOD 11-2)")
    grouped = "-".join(digits[i : i + 4] for i in range(0, 16, 4))
    if not _ORCID_RANGE.match(grouped):
        raise InvalidIdentifier("ORCID", raw, "outside the ranges ORCID issues identifiers from")
    return f"https://orcid.org/{grouped}"


def isni(raw: str) -> str:
    value = _ISNI_PREFIX.sub("", raw.strip())
    try:
        return str(_isni.format(_isni.validate(value)))
    except _StdnumError as exc:
        raise InvalidIdentifier("ISNI", raw, _reason(exc)) from None


def ror(raw: str) -> str:
    m = _ROR.match(raw.strip())
    if not m:
        raise InvalidIdentifier("ROR", raw, "not of the form https://ror.org/0 + 6 characters + 2 digits")
    body, check = m.group(1).lower(), int(m.group(2))
    number = 0
    for ch in body:
        number = number * 32 + _CROCKFORD.index(ch)
    # ROR ids end in an ISO 7064 MOD 97-10 check over the Crockford base32 number.
    if 98 - (number * 100) % 97 != check:
        raise InvalidIdentifier("ROR", raw, "check digits do not match (ISO 7064 MOD 97-10)")
    return f"https://ror.org/{body}{m.group(2)}"


def fundref(raw: str) -> str:
    m = _FUNDREF.match(raw.strip())
    if not m:
        raise InvalidIdentifier("FundRef", raw, "not a Crossref Funder ID (10.13039/NNN)")
    return f"https://doi.org/10.13039/{m.group(1) or m.group(2)}"


def grid(raw: str) -> str:
    m = _GRID.match(raw.strip())
    if not m:
        raise InvalidIdentifier("GRID", raw, "not of the form grid.NNNN.x")
    return m.group(1).lower()


def issn(raw: str) -> str:
    value = _ISSN_PREFIX.sub("", raw.strip())
    if not _ISSN_SHAPE.match(value):
        raise InvalidIdentifier("ISSN", raw, "not of the form NNNN-NNNC")
    try:
        return str(_issn.format(_issn.validate(value)))
    except _StdnumError as exc:
        raise InvalidIdentifier("ISSN", raw, _reason(exc)) from None


def isbn(raw: str) -> str:
    value = _ISBN_PREFIX.sub("", raw.strip())
    try:
        compact = str(_isbn.validate(value))
    except _StdnumError as exc:
        raise InvalidIdentifier("ISBN", raw, _reason(exc)) from None
    if len(compact) == 13 and compact.startswith("9790"):
        # The profile's ISBN-13 pattern excludes the 979-0 block (it belongs to ISMN).
        raise InvalidIdentifier("ISBN", raw, "979-0 numbers are ISMNs, not ISBNs")
    return compact


def pmcid(raw: str) -> str:
    m = _PMCID.match(raw.strip())
    if not m:
        raise InvalidIdentifier("PMCID", raw, "not of the form PMCnnnn")
    return m.group(1).upper()


def ark(raw: str) -> str:
    m = _ARK.match(raw.strip())
    if not m:
        raise InvalidIdentifier("ARK", raw, "not of the form ark:/NAAN/name")
    value = m.group(1)
    return value if value.lower().startswith("ark:/") else "ark:/" + value[4:]


def urn(raw: str) -> str:
    if not _URN.match(raw.strip()):
        raise InvalidIdentifier("URN", raw, "not of the form urn:nid:nss")
    return raw.strip()


def url(raw: str) -> str:
    if not _URL.match(raw.strip()):
        raise InvalidIdentifier("URL", raw, "not an http(s) URL")
    return raw.strip()


NORMALISERS = {
    "doi": doi,
    "handle": handle,
    "orcid": orcid,
    "isni": isni,
    "ror": ror,
    "fundref": fundref,
    "grid": grid,
    "issn": issn,
    "isbn": isbn,
    "pmcid": pmcid,
    "ark": ark,
    "urn": urn,
    "url": url,
}


def recognise(raw: str) -> Recognised | None:
    """Guess the kind of an untyped identifier (``dc:identifier``) from its spelling.

    Returns None when the value is not an identifier of any known kind. Raises
    InvalidIdentifier when it is spelled as a kind (``ISSN 1234-5678``) but fails its checks.
    """
    text = raw.strip()
    if not text:
        return None
    low = text.lower()
    if _DOI_RESOLVER.match(text) or _DOI_BARE.match(text):
        return Recognised("doi", doi(text))
    if _HANDLE_PREFIX.match(text):
        return Recognised("handle", handle(text))
    if _ORCID_PREFIX.match(text):
        return Recognised("orcid", orcid(text))
    if low.startswith(("https://ror.org/", "http://ror.org/")):
        return Recognised("ror", ror(text))
    if _PMCID.match(text):
        return Recognised("pmcid", pmcid(text))
    if _ARK.match(text):
        return Recognised("ark", ark(text))
    if low.startswith(("urn:isbn:", "isbn")):
        return Recognised("isbn", isbn(text))
    if low.startswith(("urn:issn:", "issn", "eissn")):
        return Recognised("issn", issn(text))
    if _URN.match(text):
        return Recognised("urn", text)
    if _URL.match(text):
        return Recognised("url", text)
    if _ISSN_SHAPE.match(text) and "-" in text and not _YEAR_RANGE.match(text):
        return Recognised("issn", issn(text))
    if _ISBN_SHAPE.match(text) and len(re.sub(r"[- ]", "", text)) in (10, 13):
        return Recognised("isbn", isbn(text))
    return None


def _reason(exc: _StdnumError) -> str:
    message = str(getattr(exc, "message", "") or exc).strip().rstrip(".")
    return message[:1].lower() + message[1:] if message else "invalid"
