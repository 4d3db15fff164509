from followthemoney import model as ftm_model

from tahqiq.model import model

FORBIDDEN = {"religion", "ethnicity", "caste", "political", "politicalAffiliation", "sect", "riskScore"}


def test_every_schema_maps_to_followthemoney():
    for schema in model().schemata.values():
        ftm = ftm_model.get(schema.ftm)
        assert ftm is not None, schema.name
        for prop in schema.properties.values():
            if prop.ftm:
                assert prop.ftm in ftm.properties, f"{schema.name}.{prop.name} -> {schema.ftm}.{prop.ftm}"


def test_references_point_to_known_schemata():
    m = model()
    for schema in m.schemata.values():
        for prop in schema.properties.values():
            if prop.is_reference and prop.range:
                assert prop.range in m


def test_model_has_no_slot_for_sensitive_traits():
    for schema in model().schemata.values():
        assert not FORBIDDEN & set(schema.properties), schema.name
