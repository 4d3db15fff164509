"""The excise department's vehicle registry (UTF-16): each vehicle with its registered owner, who
may have sold it on an open letter long ago.
"""

from __future__ import annotations

from tahqiq.generate import identifiers as ids
from tahqiq.generate import names as nm
from tahqiq.generate.places import address_variant
from tahqiq.generate.rng import stream
from tahqiq.generate.sources.common import (
    BAD_DISTRICTS,
    BAD_RATE,
    MF,
    World,
    bad_date,
    guardian_parts,
    open_sink,
    rate,
    roughened,
)
from tahqiq.generate.timefmt import fmt_date
from tahqiq.generate.writers import Sink

EXCISE_STYLE = nm.Style(MF, (6, 2, 1, 0.5, 1, 0.5, 2, 0), drop_muhammad=0.05, romanise=0.15, typo=0.04,
                        clan_drop=0.1, clan_move=0.1, clan_abbrev=0.3, upper=0.7)


def write_excise(w: World) -> Sink:
    name = "excise_vehicles"
    r = stream(w.seed, "src:" + name)
    rnd = r.random
    pop, dists, T, v = w.pop, w.geo.districts, w.truth, w.pop.vehicles
    sink = open_sink(w, name)
    fmt = "%d/%m/%Y"
    for k in range(len(v.plate)):
        rid = f"V{k + 1:07d}"
        i = v.owner[k]
        owner = nm.render(pop.parts[i], roughened(EXCISE_STYLE), r)
        father = nm.render(guardian_parts(pop, i), EXCISE_STYLE, r)
        if rnd() < 0.02:
            owner, father = father, owner
        cnic = ids.cnic_variant(pop.cnic[i], r, 0.1, 0.0) if rnd() < rate(0.92, 0.6) else ""
        reg = fmt_date(v.registered[k], fmt)
        district = dists[v.reg_district[k]].name
        if rnd() < BAD_RATE:
            field = ("owner_cnic", "registration_date", "district")[int(rnd() * 3)]
            if field == "owner_cnic":
                cnic, why = ids.bad_cnic(pop.cnic[i]), "CNIC has 12 digits"
            elif field == "registration_date":
                reg, why = bad_date(fmt, 2019), "date does not exist"
            else:
                district, why = BAD_DISTRICTS[int(rnd() * len(BAD_DISTRICTS))], "unknown district"
            T.bad([name, rid, field, why])
        sink.write([rid, v.plate[k], v.chassis[k], v.engine[k], v.make[k], v.model[k], v.vtype[k], v.colour[k],
                    str(v.year[k]), owner, father, cnic, address_variant(pop.address[i], r, 0.3), district, reg])
        T.vehicle([name, rid, "vehicle", v.vid(k)])
        T.person([name, rid, "owner", pop.pid(i)])
        if k % 20000 == 19999:
            w.tick(name, 20000)
    w.tick(name, len(v.plate) % 20000)
    return sink
