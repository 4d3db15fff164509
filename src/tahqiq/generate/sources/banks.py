"""Bank records: personal accounts, and suspicious transaction reports (Parquet) on the laundering
transactions the banks caught.
"""

from __future__ import annotations

from tahqiq.generate import identifiers as ids
from tahqiq.generate import names as nm
from tahqiq.generate.rng import stream
from tahqiq.generate.sources.common import (
    BAD_RATE,
    MF,
    World,
    any_format,
    bad_date,
    money,
    open_sink,
    phone_for,
    rate,
    roughened,
    swap_day_month,
)
from tahqiq.generate.timefmt import fmt_date, iso
from tahqiq.generate.writers import Sink

BANK_STYLE = nm.Style(MF, (5, 2, 0.5, 0.5, 0, 0, 3, 1), romanise=0.12, typo=0.03, clan_drop=0.1, clan_abbrev=0.3,
                      honorific=0.1, upper=0.3)
STR_STYLE = nm.Style(MF, (5, 2, 0.5, 0.5, 0, 0, 3, 1), romanise=0.12, typo=0.03, clan_drop=0.1, upper=0.8)


def write_bank_accounts(w: World) -> Sink:
    name = "bank_accounts"
    r = stream(w.seed, "src:" + name)
    rnd = r.random
    pop, T, acc = w.pop, w.truth, w.pop.accounts
    sink = open_sink(w, name)
    dob_fmt, open_fmt = "%d/%m/%Y", "%d-%b-%Y"
    for k in range(acc.n_personal):
        rid = f"A{k + 1:07d}"
        i = acc.owner[k]
        cnic = pop.cnic[i] if rnd() < rate(0.98, 0.7) else ""
        dob = fmt_date(pop.dob[i], dob_fmt)
        if rnd() < rate(0.02, 0.15):
            dob = swap_day_month(pop.dob[i], dob_fmt) or dob
        phone = phone_for(pop, i, r) if rnd() < rate(0.85, 0.5) else -1
        mobile = any_format(pop.phones.number[phone], r) if phone >= 0 else ""
        opened = fmt_date(acc.opened[k], open_fmt)
        if rnd() < BAD_RATE:
            fields = ["cnic", "opened_on"] + (["mobile"] if phone >= 0 else [])
            field = fields[int(rnd() * len(fields))]
            if field == "cnic":
                cnic, why = ids.bad_cnic(pop.cnic[i]), "CNIC has 12 digits"
            elif field == "mobile":
                mobile, why = ids.bad_phone(pop.phones.number[phone], r), "not a valid Pakistani phone number"
            else:
                opened, why = bad_date(open_fmt, 2018), "date does not exist"
            T.bad([name, rid, field, why])
        if phone >= 0:
            T.phone([name, rid, "phone", pop.phones.pid(phone)])
        u = rnd()
        status = "active" if u < 0.9 else ("dormant" if u < 0.98 else "blocked")
        sink.write([rid, acc.iban[k], acc.iban[k][8:], acc.bank[k], acc.branch[k],
                    nm.render(pop.parts[i], roughened(BANK_STYLE), r), cnic, dob, mobile, opened, acc.kind[k], status])
        T.account([name, rid, "account", acc.aid(k)])
        T.person([name, rid, "holder", pop.pid(i)])
        if k % 20000 == 19999:
            w.tick(name, 20000)
    w.tick(name, acc.n_personal % 20000)
    return sink


def write_str(w: World) -> Sink:
    name = "bank_str"
    r = stream(w.seed, "src:" + name)
    rnd = r.random
    pop, T, acc, tx = w.pop, w.truth, w.pop.accounts, w.fin.tx
    rank = {k: j for j, k in enumerate(tx.order)}
    sink = open_sink(w, name)
    for s_i, s in enumerate(w.fin.strs):
        rid = f"S{s_i + 1:06d}"
        k = s.tx
        tid = tx.tid(rank[k])
        i = acc.owner[s.subject_account]
        cnic = pop.cnic[i]
        year = fmt_date(s.reported, "%Y")
        if rnd() < BAD_RATE:
            cnic = ids.bad_cnic(cnic)
            T.bad([name, rid, "subject_cnic", "CNIC has 12 digits"])
        payer = acc.iban[tx.payer[k]] if tx.payer[k] >= 0 else ""
        payee = acc.iban[tx.payee[k]] if tx.payee[k] >= 0 else ""
        sink.write([rid, f"STR/{year}/{s_i + 1:06d}", acc.bank[s.subject_account], fmt_date(s.reported, "%Y-%m-%d"),
                    tid, iso(tx.time[k]), money(tx.amount[k]), "PKR", tx.channel[k], payer, payee,
                    nm.render(pop.parts[i], roughened(STR_STYLE), r), cnic, s.role, s.grounds])
        T.person([name, rid, "subject", pop.pid(i)])
        if payer:
            T.account([name, rid, "payer", acc.aid(tx.payer[k])])
        if payee:
            T.account([name, rid, "payee", acc.aid(tx.payee[k])])
    w.tick(name, len(w.fin.strs))
    return sink
