"""Hostile input (DESIGN section 7): an entity bomb, external entities and an external DTD
pointing at a local file and at a local network port, truncated bytes, and latin-1 bytes
declared as UTF-8. Each fails alone with an error issue naming its file; the real records
beside it in the same folder convert; the exit code is 1; and nothing is read from the
disk or the network on the hostile documents' behalf.

The good records are copied from the shared reference into tmp_path at test time.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from crisbridge.pipeline import Converter, RecordResult
from crisbridge.report import Status

GOOD_RECORDS = [
    "dspace-eur-pyoai/records/oai_dc/hdl_1765_1104.xml",
    "dspace-eur-pyoai/records/oai_dc/hdl_1765_1131.xml",
    "zenodo-oaipmh-scythe/records/datacite4/oai_zenodo.org_10357859.xml",
    "openaire-dnet-hadoop/records/oai_dc/oai_lib.psnc.pl_169.xml",
]
DC_OPEN = (
    '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/">'
)
SECRET = "crisbridge-secret-7f3a9c"


class Listener:
    """A TCP port on 127.0.0.1 that records whether anybody connected to it."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture()
def listener() -> Iterator[Listener]:
    probe = Listener()
    # the probe itself must notice a caller, or "no connection" would prove nothing
    socket.create_connection(("127.0.0.1", probe.port), timeout=2).close()
    for _ in range(50):
        if probe.connections:
            break
        threading.Event().wait(0.05)
    assert probe.connections == 1
    probe.connections = 0
    yield probe
    probe.close()


def _hostile(folder: Path, secret_file: Path, port: int, reference: Path) -> dict[str, bytes]:
    """name -> document bytes"""
    levels = ['<!ENTITY lol0 "lollollollollollollollollollol">']
    for i in range(1, 10):
        levels.append(f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">')
    bomb = '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n' + "\n".join(levels) + "\n]>\n" + DC_OPEN + "<dc:title>&lol9;</dc:title></oai_dc:dc>\n"
    secret_url = secret_file.resolve().as_uri()
    real = (reference / "real-records" / GOOD_RECORDS[0]).read_bytes()
    text = real.decode("utf-8")
    assert "ê" in text  # the record holds a character latin-1 writes as one byte, invalid in UTF-8
    return {
        "entity-bomb.xml": bomb.encode(),
        "external-entity-file.xml": (
            f'<?xml version="1.0"?>\n<!DOCTYPE r [ <!ENTITY xxe SYSTEM "{secret_url}"> ]>\n'
            + DC_OPEN + "<dc:title>&xxe;</dc:title></oai_dc:dc>\n"
        ).encode(),
        "external-entity-passwd.xml": (
            '<?xml version="1.0"?>\n<!DOCTYPE r [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n'
            + DC_OPEN + "<dc:title>&xxe;</dc:title><dc:description>&xxe;</dc:description></oai_dc:dc>\n"
        ).encode(),
        "external-entity-network.xml": (
            f'<?xml version="1.0"?>\n<!DOCTYPE r [ <!ENTITY xxe SYSTEM "http://127.0.0.1:{port}/entity"> ]>\n'
            + DC_OPEN + "<dc:title>&xxe;</dc:title></oai_dc:dc>\n"
        ).encode(),
        "parameter-entity.xml": (
            f'<?xml version="1.0"?>\n<!DOCTYPE r [ <!ENTITY % p SYSTEM "http://127.0.0.1:{port}/p.dtd"> %p; ]>\n'
            + DC_OPEN + "<dc:title>A title</dc:title></oai_dc:dc>\n"
        ).encode(),
        "external-dtd-network.xml": (
            f'<?xml version="1.0"?>\n<!DOCTYPE oai_dc:dc SYSTEM "http://127.0.0.1:{port}/oai_dc.dtd">\n'
            + DC_OPEN + "<dc:title>A title</dc:title></oai_dc:dc>\n"
        ).encode(),
        "external-dtd-file.xml": (
            f'<?xml version="1.0"?>\n<!DOCTYPE oai_dc:dc PUBLIC "-//crisbridge//test//EN" "{secret_url}">\n'
            + DC_OPEN + "<dc:title>A title</dc:title></oai_dc:dc>\n"
        ).encode(),
        "truncated.xml": real[: len(real) // 2],
        "latin1-declared-utf8.xml": text.encode("latin-1", errors="xmlcharrefreplace"),
    }


@pytest.fixture()
def batch(tmp_path: Path, reference: Path, listener: Listener) -> tuple[Path, dict[str, bytes]]:
    folder = tmp_path / "harvest"
    folder.mkdir()
    for rel in GOOD_RECORDS:
        shutil.copy(reference / "real-records" / rel, folder / Path(rel).name)
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(SECRET + "\n", encoding="utf-8")
    hostile = _hostile(folder, secret_file, listener.port, reference)
    for name, data in hostile.items():
        (folder / name).write_bytes(data)
    return folder, hostile


def test_each_hostile_document_fails_alone_and_the_real_records_convert(batch: tuple[Path, dict[str, bytes]], listener: Listener) -> None:
    folder, hostile = batch
    results = [r for r in Converter().convert([folder]) if isinstance(r, RecordResult)]
    by_file = {Path(r.source).name: r for r in results}
    assert len(results) == len(by_file) == len(hostile) + len(GOOD_RECORDS)  # one result each

    for rel in GOOD_RECORDS:
        good = by_file[Path(rel).name]
        assert good.status is Status.CONVERTED, (rel, [i.message for i in good.issues])

    for name in hostile:
        r = by_file[name]
        assert r.status is Status.FAILED, (name, r.status, [i.code for i in r.issues])
        assert not r.entities
        errors = [i for i in r.issues if i.severity.value == "error"]
        assert len(errors) == 1, (name, r.issues)
        issue = errors[0]
        assert issue.location.file == str(folder / name)
        assert name in issue.message, issue.message
        assert issue.code.startswith("xml."), issue.code

    codes = {name: by_file[name].issues[0].code for name in hostile}
    assert codes["entity-bomb.xml"] == "xml.entity-declared"
    assert codes["external-entity-passwd.xml"] == "xml.entity-declared"
    assert codes["truncated.xml"] == "xml.not-well-formed"
    assert codes["latin1-declared-utf8.xml"] == "xml.not-well-formed"
    assert "encoding" in by_file["latin1-declared-utf8.xml"].issues[0].message
    assert codes["external-dtd-network.xml"] == codes["external-dtd-file.xml"] == "xml.external-dtd"
    assert listener.connections == 0


def test_the_command_line_writes_the_good_records_and_exits_1(batch: tuple[Path, dict[str, bytes]], listener: Listener, tmp_path: Path, oai_pmh_schema: Any) -> None:
    folder, hostile = batch
    out, report = tmp_path / "out.xml", tmp_path / "report.json"
    run = subprocess.run(
        [sys.executable, "-m", "crisbridge", "convert", str(folder), "-o", str(out), "--report", str(report)],
        capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    summary = data["summary"]
    assert summary["records"] == len(GOOD_RECORDS) + len(hostile)
    assert summary["converted"] == len(GOOD_RECORDS)
    assert summary["failed"] == len(hostile)
    failed = {Path(r["source"]).name for r in data["records"] if r["status"] == "failed"}
    assert failed == set(hostile)

    document = etree.parse(str(out))
    assert oai_pmh_schema.validate(document), oai_pmh_schema.error_log
    assert len(document.findall(".//{http://www.openarchives.org/OAI/2.0/}record")) == len(GOOD_RECORDS)
    everything = out.read_bytes() + report.read_bytes() + run.stdout.encode() + run.stderr.encode()
    assert SECRET.encode() not in everything  # the secret file was never read into anything
    assert b"root:x:0:0" not in everything  # nor /etc/passwd
    assert b"lollollol" not in everything  # nor the bomb expanded
    assert listener.connections == 0  # and nobody called the network


def test_a_response_cut_short_keeps_the_records_before_the_cut(reference: Path, tmp_path: Path) -> None:
    # a real Zenodo ListRecords response, cut inside its third record
    source = reference / "real-records/zenodo-oaipmh-scythe/responses/2024-01_c61fab3/list_records_00_ListRecords_oai_dc.xml"
    data = source.read_bytes()
    third = data.index(b"<record", data.index(b"<record", data.index(b"<record") + 1) + 1)
    cut = tmp_path / "cut.xml"
    cut.write_bytes(data[: third + 200])
    results = [r for r in Converter().convert([cut]) if isinstance(r, RecordResult)]
    assert [r.status for r in results[:-1]] and all(r.status is not Status.FAILED for r in results[:-1])
    assert len(results) == 3
    assert results[-1].status is Status.FAILED
    assert results[-1].issues[0].code == "xml.not-well-formed"
    assert results[-1].issues[0].location.file == str(cut)
    assert results[-1].issues[0].location.line is not None


def test_a_bomb_given_to_the_library_as_bytes_fails_as_a_result_not_an_exception(tmp_path: Path, reference: Path) -> None:
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(SECRET, encoding="utf-8")
    hostile = _hostile(tmp_path, secret_file, 9, reference)
    for name, data in hostile.items():
        result = Converter().convert_one(data, source=name)
        assert result.status is Status.FAILED, name
        assert result.issues[0].location.file == name
        assert SECRET.encode() not in result.xml


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("deep.xml", "<dc:description>" + "<x>" * 5000 + "</x>" * 5000 + "</dc:description>"),
        ("huge-text.xml", "<dc:description>" + "a" * 12_000_000 + "</dc:description>"),
    ],
)
def test_tree_size_is_bounded(name: str, body: str, tmp_path: Path, reference: Path) -> None:
    # libxml2's default limits stay on (no huge_tree): absurd depth or text length fails alone
    (tmp_path / name).write_text(DC_OPEN + "<dc:title>T</dc:title>" + body + "</oai_dc:dc>", encoding="utf-8")
    shutil.copy(reference / "real-records" / GOOD_RECORDS[0], tmp_path / "good.xml")
    results = {Path(r.source).name: r for r in Converter().convert([tmp_path]) if isinstance(r, RecordResult)}
    assert results["good.xml"].status is Status.CONVERTED
    assert results[name].status is Status.FAILED
    assert results[name].issues[0].code == "xml.not-well-formed"
    assert name in results[name].issues[0].message
