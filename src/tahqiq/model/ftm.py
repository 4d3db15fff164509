"""followthemoney (FtM) entity JSON: export for Aleph, OpenSanctions tooling and i2-style imports.

Each Tahqiq schema names its FtM schema and property counterparts in schema.yml. Export validates
through followthemoney's own model. Properties FtM has no slot for are kept, with the Tahqiq schema,
under a top-level "tahqiq" key that FtM tools ignore and `tahqiq import-ftm` reads back, so a
Tahqiq → FtM → Tahqiq round trip loses nothing.
"""

from __future__ import annotations

from typing import Any, Protocol

from followthemoney import model as ftm_model

from tahqiq.model.schema import Schema, model

# Where several Tahqiq schemata export to one FtM schema, import a foreign entity as this one.
_IMPORT_PREFERENCE = {"Event": "OsintEvent"}


class EntityLike(Protocol):
    id: str
    schema: str
    source: str

    def values(self, prop: str) -> list[str]: ...

    @property
    def properties(self) -> dict[str, Any]: ...


def to_ftm(entity: EntityLike) -> dict[str, Any]:
    """One entity as an FtM JSON object (a dict ready for json.dumps)."""
    schema = model().get(entity.schema)
    proxy = ftm_model.make_entity(schema.ftm)
    proxy.id = entity.id
    kept: dict[str, list[str]] = {}
    for pname in entity.properties:
        values = entity.values(pname)
        kept[pname] = values
        ftm_prop = schema.properties[pname].ftm if pname in schema.properties else None
        if ftm_prop:
            for value in values:
                proxy.add(ftm_prop, value, quiet=True)
    data: dict[str, Any] = proxy.to_dict()
    data["datasets"] = [entity.source]
    data["tahqiq"] = {"schema": schema.name, "properties": kept}
    return data


def from_ftm(data: dict[str, Any]) -> tuple[Schema, dict[str, list[str]]]:
    """The Tahqiq schema and property values of an FtM JSON object (ours or a foreign tool's)."""
    m = model()
    own = data.get("tahqiq")
    if isinstance(own, dict) and own.get("schema") in m:
        schema = m.get(own["schema"])
        kept = {
            k: [str(v) for v in vals] for k, vals in own.get("properties", {}).items() if k in schema.properties
        }
        return schema, kept
    ftm_schema = data.get("schema")
    wanted = _IMPORT_PREFERENCE.get(ftm_schema) if isinstance(ftm_schema, str) else None
    candidates = [s for s in m.schemata.values() if s.ftm == ftm_schema]
    if not candidates:
        raise ValueError(f"no Tahqiq schema corresponds to FtM schema {ftm_schema!r}")
    schema = next((s for s in candidates if s.name == wanted), candidates[0])
    reverse: dict[str, str] = {}
    for prop in schema.properties.values():
        if prop.ftm:
            reverse.setdefault(prop.ftm, prop.name)
    props: dict[str, list[str]] = {}
    for ftm_prop, values in (data.get("properties") or {}).items():
        if ftm_prop in reverse:
            props.setdefault(reverse[ftm_prop], []).extend(str(v) for v in values)
    return schema, props
