"""The synthetic people of Punjab and what they hold: CNICs, SIMs, bank accounts and vehicles.

These are the columns every later stage (crime, finance, events, the agency writers) reads, one
list per attribute indexed by person, SIM, account or vehicle. people.build_population fills them;
holdings hands out the SIMs, accounts and vehicles.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tahqiq.generate.names import NameParts
from tahqiq.generate.timefmt import REF_ORD


@dataclass
class Household:
    district: list[int] = field(default_factory=list)
    tehsil: list[int] = field(default_factory=list)
    address: list[str] = field(default_factory=list)
    lat: list[float] = field(default_factory=list)
    lon: list[float] = field(default_factory=list)


@dataclass
class Phones:
    number: list[str] = field(default_factory=list)  # national form 03001234567
    operator: list[str] = field(default_factory=list)
    owner: list[int] = field(default_factory=list)
    activated: list[int] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    by_person: dict[int, list[int]] = field(default_factory=dict)

    def pid(self, i: int) -> str:
        return f"PH{i + 1:07d}"


@dataclass
class Accounts:
    iban: list[str] = field(default_factory=list)
    bank: list[str] = field(default_factory=list)
    branch: list[str] = field(default_factory=list)
    owner: list[int] = field(default_factory=list)  # -1: a business account not in our bank extract
    opened: list[int] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    by_person: dict[int, list[int]] = field(default_factory=dict)
    n_personal: int = 0

    def aid(self, i: int) -> str:
        return f"AC{i + 1:07d}"


@dataclass
class Vehicles:
    plate: list[str] = field(default_factory=list)
    chassis: list[str] = field(default_factory=list)
    engine: list[str] = field(default_factory=list)
    make: list[str] = field(default_factory=list)
    model: list[str] = field(default_factory=list)
    vtype: list[str] = field(default_factory=list)
    colour: list[str] = field(default_factory=list)
    year: list[int] = field(default_factory=list)
    owner: list[int] = field(default_factory=list)
    user: list[int] = field(default_factory=list)  # who drives it now (open-letter sales)
    reg_district: list[int] = field(default_factory=list)
    registered: list[int] = field(default_factory=list)

    def vid(self, i: int) -> str:
        return f"VH{i + 1:07d}"


@dataclass
class Population:
    n: int
    gender: list[str]
    parts: list[NameParts]
    name: list[str]
    name_ur: list[str]
    father_parts: list[NameParts]
    father_name: list[str]
    father_name_ur: list[str]
    spouse_parts: list[NameParts | None]
    spouse_name: list[str]
    dob: list[int]  # day ordinals
    cnic: list[str]
    issue: list[int]
    household: list[int]
    district: list[int]  # where the person lives now
    tehsil: list[int]
    address: list[str]
    lat: list[float]
    lon: list[float]
    cnic_district: list[int]  # where the CNIC was issued (the family's home)
    households: Household
    phones: Phones = field(default_factory=Phones)
    accounts: Accounts = field(default_factory=Accounts)
    vehicles: Vehicles = field(default_factory=Vehicles)
    offenders: list[int] = field(default_factory=list)
    offender_weight: list[float] = field(default_factory=list)
    offender_set: frozenset[int] = frozenset()

    def pid(self, i: int) -> str:
        return f"P{i + 1:07d}"

    def age(self, i: int, at: int = REF_ORD) -> int:
        return int((at - self.dob[i]) // 365.25)
