"""Every mapping loads with ingest's loader and reads only columns its file has."""

from __future__ import annotations

from tahqiq.generate.sources import COLUMNS, SOURCE_FILES, STREAM_FILES
from tahqiq.ingest.mapping import default_input, load_mapping

from .conftest import entries


def test_every_source_and_stream_has_a_mapping(province, manifest):
    names = set(entries(manifest))
    assert names == set(SOURCE_FILES) | set(STREAM_FILES)
    assert {p.stem for p in (province / "mappings").glob("*.yml")} == names


def test_mappings_load_and_read_only_present_columns(province, manifest, rows):
    for name, e in entries(manifest).items():
        path = province / "mappings" / f"{name}.yml"
        m = load_mapping(path)
        assert m.source == name
        assert m.format == e["format"]
        if e["format"] != "parquet":
            assert m.encoding == e["encoding"]
        present = set(rows[name][0])
        assert present == set(COLUMNS[name])
        assert m.columns <= present, f"{name}: mapping reads missing columns {sorted(m.columns - present)}"
        assert m.record_id == ["record_id"]
        assert default_input(m, path) == str((province / e["file"]).resolve())
