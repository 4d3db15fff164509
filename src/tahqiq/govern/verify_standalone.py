#!/usr/bin/env python3
"""Check Tahqiq audit proofs without Tahqiq: Python 3 and the `cryptography` package only.

    python3 verify_standalone.py BUNDLE_DIR            a court bundle (files, custody, proofs, head)
    python3 verify_standalone.py proof.json            one inclusion proof (`tahqiq audit prove N`)
    python3 verify_standalone.py head.json             one signed tree head (`tahqiq audit head`)
    python3 verify_standalone.py consistency.json      two heads and a consistency proof
    add  --public-key KEY.pem  to check against a key you obtained separately (recommended)

Hashing is RFC 9162: leaf = SHA-256(0x00 || entry), node = SHA-256(0x01 || left || right).
A tree head is signed with Ed25519 over
    b"tahqiq-sth-v1\\x00" || uint64be(tree_size) || uint64be(timestamp_ms) || root_hash.
Exit status 0 means every check passed.
"""
import hashlib
import json
import struct
import sys
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def node(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right)


def root_from_inclusion(index: int, size: int, leaf: bytes, path: list[bytes]) -> bytes:
    """RFC 9162 section 2.1.3.2."""
    if not 0 <= index < size:
        raise ValueError("leaf index out of range")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise ValueError("proof too long")
        if fn & 1 or fn == sn:
            r = node(p, r)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ValueError("proof too short")
    return r


def consistent(size1: int, size2: int, root1: bytes, root2: bytes, path: list[bytes]) -> bool:
    """RFC 9162 section 2.1.4.2."""
    if size1 == size2:
        return root1 == root2 and not path
    if not 0 < size1 < size2 or not path:
        return False
    if size1 & (size1 - 1) == 0:
        path = [root1] + path
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == root1 and sr == root2


def check_head(head: dict, key: Ed25519PublicKey, problems: list[str]) -> None:
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    if sha256(raw).hex() != head["key_id"]:
        problems.append("tree head was signed by another key (key id %s)" % head["key_id"])
    msg = (b"tahqiq-sth-v1\x00" + struct.pack(">QQ", head["tree_size"], head["timestamp_ms"])
           + bytes.fromhex(head["root_hash"]))
    try:
        key.verify(bytes.fromhex(head["signature"]), msg)
    except Exception:
        problems.append("tree head signature is INVALID")


def check_entry(proof: dict, head: dict, problems: list[str]) -> None:
    entry = proof["entry"].encode("utf-8")
    leaf = sha256(b"\x00" + entry)
    n = proof["leaf_index"]
    if leaf.hex() != proof["leaf_hash"]:
        problems.append("entry %d: content does not match its leaf hash" % n)
    if json.loads(entry).get("seq") != n:
        problems.append("entry %d: content names another position" % n)
    try:
        root = root_from_inclusion(n, head["tree_size"], leaf, [bytes.fromhex(h) for h in proof["inclusion_path"]])
        if root.hex() != head["root_hash"]:
            problems.append("entry %d: inclusion proof does not lead to the signed root" % n)
    except ValueError as exc:
        problems.append("entry %d: bad inclusion proof (%s)" % (n, exc))


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 2
    target = Path(argv[0])
    path = target / "bundle.json" if target.is_dir() else target
    doc = json.loads(path.read_text(encoding="utf-8"))
    if "--public-key" in argv:
        pem = Path(argv[argv.index("--public-key") + 1]).read_bytes()
    else:
        pem = doc["public_key_pem"].encode()
        print("note: using the public key inside the file; pass --public-key to use one you trust")
    key = load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        print("the public key is not an Ed25519 key: Tahqiq signs with Ed25519")
        return 2
    print("public key id:", sha256(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).hex())
    problems: list[str] = []
    if "consistency_path" in doc:  # two heads and a consistency proof
        old, new = doc["old_head"], doc["new_head"]
        check_head(old, key, problems)
        check_head(new, key, problems)
        if not consistent(old["tree_size"], new["tree_size"], bytes.fromhex(old["root_hash"]),
                          bytes.fromhex(new["root_hash"]), [bytes.fromhex(h) for h in doc["consistency_path"]]):
            problems.append("the newer head does NOT extend the older one (history was rewritten)")
        what = "consistency of sizes %d and %d" % (old["tree_size"], new["tree_size"])
    elif "tree_head" not in doc:  # a bare tree head
        check_head(doc, key, problems)
        what = "tree head of size %d" % doc["tree_size"]
    else:
        head = doc["tree_head"]
        check_head(head, key, problems)
        proofs = doc.get("custody") or [doc]
        for proof in proofs:
            check_entry(proof, head, problems)
        for item in doc.get("items", []):
            data = (target / item["file"]).read_bytes()
            if hashlib.sha256(data).hexdigest() != item["sha256"]:
                problems.append("file %s does not match its SHA-256" % item["file"])
            intake = [json.loads(p["entry"]) for p in proofs]
            if not any(e["action"] == "evidence.add" and e["target"] == item["sha256"] for e in intake):
                problems.append("file %s has no proven custody entry" % item["file"])
        what = "%d entr%s against tree head of size %d, %d file(s)" % (
            len(proofs), "y" if len(proofs) == 1 else "ies", head["tree_size"], len(doc.get("items", [])))
    for p in problems:
        print("FAIL:", p)
    print(("OK: " if not problems else "NOT VERIFIED: ") + what)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
