"""The entity model: schemata with typed properties (schema.yml), normalisers, places, FtM export."""

from tahqiq.model.schema import Model, Property, Schema, model
from tahqiq.model.types import InvalidValue, normalise

__all__ = ["Model", "Property", "Schema", "model", "InvalidValue", "normalise"]
