"""Round trips: a record to CERIF XML and back to its own format, compared field by field.

The corpus test runs DC -> CERIF -> DC and DataCite -> CERIF -> DataCite over every real record
of the shared reference and asserts that no value is lost without a mapping file saying why;
run it with ``-s`` to see the retention of each field. The small cases pin what each outcome
means: a DOI with and without its resolver is the same value, a version type is a documented
loss, an element no rule reads and no file explains is an unexpected one (exit 1).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from crisbridge.roundtrip import Outcome, RoundTrip, RoundTripResult
from crisbridge.report import Status

DC_HEAD = ('<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/">')


def dc_record(tmp_path: Path, body: str, name: str = "record.xml") -> Path:
    path = tmp_path / name
    path.write_text(f"{DC_HEAD}<dc:title>A title</dc:title>{body}</oai_dc:dc>", encoding="utf-8")
    return path


def outcomes(result: RoundTripResult, field: str | None = None) -> list[Outcome]:
    return [o for r in result.records for o in r.outcomes if field is None or o.field == field]


# -- what each outcome means ------------------------------------------------------------------


def test_a_doi_with_and_without_its_resolver_is_the_same_value(tmp_path: Path) -> None:
    path = dc_record(tmp_path, "<dc:identifier>doi:10.5555/abc.1</dc:identifier><dc:type>info:eu-repo/semantics/article</dc:type>")
    result = RoundTrip().run([path])
    (record,) = result.records
    assert record.status is Status.CONVERTED
    (doi,) = outcomes(result, "dc:identifier")
    assert (doi.outcome, doi.value, doi.to) == ("respelled", "doi:10.5555/abc.1", "https://doi.org/10.5555/abc.1")
    assert doi.rule and doi.rule.startswith("oai_dc.yaml:") and "(identifier)" in doi.rule
    assert doi.out_rule and doi.out_rule.startswith("oai_dc.yaml:") and "(doi)" in doi.out_rule
    assert record.carried == {"dc:title": 1, "dc:type": 1}
    assert result.exit_code == 0


def test_a_loss_the_profile_forces_is_known_and_says_why(tmp_path: Path) -> None:
    path = dc_record(tmp_path, "<dc:type>info:eu-repo/semantics/article</dc:type><dc:type>info:eu-repo/semantics/publishedVersion</dc:type>"
                               "<dc:contributor>Ed, Itor</dc:contributor>")
    result = RoundTrip().run([path])
    version = next(o for o in outcomes(result, "dc:type") if o.outcome == "lost")
    assert version.loss == "known"
    assert "COAR version types have no slot" in str(version.reason) and "(version-type)" in str(version.rule)
    (contributor,) = outcomes(result, "dc:contributor")
    assert contributor.loss == "known" and "no_place: contributor" in str(contributor.reason)
    assert result.summary.lost_unexpected == 0 and result.exit_code == 0


def test_a_value_changed_on_the_way_says_how(tmp_path: Path) -> None:
    # ISO 639-3 (the Guidelines' dc:language) has no region
    result = RoundTrip().run([dc_record(tmp_path, "<dc:language>en_US</dc:language>")])
    (language,) = outcomes(result, "dc:language")
    assert (language.outcome, language.to) == ("changed", "eng")
    assert language.how == "languages: 'en-US' -> 'en'" and "no region" in str(language.reason)


def test_a_loss_no_mapping_file_explains_is_an_error(tmp_path: Path) -> None:
    path = dc_record(tmp_path, "<dc:notadcelement>kept nowhere</dc:notadcelement>")
    result = RoundTrip().run([path])
    (lost,) = outcomes(result, "dc:notadcelement")
    assert (lost.outcome, lost.loss) == ("lost", "unexpected")
    # beside what convert says of the record (no dc:type: map.no-type)
    (issue,) = [i for i in result.records[0].issues if i.severity.value == "error"]
    assert (issue.code, issue.severity.value, issue.location.xpath) == ("roundtrip.lost", "error", "/oai_dc:dc/dc:notadcelement")
    assert result.exit_code == 1


DATACITE_HEAD = '<resource xmlns="http://datacite.org/schema/kernel-4">'


def datacite_record(tmp_path: Path, body: str, name: str = "datacite.xml") -> Path:
    path = tmp_path / name
    path.write_text(f'{DATACITE_HEAD}<identifier identifierType="DOI">10.5555/ABC</identifier>'
                    "<creators><creator><creatorName>Doe, Jane</creatorName></creator></creators>"
                    f"<titles><title>A title</title></titles><publisher>Pub</publisher><publicationYear>2020</publicationYear>{body}</resource>",
                    encoding="utf-8")
    return path


def test_an_issn_check_digit_in_lower_case_is_a_respelling(tmp_path: Path) -> None:
    result = RoundTrip().run([dc_record(tmp_path, "<dc:identifier>issn:2434-561x</dc:identifier><dc:type>info:eu-repo/semantics/article</dc:type>")])
    (issn,) = outcomes(result, "dc:identifier")
    assert (issn.outcome, issn.to) == ("respelled", "urn:issn:2434-561X")
    assert issn.how == "text(): 'issn:2434-561x' -> 'urn:issn:2434-561X'"


def test_a_free_text_type_that_did_not_come_back_is_a_change_not_a_respelling(tmp_path: Path) -> None:
    # the mapping reads resourceTypeGeneral only: the free text reads the same whatever it says,
    # so "same reading" is no proof that it came back; Project and Other are one COAR type, but
    # two terms of DataCite's list
    path = datacite_record(tmp_path, '<resourceType resourceTypeGeneral="Project">Research Project</resourceType>')
    result = RoundTrip().run([path])
    (rtype,) = outcomes(result, "datacite:resourceType")
    assert (rtype.outcome, rtype.loss, rtype.to) == ("changed", "known", '[resourceTypeGeneral="Other"] other')
    assert "@resourceTypeGeneral: 'Project' -> 'Other' (another term of datacite_resource_types)" in str(rtype.how)
    assert "text(): 'Research Project' -> 'other'" in str(rtype.how)
    assert "no_place: resourceType/text()" in str(rtype.reason) and "writes 'Other' back" in str(rtype.reason)
    assert result.fields["datacite"]["datacite:resourceType"].retention == 0.0
    assert result.exit_code == 0


def test_a_real_free_text_type_is_changed(reference: Path) -> None:
    record = reference / "real-records" / "datacite-bolognese" / "original" / "spec" / "fixtures" / "datacite-by-nd-4.0.xml"
    (rtype,) = outcomes(RoundTrip().run([record]), "datacite:resourceType")
    assert rtype.outcome == "changed" and rtype.loss == "known"
    assert rtype.how == "text(): '01A - Beitrag in wissenschaftlicher Zeitschrift' -> 'other'"


def test_a_grant_agreement_without_its_jurisdiction_is_a_documented_change(tmp_path: Path) -> None:
    grant = "info:eu-repo/grantAgreement/EC/H2020/817949/EU/Contract solutions/CONSOLE"
    result = RoundTrip().run([dc_record(tmp_path, f"<dc:relation>{grant}</dc:relation><dc:type>info:eu-repo/semantics/article</dc:type>")])
    (relation,) = outcomes(result, "dc:relation")
    assert (relation.outcome, relation.loss) == ("changed", "known")
    assert relation.to == "info:eu-repo/grantAgreement/EC/H2020/817949//Contract solutions/CONSOLE"
    assert "no_place: relation/text()" in str(relation.reason) and "jurisdiction" in str(relation.reason)
    # an agreement without one comes back as it was
    result = RoundTrip().run([dc_record(tmp_path, "<dc:relation>info:eu-repo/grantAgreement/EC/FP7/226852</dc:relation>")])
    assert result.records[0].carried["dc:relation"] == 1


def test_a_part_no_mapping_file_explains_is_an_error(tmp_path: Path) -> None:
    # the keyword comes back, its scheme does not, and no mapping file says why
    result = RoundTrip().run([dc_record(tmp_path, '<dc:subject scheme="DDC">330</dc:subject><dc:type>info:eu-repo/semantics/article</dc:type>')])
    (subject,) = outcomes(result, "dc:subject")
    assert (subject.outcome, subject.loss, subject.how) == ("changed", "unexpected", "@scheme: 'DDC' -> (none)")
    (issue,) = [i for i in result.records[0].issues if i.code == "roundtrip.lost"]
    assert issue.severity.value == "error" and issue.location.xpath == "/oai_dc:dc/dc:subject"
    assert result.summary.changed_unexpected == 1 and result.exit_code == 1


def test_datacite_geolocations_and_other_contributor_roles_are_known_losses(reference: Path) -> None:
    result = RoundTrip().run([reference / "datacite" / "kernel-4.7" / "example" / "datacite-example-full-v4.xml"])
    geo = outcomes(result, "datacite:geoLocations/datacite:geoLocation")
    assert geo and all(o.loss == "known" and "geographic" in str(o.reason) for o in geo)
    roles = [o for o in outcomes(result, "datacite:contributors/datacite:contributor") if o.outcome == "lost"]
    assert roles and all(o.loss == "known" for o in roles)
    assert all("editors only" in str(o.reason) for o in roles if 'contributorType="Editor"' not in str(o.value))
    # the example is a dataset: a Product, which the profile gives no Editors
    (editor,) = [o for o in roles if 'contributorType="Editor"' in str(o.value)]
    assert "Product in profile 1.2 has no Editors" in str(editor.reason)
    carried = result.records[0].carried
    assert carried["datacite:identifier"] == 1 and carried["datacite:creators/datacite:creator"] == 2
    funding = outcomes(result, "datacite:fundingReferences/datacite:fundingReference")
    assert all(o.outcome in ("carried", "respelled") for o in funding)
    assert result.summary.lost_unexpected == 0


def test_via_rdf_tells_the_same_story(reference: Path) -> None:
    folder = reference / "real-records" / "zenodo-oaipmh-scythe" / "records"
    via_cerif, via_rdf = RoundTrip(via="cerif").run([folder]), RoundTrip(via="rdf").run([folder])
    assert via_rdf.to_json()["fields"] == via_cerif.to_json()["fields"]


# -- the real corpus --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus(reference: Path) -> RoundTripResult:
    return RoundTrip().run([reference / "real-records"])


def test_no_value_of_the_corpus_is_lost_without_a_reason(corpus: RoundTripResult) -> None:
    unexpected = [(r.source, o.field, o.value, o.how, o.reason) for r in corpus.records for o in r.outcomes if o.loss == "unexpected"]
    assert not unexpected, unexpected[:20]
    for o in outcomes(corpus):
        if o.outcome == "lost":
            assert o.reason, o  # every loss says why, and names the rule or the mapping file that does
            assert o.rule or "no_place" in o.reason or "not an element of" in o.reason, o
        if o.outcome == "changed":
            assert o.how, o  # every change says how


def test_respelled_means_the_mapping_reads_both_spellings_alike(corpus: RoundTripResult) -> None:
    # what the mapping does not read (a free-text type, a subject's scheme, a title's type) never
    # passes for a respelling; what it normalises (resolvers, ISBN hyphens, language codes) does
    respelled = outcomes(corpus)
    assert not [o for o in respelled if o.outcome == "respelled" and o.field == "datacite:resourceType" and "text()" in str(o.how)]
    assert not [o for o in respelled if o.outcome == "respelled" and ("@subjectScheme" in str(o.how) or "@titleType" in str(o.how))]
    hows = {str(o.how) for o in respelled if o.outcome == "respelled"}
    assert "text(): '90-9017382-X' -> 'urn:isbn:909017382X'" in hows
    assert "text(): 'https://doi.org/10.5072/M32163' -> '10.5072/M32163'" in hows


def test_both_round_trips_ran_over_the_corpus(corpus: RoundTripResult) -> None:
    tallies = corpus.fields
    assert sum(t.values for t in tallies["oai_dc"].values()) > 10000
    assert sum(t.values for t in tallies["datacite"].values()) > 5000
    # the fields every repository record has come back (a Product's subtitle has no place in the profile)
    for fmt, field in (("oai_dc", "dc:title"), ("oai_dc", "dc:creator"), ("oai_dc", "dc:subject"), ("oai_dc", "dc:description"),
                       ("datacite", "datacite:identifier"), ("datacite", "datacite:creators/datacite:creator"),
                       ("datacite", "datacite:titles/datacite:title"), ("datacite", "datacite:publisher"), ("datacite", "datacite:publicationYear")):
        assert tallies[fmt][field].kept >= 0.95, (fmt, field, tallies[fmt][field])
    # and most say what they said (dLibra's creators lose the xml:lang="pl" it puts on every
    # name, DataCite titles their titleType: changed, not retained)
    for fmt, field in (("oai_dc", "dc:title"), ("oai_dc", "dc:subject"), ("oai_dc", "dc:description"), ("datacite", "datacite:identifier"),
                       ("datacite", "datacite:creators/datacite:creator"), ("datacite", "datacite:publicationYear")):
        assert tallies[fmt][field].retention >= 0.95, (fmt, field, tallies[fmt][field])
    assert tallies["oai_dc"]["dc:creator"].retention >= 0.85
    # records fail only for their own reasons (unreadable, no title, not a format with a writer,
    # nothing to fill a field the format requires, as in convert --to datacite:
    # test_aggregator_records)
    codes = {i.code for r in corpus.records if r.status is Status.FAILED for i in r.issues if i.severity.value == "error"}
    assert codes <= {"xml.not-well-formed", "xml.empty", "map.no-title", "input.unknown-format", "roundtrip.no-writer", "out.missing-required"}


def test_print_the_retention_of_each_field(corpus: RoundTripResult, request: pytest.FixtureRequest) -> None:
    """The per-field figures of both round trips, printed with ``pytest -s``."""
    lines = []
    for fmt in ("oai_dc", "datacite"):
        for name, t in sorted(corpus.fields[fmt].items(), key=lambda kv: -kv[1].values):
            lines.append(f"{fmt:9} {name:58} {t.values:6} retained {t.retention:6.1%} kept {t.kept:6.1%}  "
                         f"(carried {t.carried}, respelled {t.respelled}, merged {t.merged}, changed {t.changed}, "
                         f"lost: {t.lost_known} documented, {t.lost_rejected} invalid, {t.lost_unexpected} unexpected)")
    assert any(line.startswith("oai_dc    dc:title ") for line in lines)
    if request.config.getoption("capture") == "no":
        print("\n" + "\n".join(lines))


# -- the command line -------------------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "crisbridge", *args], capture_output=True, timeout=600)


def test_cli_roundtrip_report(tmp_path: Path) -> None:
    good = dc_record(tmp_path, "<dc:identifier>https://doi.org/10.5555/abc.1</dc:identifier>", "good.xml")
    report = tmp_path / "report.json"
    done = run_cli("roundtrip", str(good), "--report", str(report))
    assert done.returncode == 0, done.stderr
    data: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    s = data["summary"]
    assert s["records"] == s["converted"] + s["deleted"] + s["failed"] == 1
    assert data["fields"]["oai_dc"]["dc:title"]["retention"] == 1.0
    assert data["records"][0]["source_id"] == "https://doi.org/10.5555/abc.1"
    assert b"dc:title" in done.stdout  # the per-field table

    dc_record(tmp_path, "<dc:notadcelement>x</dc:notadcelement>", "bad.xml")
    done = run_cli("roundtrip", str(tmp_path / "bad.xml"), "--via", "rdf")
    assert done.returncode == 1
    assert b"roundtrip.lost" in done.stdout and b"/oai_dc:dc/dc:notadcelement" in done.stdout


def test_records_that_fail_on_their_own_fail_as_in_convert(reference: Path, tmp_path: Path) -> None:
    """DESIGN 4: exit 1 when some record failed, whatever the command; the report and the
    terminal tell a record that failed on its own (not well-formed, no title, a format with no
    writer back) from a value lost in the round trip, and count records as convert does."""
    real = reference / "real-records"
    inputs = [real / "datacite-oaip" / "original" / "spec" / "fixtures",  # 4 records, and 2 without a title
              real / "dspace-eur-pyoai" / "original" / "fake3" / "00001.xml",  # not well-formed
              real / "openaire-dnet-hadoop" / "records" / "oaire" / "oai_pub.uni-bielefeld.de_1997560.xml",  # oai_openaire: no writer back
              real / "openaire-dnet-hadoop" / "records-aggregator-transformed" / "datacite4" / "10.1155_2015_439379.xml"]  # not a format read
    trip_report, convert_report = tmp_path / "roundtrip.json", tmp_path / "convert.json"
    trip = run_cli("roundtrip", *map(str, inputs), "--report", str(trip_report))
    convert = run_cli("convert", *map(str, inputs), "--to", "cerif", "-o", str(tmp_path / "out.xml"), "--report", str(convert_report))
    assert (trip.returncode, convert.returncode) == (1, 1), trip.stderr
    data, converted = json.loads(trip_report.read_text(encoding="utf-8")), json.loads(convert_report.read_text(encoding="utf-8"))
    s = data["summary"]
    assert s["records"] == s["converted"] + s["deleted"] + s["failed"] == converted["summary"]["records"] == 9
    assert (s["failed"], s["lost_unexpected"], s["changed_unexpected"]) == (5, 0, 0)
    # the same failures with the same reasons, but the oai_openaire record, which converts and cannot come back
    def failed_because(report: dict[str, Any]) -> dict[str, str]:
        return {r["source"]: next(i["code"] for i in r["issues"] if i["severity"] == "error") for r in report["records"] if r["status"] == "failed"}

    failed = failed_because(data)
    assert sorted(failed.values()) == ["input.unknown-format", "map.no-title", "map.no-title", "roundtrip.no-writer", "xml.not-well-formed"]
    assert failed_because(converted) == {k: v for k, v in failed.items() if v != "roundtrip.no-writer"}
    # a record both commands took says the same about it
    def said(report: dict[str, Any]) -> dict[str, list[str]]:
        return {r["source"] + str(r["source_id"]): sorted(i["code"] for i in r["issues"] if i["code"] not in ("roundtrip.lost", "batch.repeated-id"))
                for r in report["records"] if r["status"] == "converted"}
    both = said(data).keys() & said(converted).keys()
    assert len(both) == 4 and all(said(data)[k] == said(converted)[k] for k in both)
    # each failure is said with its reason on standard error, never as a loss
    err = trip.stderr.decode()
    assert "fake3/00001.xml: xml.not-well-formed" in err and "map.no-title" in err and "roundtrip.no-writer" in err
    assert "exit 1: 5 records failed on their own and were not round-tripped" in err and "no value was lost unexpectedly" in err
    assert b"roundtrip.lost" not in trip.stdout


def test_the_exit_code_tells_failures_from_losses(tmp_path: Path) -> None:
    (tmp_path / "broken.xml").write_text("<oai_dc:dc", encoding="utf-8")
    dc_record(tmp_path, "<dc:type>info:eu-repo/semantics/article</dc:type>", "fine.xml")
    result = RoundTrip().run([tmp_path])
    assert (result.summary.failed, result.summary.lost_unexpected, result.exit_code) == (1, 0, 1)
    assert result.exit_reasons() == ["1 record failed on its own and was not round-tripped (1 xml.not-well-formed)"]
    dc_record(tmp_path, "<dc:notadcelement>kept nowhere</dc:notadcelement>", "lossy.xml")
    reasons = RoundTrip().run([tmp_path]).exit_reasons()
    assert reasons[1] == "1 value lost and 0 changed in a way no mapping file explains (roundtrip.lost)"

