"""Identifiers are valid except in the rows listed in truth/bad_rows.csv, and ingest rejects exactly those."""

from __future__ import annotations

import re
from datetime import datetime

import phonenumbers
import pytest

from tahqiq.generate.identifiers import iban_valid
from tahqiq.model.places import find_district

from .conftest import entries

CNIC = re.compile(r"^\d{5}([- ]?)\d{7}\1\d$")
PLATE = re.compile(r"^[A-Za-z]{2,3}[- ]?(\d{2}[- ]?)?\d{1,4}$")
VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
FRAME = re.compile(r"^[A-Z0-9]{2,8}-\d{4,8}$")

# columns to check: source -> {column: kind}
CHECKS = {
    "nadra_id_registry": {"cnic": "cnic", "dob": "date:%d-%m-%Y", "district": "district",
                          "issue_date": "date:%d-%m-%Y"},
    "police_fir": {"complainant_cnic": "cnic", "accused_cnic": "cnic", "complainant_phone": "phone",
                   "reported_at": "datetime", "occurred_at": "datetime", "district": "district",
                   "stolen_vehicle_no": "plate"},
    "police_wanted": {"cnic": "cnic", "issued_on": "date:%d.%m.%Y|%d/%m/%Y", "district": "district"},
    "excise_vehicles": {"owner_cnic": "cnic", "registration_no": "plate", "chassis_no": "chassis",
                        "registration_date": "date:%d/%m/%Y", "district": "district"},
    "telecom_subscribers": {"msisdn": "phone", "cnic": "cnic", "activation_date": "date:%Y-%m-%d",
                            "district": "district"},
    "bank_accounts": {"iban": "iban", "cnic": "cnic", "mobile": "phone", "opened_on": "date:%d-%b-%Y",
                      "dob": "date:%d/%m/%Y"},
    "bank_str": {"payer_iban": "iban", "payee_iban": "iban", "subject_cnic": "cnic", "transaction_time": "datetime"},
    "cybercrime_complaints": {"complainant_cnic": "cnic", "complainant_phone": "phone", "suspect_phone": "phone",
                              "suspect_iban": "iban", "district": "district", "reported_at": "datetime"},
    "osint_events": {"district": "district", "occurred_at": "datetime"},
    "checkpoint_checks": {"cnic": "cnic", "district": "district", "occurred_at": "datetime"},
    "anpr_reads": {"plate": "camera_plate", "district": "district", "occurred_at": "datetime"},
    "transactions": {"payer_iban": "iban", "payee_iban": "iban", "occurred_at": "datetime"},
}


def valid(kind: str, value: str) -> bool:
    if kind == "cnic":
        return bool(CNIC.match(value)) and value[0] != "0"
    if kind == "phone":
        try:
            return phonenumbers.is_valid_number(phonenumbers.parse(value, "PK"))
        except phonenumbers.NumberParseException:
            return False
    if kind == "iban":
        return iban_valid(value)
    if kind == "plate":
        return bool(PLATE.match(value))
    if kind == "camera_plate":  # what a camera read: any plate shape, letters then digits (a misread may shift them)
        return bool(re.fullmatch(r"[A-Z]{1,5}\d{1,6}", value))
    if kind == "chassis":
        return bool(VIN.match(value) or FRAME.match(value))
    if kind == "district":
        return find_district(value) is not None
    if kind == "datetime":
        try:
            return datetime.fromisoformat(value).utcoffset().total_seconds() == 5 * 3600
        except ValueError:
            return False
    if kind.startswith("date:"):
        for fmt in kind[5:].split("|"):
            try:
                datetime.strptime(value, fmt)
                return True
            except ValueError:
                pass
        return False
    raise AssertionError(kind)


def test_values_are_valid_except_listed_bad_rows(rows, truth):
    listed = {(b["source"], b["record_id"], b["field"]) for b in truth["bad_rows"]}
    found = set()
    checked = 0
    for source, checks in CHECKS.items():
        for r in rows[source]:
            for col, kind in checks.items():
                value = r.get(col)
                if value in (None, ""):
                    continue
                checked += 1
                if not valid(kind, str(value)):
                    found.add((source, r["record_id"], col))
    assert checked > 10_000
    assert found == listed


def test_bad_rows_are_about_two_in_a_thousand(rows, truth):
    total = sum(len(rs) for rs in rows.values())
    bad = len(truth["bad_rows"])
    # Plates an ANPR camera misread into a shape no plate has are the cameras' own bad rows.
    camera = sum(1 for b in truth["bad_rows"] if b["source"] == "anpr_reads")
    assert 0 < bad - camera < total * 0.006
    assert camera < len(rows["anpr_reads"]) * 0.04
    assert {b["why"] for b in truth["bad_rows"]} <= {
        "CNIC has 12 digits", "not a valid Pakistani phone number", "date does not exist", "unknown district",
        "plate must be letters then digits (e.g. LEA-1234)", "plate needs 1-5 letters and 1-6 digits (e.g. LEA-1234, "
        "LEB-09-1234)"}
    assert len({(b["source"], b["record_id"]) for b in truth["bad_rows"]}) == bad  # one bad field per row


def test_cnic_gender_digit_and_punjab_prefix(rows):
    for r in rows["nadra_id_registry"]:
        digits = r["cnic"].replace("-", "")
        if len(digits) != 13:
            continue  # a listed bad row
        assert digits[0] == "3"
        assert int(digits[-1]) % 2 == (1 if r["gender"] == "M" else 0)


def test_phone_formats_vary_but_all_are_pakistani_mobiles(rows):
    shapes = set()
    for r in rows["telecom_subscribers"]:
        m = r["msisdn"]
        shapes.add(re.sub(r"\d", "9", m))
    assert {"999999999999", "99999999999", "+99 999 9999999", "9999-9999999"} <= shapes


def test_plate_formats_vary(rows):
    excise = {r["registration_no"] for r in rows["excise_vehicles"]}
    assert any(re.fullmatch(r"[A-Z]{3}-\d{2}-\d+", p) for p in excise)  # LEB-09-1234
    assert any(re.fullmatch(r"[A-Z]{3}-\d+", p) for p in excise)  # LEA-1234
    # What the cameras read: letters then digits without a separator, except a few misread characters
    # (a look-alike confusion such as 0/O or B/8, or a dropped character) at about the cameras' rates.
    reads = [r["plate"] for r in rows["anpr_reads"]]
    assert all(re.fullmatch(r"[A-Z0-9]{2,9}", p) for p in reads)
    odd = sum(1 for p in reads if not re.fullmatch(r"[A-Z]{3}\d+", p))
    assert 0.005 * len(reads) < odd < 0.05 * len(reads)


def test_ingest_quarantines_exactly_the_listed_rows(province, manifest, truth):
    """Run every generated file through ingest's own reader and row mapper (no database)."""
    rowmap = pytest.importorskip("tahqiq.ingest.rowmap")
    readers = pytest.importorskip("tahqiq.ingest.readers")
    from tahqiq.ingest.mapping import default_input, load_mapping

    rejected = set()
    for name in entries(manifest):
        path = province / "mappings" / f"{name}.yml"
        mapping = load_mapping(path)
        inp = readers.open_input(mapping, default_input(mapping, path))
        mapper = rowmap.RowMapper(mapping)
        for number, row in inp.rows:
            assert not isinstance(row, readers.BadRow), (name, number, row)
            result = mapper.map(row, number)
            if isinstance(result, rowmap.Rejection):
                column = re.search(r"\((.*)\)", result.field or "")
                rejected.add((name, row["record_id"], column.group(1) if column else result.field))
    listed = {(b["source"], b["record_id"], b["field"]) for b in truth["bad_rows"]}
    assert rejected == listed
