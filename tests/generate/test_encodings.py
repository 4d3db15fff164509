"""Each file decodes with its declared encoding, with the byte-order marks real exports have."""

from __future__ import annotations

import codecs

from tahqiq.generate.urdu import has_urdu

from .conftest import entries


def test_each_file_decodes_with_its_declared_encoding(province, manifest):
    for e in entries(manifest).values():
        data = (province / e["file"]).read_bytes()
        if e["format"] == "parquet":
            assert data[:4] == b"PAR1"
            continue
        text = data.decode(e["encoding"])  # strict
        assert text.splitlines()[0]
        assert e["rows"] > 0
        if e["format"] == "csv":
            assert sum(1 for _ in text.splitlines()) >= e["rows"] + 1


def test_byte_order_marks(province, manifest):
    s = manifest["sources"]
    assert (province / s["police_wanted"]["file"]).read_bytes().startswith(codecs.BOM_UTF8)
    assert (province / s["excise_vehicles"]["file"]).read_bytes().startswith(codecs.BOM_UTF16_LE)
    for name in ("nadra_id_registry", "bank_accounts", "police_fir"):
        raw = (province / s[name]["file"]).read_bytes()
        assert not raw.startswith(codecs.BOM_UTF8) and not raw.startswith(codecs.BOM_UTF16_LE)


def test_fir_file_is_cp1256_with_urdu_script(province, manifest, rows):
    raw = (province / manifest["sources"]["police_fir"]["file"]).read_bytes()
    try:
        raw.decode("utf-8")
        utf8 = True
    except UnicodeDecodeError:
        utf8 = False
    assert not utf8, "the FIR export should be Windows-1256, not UTF-8"
    urdu = [r for r in rows["police_fir"] if has_urdu(r["complainant_name"])]
    assert len(urdu) >= 0.2 * len(rows["police_fir"])


def test_registry_has_urdu_names(rows):
    nadra = rows["nadra_id_registry"]
    assert sum(has_urdu(r["name_urdu"]) for r in nadra) >= 0.9 * len(nadra)


def test_manifest_row_counts_match_files(manifest, rows):
    for name, e in entries(manifest).items():
        assert e["rows"] == len(rows[name]), name
    assert manifest["generator"] == "tahqiq" and manifest["version"] == 1
    assert manifest["reference_date"] == "2026-10-01"


def test_streams_are_time_ordered_in_pakistan_time(rows):
    for name in ("checkpoint_checks", "anpr_reads", "transactions"):
        times = [r["occurred_at"] for r in rows[name]]
        assert times == sorted(times), name
        assert all(t.endswith("+05:00") for t in times)
        assert max(times) < "2026-10-01T00:00:00+05:00"
