"""Cybercrime complaints (JSON lines): fraud victims' reports naming the suspect's phone, IBAN, URL,
mobile wallet or handset (IMEI); scam complaints' campaigns go to truth/campaigns.csv."""

from __future__ import annotations

from tahqiq.generate import identifiers as ids
from tahqiq.generate import names as nm
from tahqiq.generate.rng import stream
from tahqiq.generate.sources.common import (
    BAD_DISTRICTS,
    BAD_RATE,
    MF,
    World,
    any_format,
    money,
    open_sink,
    phone_for,
    rate,
    roughened,
)
from tahqiq.generate.timefmt import EPOCH_ORD, fmt_date, iso
from tahqiq.generate.writers import Sink

CYBER_STYLE = nm.Style(MF, (3, 3, 1, 1, 2, 1, 1, 0.5), drop_muhammad=0.4, romanise=0.3, typo=0.1, clan_drop=0.4,
                       second_drop=0.3, lower=0.25)


def write_cyber(w: World) -> Sink:
    name = "cybercrime_complaints"
    r = stream(w.seed, "src:" + name)
    rnd = r.random
    pop, dists, T, acc, ph = w.pop, w.geo.districts, w.truth, w.pop.accounts, w.pop.phones
    sink = open_sink(w, name)
    counters: dict[tuple[str, str], int] = {}
    for k, c in enumerate(w.fin.complaints):
        rid = f"CC-{k + 1:06d}"
        d = dists[c.district]
        year = fmt_date(EPOCH_ORD + c.time // 86400, "%Y")
        key = (d.plate_code, year)
        counters[key] = counters.get(key, 0) + 1
        i = c.complainant
        cnic = ids.cnic_variant(pop.cnic[i], r, 0.5, 0.05) if rnd() < rate(0.85, 0.5) else ""
        own = phone_for(pop, i, r)
        c_phone = any_format(ph.number[own], r) if own >= 0 and rnd() < 0.95 else ""
        s_phone = any_format(ph.number[c.suspect_phone], r) if c.suspect_phone >= 0 else c.suspect_number
        s_iban = ""
        if c.suspect_account >= 0:
            s_iban = acc.iban[c.suspect_account]
            if rnd() < 0.2:
                s_iban = ids.iban_spaced(s_iban)
            T.account([name, rid, "suspect_account", acc.aid(c.suspect_account)])
        district = d.name if rnd() > 0.1 else d.name.lower()
        if rnd() < BAD_RATE:
            fields = ["district"] + (["complainant_phone"] if c_phone else [])
            field = fields[int(rnd() * len(fields))]
            if field == "district":
                district, why = BAD_DISTRICTS[int(rnd() * len(BAD_DISTRICTS))], "unknown district"
            else:
                c_phone, why = ids.bad_phone(ph.number[own], r), "not a valid Pakistani phone number"
            T.bad([name, rid, field, why])
        if c_phone and own >= 0:
            T.phone([name, rid, "complainant_phone", ph.pid(own)])
        if c.suspect_phone >= 0:
            T.phone([name, rid, "suspect_phone", ph.pid(c.suspect_phone)])
        complaint_no = f"NCCIA/{d.plate_code}/{year}/{counters[key]:05d}"
        if c.campaign >= 0:
            T.campaign([complaint_no, f"CP{c.campaign + 1:04d}"])
        sink.write([rid, complaint_no, iso(c.time), c.category, c.description,
                    nm.render(pop.parts[i], roughened(CYBER_STYLE), r), cnic, c_phone, s_phone, s_iban,
                    c.suspect_url, c.suspect_wallet, c.suspect_device, money(c.amount) if c.amount else "", district])
        T.person([name, rid, "complainant", pop.pid(i)])
    w.tick(name, len(w.fin.complaints))
    return sink
