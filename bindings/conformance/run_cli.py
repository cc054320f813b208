"""The CLI column of the conformance table: every suite of test-vectors/ and bad-inputs.json
through `giayto verify --json --no-state`, one JSON line per vector on stdout.

    python3 bindings/conformance/run_cli.py GIAYTO-BINARY test-vectors bindings/conformance/bad-inputs.json

The suite rule is the one of every runner (run_python.py). The CLI's `message` member (the
reason in words, which no binding is given) is left out; everything else must be equal. Exit 2
with an error is recorded with the common code (`error-not-text` is `not_text`, ...).
"""
import base64
import datetime
import json
import subprocess
import sys
import tempfile
from pathlib import Path

CODES = {"error-not-text": "not_text", "error-image": "image", "error-no-qr-found": "no_code"}


def pem(raw):
    der = bytes.fromhex("302a300506032b6570032100") + raw
    return "-----BEGIN PUBLIC KEY-----\n" + base64.b64encode(der).decode() + "\n-----END PUBLIC KEY-----\n"


def rfc3339(seconds):
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc).isoformat()


def run(exe, source, at, data, tmp, extra=()):
    code = Path(tmp) / "code.bin"
    code.write_bytes(data)
    args = [exe, "verify", "--json", "--lang", "en", "--no-state", *source, "--at", rfc3339(at), *extra, "@" + str(code)]
    r = subprocess.run(args, capture_output=True, text=True, timeout=120)
    out = json.loads(r.stdout.splitlines()[0]) if r.stdout.strip() else {}
    if r.returncode == 2 or "error" in out:
        err = out.get("error", {}).get("code", "exit-2")
        return {"error": CODES.get(err, "cli:" + err)}
    out.pop("message", None)
    return {"result": out}


def main(exe, vector_dir, bad_path):
    vector_dir = Path(vector_dir)
    bundle = ["--root", str(vector_dir / "root.pub"), "--bundle", str(vector_dir / "bundle.cbor")]
    with tempfile.TemporaryDirectory() as tmp:
        for path in sorted(vector_dir.glob("*.json")):
            suite = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(suite.get("vectors"), list):
                continue
            source = bundle
            if "root_public_key" in suite and "trust_list" in suite:
                root, trust = Path(tmp) / f"{path.stem}.pub", Path(tmp) / f"{path.stem}.cwt"
                root.write_text(pem(bytes.fromhex(suite["root_public_key"])))
                trust.write_bytes(bytes.fromhex(suite["trust_list"]))
                source = ["--root", str(root), "--trust", str(trust)]
            for v in suite["vectors"]:
                extra = ["--policy", v.get("policy") or "third-party"]
                if v.get("nonce"):
                    extra += ["--nonce", v["nonce"]]
                if v.get("accept_missing_status"):
                    extra += ["--allow-missing-status"]
                got = run(exe, source, v["at"], v["text"].encode(), tmp, extra)
                print(json.dumps({"binding": "cli", "suite": path.stem, "vector": v["name"], **got}))
        doc = json.loads(Path(bad_path).read_text(encoding="utf-8"))
        for item in doc["inputs"]:
            got = run(exe, bundle, doc["at"], bytes.fromhex(item["hex"]), tmp)
            print(json.dumps({"binding": "cli", "suite": "bad_inputs", "vector": item["name"], **got}))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: run_cli.py GIAYTO-BINARY TEST-VECTORS-DIR BAD-INPUTS.json")
    main(*sys.argv[1:])
