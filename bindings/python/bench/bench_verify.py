"""Benchmark (not a test): one verification through Python, against the Rust verifier on the
same credential and python-cwt's `decode` on the same COSE bytes, in one run.

    pip install ./bindings/python cwt
    cargo build --release -p giayto-verify-ffi --example bench_verify
    python3 bindings/python/bench/bench_verify.py [ITERATIONS]

Goal (issue 14): Python within 1.3x of the Rust figure, and faster than python-cwt, which
checks only the signature (no trust list, issuer authority, document, status or policy).
"""
import json
import subprocess
import sys
import time
from pathlib import Path

import giayto

REPO = Path(__file__).resolve().parents[3]


def per_call(fn, n):
    for _ in range(max(n // 10, 1)):
        fn()
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n * 1e9


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    exe = REPO / "target" / "release" / "examples" / "bench_verify"
    if not exe.exists():
        sys.exit(f"{exe}: cargo build --release -p giayto-verify-ffi --example bench_verify")
    rust = json.loads(subprocess.run([str(exe), str(REPO / "test-vectors"), str(n)], check=True,
                                     capture_output=True, text=True).stdout)
    v = giayto.Verifier(bytes.fromhex(rust["root_public_key"]), trust=bytes.fromhex(rust["trust_list"]))
    text, at = rust["text"], rust["at"]
    assert v.verify(text, at=at).valid
    py_ns = per_call(lambda: v.verify(text, at=at), n)
    py_dict_ns = per_call(lambda: v.verify(text, at=at).to_dict(), n)
    rows = [
        ("Rust giayto_verify::Verifier::verify", rust["rust_ns_per_verify"]),
        ("Python giayto Verifier.verify", py_ns),
        ("Python giayto Verifier.verify().to_dict()", py_dict_ns),
    ]
    try:
        import cwt
        from cwt import COSEKey

        import cbor2  # python-cwt's own dependency

        cose = bytes.fromhex(rust["cose_hex"])
        # The issuer's key as a COSE key with the credential's kid (protected header label 4),
        # which python-cwt matches before checking the signature.
        kid = cbor2.loads(cbor2.loads(cose).value[0])[4]
        key = COSEKey.new({1: 1, 2: kid, 3: -8, -1: 6, -2: bytes.fromhex(rust["issuer_public_key"])})
        def decode():
            return cwt.decode(cose, keys=[key])
        try:
            decode()
            rows.append(("python-cwt decode (signature only)", per_call(decode, n)))
        except Exception as e:  # python-cwt may refuse what it does not know: say so
            rows.append((f"python-cwt decode: refused ({type(e).__name__}: {e})", None))
    except ImportError:
        rows.append(("python-cwt: not installed (pip install cwt)", None))
    print(f"{n} iterations, vector {rust['vector']}")
    base = rust["rust_ns_per_verify"]
    for name, ns in rows:
        if ns is None:
            print(f"  {name}")
        else:
            print(f"  {name:45s} {ns / 1000:9.1f} µs  ({ns / base:.2f}x Rust)")


if __name__ == "__main__":
    main()
