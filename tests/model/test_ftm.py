"""followthemoney export/import: FtM tools can read what Tahqiq writes, and a round trip is lossless."""

import json

from followthemoney import model as ftm_model
from sqlalchemy import select
from sqlalchemy.orm import Session

from tahqiq.ingest.ftm_import import import_ftm
from tahqiq.model.entity import EntityView, Value
from tahqiq.model.ftm import from_ftm, to_ftm
from tahqiq.store.tables import Statement


def entity(schema, props, id_="0" * 32):
    view = EntityView(id_, schema, "test_source")
    for name, values in props.items():
        view.properties[name] = [Value(v, None, None, "test_source", "r1", 1, None) for v in values]
    return view


def test_person_exports_as_valid_ftm():
    person = entity("Person", {"name": ["Muhammad Aslam", "محمد اسلم"], "cnic": ["35202-1234567-1"],
                               "birthDate": ["1990-03-12"], "district": ["Lahore"]})
    data = to_ftm(person)
    proxy = ftm_model.get_proxy(data)
    assert proxy.schema.name == "Person"
    assert set(proxy.get("name")) == {"Muhammad Aslam", "محمد اسلم"}
    assert proxy.get("idNumber") == ["35202-1234567-1"]
    assert data["tahqiq"]["properties"]["district"] == ["Lahore"]  # kept although FtM has no slot


def test_phone_exports_as_user_account_and_round_trips():
    phone = entity("Phone", {"number": ["+923001234567"], "operator": ["Jazz"]})
    data = to_ftm(phone)
    assert data["schema"] == "UserAccount" and data["properties"]["phone"] == ["+923001234567"]
    schema, props = from_ftm(data)
    assert schema.name == "Phone" and props == {"number": ["+923001234567"], "operator": ["Jazz"]}


def test_foreign_ftm_entity_maps_back():
    schema, props = from_ftm({"id": "x", "schema": "Person", "properties": {"name": ["Ali"], "idNumber": ["1"]}})
    assert schema.name == "Person" and props == {"name": ["Ali"], "cnic": ["1"]}


def test_import_normalises_and_quarantines(engine, tmp_path):
    good = to_ftm(entity("Person", {"name": ["Zainab"], "cnic": ["3520276543214"]}, id_="a" * 32))
    bad = {"id": "foreign-1", "schema": "Person", "properties": {"idNumber": ["123"]}}
    path = tmp_path / "e.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in (good, bad)) + "\n", encoding="utf-8")
    result = import_ftm(engine, path, "ftm_test")
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    with Session(engine) as s:
        cnic = s.execute(select(Statement).where(Statement.prop == "cnic")).scalar_one()
    assert cnic.value == "35202-7654321-4" and cnic.entity_id == "a" * 32
    again = import_ftm(engine, path, "ftm_test")
    assert (again.entities_added, again.statements_added) == (0, 0)
