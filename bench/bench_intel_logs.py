"""Benchmark hacking-attempt detection in logs: parse and match auth.log lines and EVTX records on one core.

    python bench/bench_intel_logs.py                           # 1M auth.log lines, 200k EVTX records
    python bench/bench_intel_logs.py --lines 200000 --records 50000 --indicators 10000

auth.log: sshd failures and successes (a few brute-forcing addresses among many ordinary ones), sudo,
su, PAM sessions and cron noise. EVTX: Security-log records (4624/4625/4672/4688 and a few admin group
adds), written with the test suite's EVTX writer (tests/intel/evtx_writer.py). Both run through the
real readers, the shipped log rules and an indicator matcher holding --indicators IP indicators, in
one process pinned to one CPU (the EVTX parser gets one thread). Targets: >= 50,000 lines/s and
>= 20,000 records/s. Prints the load average beside each number: on a shared machine it matters.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.intel.evtx_writer

from tests.intel.evtx_writer import Record, write_evtx  # noqa: E402


def auth_lines(n: int, seed: int = 7) -> list[str]:
    rnd = random.Random(seed)
    t = datetime(2024, 3, 1, 0, 0, tzinfo=UTC)
    attackers = [f"203.0.113.{k}" for k in range(1, 40)]
    users = [f"user{k}" for k in range(300)]
    out = []
    for i in range(n):
        t += timedelta(milliseconds=rnd.randint(5, 60))
        stamp = f"{t.strftime('%b')} {t.day:>2} {t.strftime('%H:%M:%S')}"
        host = f"srv{i % 17}"
        r = rnd.random()
        ip = f"{rnd.randint(11, 223)}.{rnd.randint(0, 255)}.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}"
        if r < 0.30:
            who = rnd.choice(["root", "admin", "oracle", "test", rnd.choice(users)])
            src = rnd.choice(attackers) if rnd.random() < 0.6 else ip
            inv = "invalid user " if who in ("admin", "oracle", "test") else ""
            msg = (f"sshd[{1000 + i % 5000}]: Failed password for {inv}{who} from {src} port "
                   f"{rnd.randint(1024, 65535)} ssh2")
        elif r < 0.40:
            msg = (f"sshd[{1000 + i % 5000}]: Accepted publickey for {rnd.choice(users)} from {ip} port "
                   f"{rnd.randint(1024, 65535)} ssh2: RSA SHA256:Zm9vYmFy")
        elif r < 0.48:
            msg = (f"sudo:    {rnd.choice(users)} : TTY=pts/{i % 9} ; PWD=/home/x ; USER=root ; "
                   f"COMMAND=/usr/bin/systemctl restart nginx")
        elif r < 0.62:
            msg = (f"sshd[{1000 + i % 5000}]: pam_unix(sshd:session): session opened for user "
                   f"{rnd.choice(users)}(uid=1000) by (uid=0)")
        elif r < 0.70:
            msg = f"sshd[{1000 + i % 5000}]: Connection closed by {ip} port {rnd.randint(1024, 65535)} [preauth]"
        elif r < 0.72:
            msg = f"su: (to root) {rnd.choice(users)} on pts/{i % 9}"
        else:
            msg = f"CRON[{2000 + i % 3000}]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)"
        out.append(f"{stamp} {host} {msg}")
    return out


def evtx_records(n: int, seed: int = 11) -> list[Record]:
    rnd = random.Random(seed)
    t = datetime(2024, 3, 1, 0, 0, tzinfo=UTC)
    out = []
    for _ in range(n):
        t += timedelta(milliseconds=rnd.randint(5, 80))
        r = rnd.random()
        ip = f"{rnd.randint(11, 223)}.{rnd.randint(0, 255)}.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}"
        user = f"user{rnd.randint(0, 500)}"
        if r < 0.45:
            out.append(Record(4624, t, {"SubjectUserSid": "S-1-5-18", "SubjectUserName": "DC01$",
                                        "SubjectDomainName": "CORP", "TargetUserSid": "S-1-5-21-1-2-3-1104",
                                        "TargetUserName": user, "TargetDomainName": "CORP", "LogonType": "3",
                                        "LogonProcessName": "Kerberos", "AuthenticationPackageName": "Kerberos",
                                        "WorkstationName": "-", "IpAddress": ip, "IpPort": "50112",
                                        "ProcessName": "-"}))
        elif r < 0.75:
            out.append(Record(4625, t, {"SubjectUserSid": "S-1-0-0", "SubjectUserName": "-",
                                        "TargetUserName": user, "TargetDomainName": "CORP", "Status": "0xc000006d",
                                        "FailureReason": "%%2313", "SubStatus": "0xc000006a", "LogonType": "3",
                                        "LogonProcessName": "NtLmSsp", "AuthenticationPackageName": "NTLM",
                                        "WorkstationName": "WS7", "IpAddress": f"203.0.113.{rnd.randint(1, 40)}",
                                        "IpPort": "0", "ProcessName": "-"}))
        elif r < 0.85:
            out.append(Record(4672, t, {"SubjectUserSid": "S-1-5-21-1-2-3-500", "SubjectUserName": "Administrator",
                                        "SubjectDomainName": "CORP", "SubjectLogonId": "0x3e7",
                                        "PrivilegeList": "SeBackupPrivilege SeRestorePrivilege"}))
        elif r < 0.999:
            out.append(Record(4688, t, {"SubjectUserSid": "S-1-5-18", "SubjectUserName": "WS7$",
                                        "NewProcessName": "C:\\Windows\\System32\\svchost.exe",
                                        "CommandLine": "svchost.exe -k netsvcs", "TokenElevationType": "%%1936",
                                        "ParentProcessName": "C:\\Windows\\System32\\services.exe"}))
        else:
            out.append(Record(4732, t, {"MemberName": "-", "MemberSid": "S-1-5-21-1-2-3-1999",
                                        "TargetUserName": "Administrators", "TargetSid": "S-1-5-32-544"}))
    return out


def matcher(n: int):
    from tahqiq.intel.matcher import IndicatorMatcher
    from tahqiq.intel.model import Indicator

    rnd = random.Random(3)
    inds = [Indicator(f"indicator--bench-{k}", "ipv4", f"{rnd.randint(11, 223)}.{rnd.randint(0, 255)}."
                      f"{rnd.randint(0, 255)}.{rnd.randint(1, 254)}", source="bench") for k in range(n)]
    inds.append(Indicator("indicator--bench-scan", "cidr", "203.0.113.0/28", source="bench", confidence=80))
    return IndicatorMatcher.build(inds)


def run(path: Path, lookup: object, label: str, unit: str) -> float:
    """Three passes: reading alone, reading + the rule engine's matching (every condition, indicator
    lookups included), and the whole scan (correlation windows and detections with their evidence)."""
    from tahqiq.intel.logs import read_logs
    from tahqiq.intel.scan import MatcherLookup, load_log_rules, scan_logs
    from tahqiq.stream.engine import RuleEngine

    started = time.perf_counter()
    n = sum(1 for _ in read_logs([path], year=2024))
    read_s = time.perf_counter() - started
    engine = RuleEngine(load_log_rules(), indicators=MatcherLookup(lookup))  # type: ignore[arg-type]
    started = time.perf_counter()
    matches = sum(len(engine.match(e)) for e in read_logs([path], year=2024))
    match_s = time.perf_counter() - started
    scan = scan_logs([path], matcher=lookup, year=2024)
    rate = scan.lines / scan.seconds
    print(f"{label}: {scan.lines:,} {unit}; read {n / read_s:,.0f} {unit}/s; read + match {n / match_s:,.0f} "
          f"{unit}/s ({matches:,} rule matches); whole scan with correlation windows {rate:,.0f} {unit}/s "
          f"({len(scan.detections):,} detections: {dict(scan.per_rule.most_common(4))}); "
          f"load {os.getloadavg()[0]:.2f}", flush=True)
    return n / match_s


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--records", type=int, default=200_000)
    ap.add_argument("--indicators", type=int, default=10_000)
    ap.add_argument("--cpu", type=int, default=None, help="pin to this CPU (default: the first allowed)")
    args = ap.parse_args()
    cpus = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {args.cpu if args.cpu is not None else cpus[0]})
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, pinned to one CPU; "
          f"load {os.getloadavg()}", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="tahqiq-bench-logs-"))
    lookup = matcher(args.indicators)
    ok = True
    if args.lines:
        auth = tmp / "auth.log"
        auth.write_text("\n".join(auth_lines(args.lines)) + "\n")
        ok &= run(auth, lookup, "auth.log", "lines") >= 50_000
    if args.records:
        started = time.perf_counter()
        evtx = tmp / "Security.evtx"
        write_evtx(evtx, evtx_records(args.records))
        print(f"(wrote {args.records:,} EVTX records, {evtx.stat().st_size / 1e6:.0f} MB, in "
              f"{time.perf_counter() - started:.1f} s)", flush=True)
        ok &= run(evtx, lookup, "Security.evtx", "records") >= 20_000
    print("targets met" if ok else "below target (see the load average)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
