"""Dates into the lexical forms the profile accepts.

``PublicationDate`` takes xs:gYear, xs:gYearMonth, xs:date or xs:dateTime
(cfGenericDateTime__Type); ``Dates/*/@startDate`` and ``@endDate`` the same; Patent dates and
Project dates take xs:date only (cfDate__Type). Real records carry ``2002.06``,
``January 2004``, ``2004-02-17T10:00:00Z``, ``2010/2017`` and ``[2004?]``: these are turned
into one of the accepted forms, or refused with a reason.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass


class InvalidDate(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Span:
    start: str
    end: str | None = None


_ISO = re.compile(
    r"^(\d{4})(?:[-./](\d{1,2})(?:[-./](\d{1,2})"
    r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?)?)?$"
)
_DMY = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
_WORDY = re.compile(r"^(?:(\d{1,2})\.?\s+)?([^\W\d_]+)\.?,?\s+(?:(\d{1,2}),?\s+)?(\d{4})$")
# Longest spelling first: with "c\.?" first, "ca. 1999" left "a. 1999" behind.
_NOISE = re.compile(r"^[\[(]?\s*(?:circa|ca\.?|c\.?|©)?\s*|\s*\??\s*[\])]?\s*$", re.I)
_RANGE_SPLIT = re.compile(r"\s*(?:/|\s[-–]\s|(?<=\d{4})[-–](?=\d{4}\b))\s*")


def normalise(raw: str, months: Mapping[str, int], *, date_only: bool = False) -> Span:
    """One date or a range; ``date_only`` when the target is xs:date (a year alone is then
    refused rather than invented into a day)."""
    text = raw.strip()
    if "/" not in text and "-" not in text[10:]:
        # The common case, a plain ISO date or date-time: neither the noise nor the range
        # pattern below can change it (it starts with a digit, ends with a digit or Z, has no
        # slash and no dash after the date), so it is read directly.
        m = _ISO.match(text)
        if m:
            year, month, day, time = m.groups()
            return Span(_compose(raw, year, month, day, time, date_only))
    text = _NOISE.sub("", text)
    if not text:
        raise InvalidDate(f"{raw!r} is empty")
    parts = _RANGE_SPLIT.split(text)
    if len(parts) == 2 and parts[0] and parts[1]:
        start = _single(parts[0], raw, months, date_only)
        end = _single(parts[1], raw, months, date_only)
        if _key(end) < _key(start):
            raise InvalidDate(f"{raw!r}: the range ends before it starts")
        return Span(start, end)
    if len(parts) == 2 and (parts[0] or parts[1]):
        # an open range ("2010/" or "/2017"): keep the end that is given
        value = _single(parts[0] or parts[1], raw, months, date_only)
        return Span(value, None) if parts[0] else Span("", value)
    return Span(_single(text, raw, months, date_only))


def _single(text: str, raw: str, months: Mapping[str, int], date_only: bool) -> str:
    m = _ISO.match(text)
    if m:
        year, month, day, time = m.groups()
        return _compose(raw, year, month, day, time, date_only)
    m = _DMY.match(text)
    if m:
        return _compose(raw, m.group(3), m.group(2), m.group(1), None, date_only)
    m = _WORDY.match(text)
    if m:
        day = m.group(1) or m.group(3)
        month = months.get(m.group(2).lower())
        if month is None:
            raise InvalidDate(f"{raw!r}: {m.group(2)!r} is not a month name the mapping knows")
        return _compose(raw, m.group(4), str(month), day, None, date_only)
    raise InvalidDate(f"{raw!r} is not a date in any form the bridge reads")


def _compose(
    raw: str, year: str, month: str | None, day: str | None, time: str | None, date_only: bool
) -> str:
    y = int(year)
    if y < 1000:
        raise InvalidDate(f"{raw!r}: year {year} is implausible")
    if month is None:
        if date_only:
            raise InvalidDate(f"{raw!r}: a full date (year, month and day) is needed here")
        return f"{y:04d}"
    mo = int(month)
    if not 1 <= mo <= 12:
        raise InvalidDate(f"{raw!r}: month {month} does not exist")
    if day is None:
        if date_only:
            raise InvalidDate(f"{raw!r}: a full date (year, month and day) is needed here")
        return f"{y:04d}-{mo:02d}"
    d = int(day)
    if d < 1 or d > 28 and d > calendar.monthrange(y, mo)[1]:
        raise InvalidDate(f"{raw!r}: day {day} does not exist in that month")
    date = f"{y:04d}-{mo:02d}-{d:02d}"
    if time:
        try:
            clock = _time(time)
        except InvalidDate as exc:
            raise InvalidDate(f"{raw!r}: {exc}") from None
        if not date_only:
            return date + clock
    return date


_TIME = re.compile(r"T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")


def _time(text: str) -> str:
    """xs:dateTime wants seconds, and a zone offset with a colon."""
    m = _TIME.fullmatch(text)
    assert m is not None  # _ISO only lets such times through
    hh, mm, ss, frac, zone = m.groups()
    if zone and zone != "Z" and ":" not in zone:
        zone = zone[:3] + ":" + zone[3:]
    # xs:dateTime (XSD 1.0 part 2, 3.2.7): hours 00-23 (24:00:00 only as the end of a day),
    # minutes and seconds 00-59, zone offsets at most 14:00. "25:00" is not a time to pass on.
    h, mi, s = int(hh), int(mm), int(ss or 0)
    if h > 24 or (h == 24 and (mi or s or float(frac or 0))):
        raise InvalidDate(f"hour {hh} does not exist")
    if mi > 59:
        raise InvalidDate(f"minute {mm} does not exist")
    if s > 59:
        raise InvalidDate(f"second {ss} does not exist")
    if zone and zone != "Z":
        zh, zm = int(zone[1:3]), int(zone[4:6])
        if zm > 59 or zh * 60 + zm > 14 * 60:
            raise InvalidDate(f"zone offset {zone} does not exist (at most 14:00)")
    return f"T{hh}:{mm}:{ss or '00'}{frac or ''}{zone or ''}"


def _key(value: str) -> str:
    return value[:10]


def earliest(values: list[str]) -> str:
    return min(values, key=_key)
