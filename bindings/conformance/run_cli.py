"""The CLI column of the conformance table: every suite of test-vectors/ and bad-inputs.json
through `giayto verify --json --no-state`, one JSON line per vector on stdout.

    python3 bindings/conformance/run_cli.py GIAYTO-BINARY test-vectors bindings/conformance/bad-inputs.json

The suite rule is the one of every runner (run_python.py). The CLI's `message` member (the
reason in words, which no binding is given) is left out; everything else must be equal. Exit 2
with an error is recorded with the common code (`error-not-text` is `not_text`, ...).

Request suites (requests.json, the rule of every runner): each answer goes through
`giayto verify --request REQUEST`; each bad request is given to `--request` with the file's
first answer, and the CLI's refusal (`request-error-bad-item`, ...) is recorded as the
request's refusal code (`bad_item`, ...; an unreadable one names its code in its message).
"""
import re
import base64
import datetime
import json
import subprocess
import sys
import tempfile
from pathlib import Path

CODES = {"error-not-text": "not_text", "error-image": "image", "error-no-qr-found": "no_code"}
REQUEST_CODES = {
    "request-error-not-a-request": "not_a_request",
    "request-error-verifier-name": "bad_member",
    "request-error-purpose": "bad_member",
    "request-error-bad-member": "bad_member",
    "request-error-lifetime": "lifetime",
    "request-error-bad-item": "bad_item",
    "request-error-duplicate-item": "duplicate_item",
}


def request_refusal(exe, source, answer, request, tmp):
    """The refusal code of a request the CLI will not take, from `verify --request`."""
    code = Path(tmp) / "answer.txt"
    code.write_text(answer["text"], encoding="utf-8")
    args = [exe, "verify", "--json", "--lang", "en", "--no-state", *source, "--at", rfc3339(answer["at"]),
            "--request", request, "@" + str(code)]
    r = subprocess.run(args, capture_output=True, text=True, timeout=120)
    out = json.loads(r.stdout.splitlines()[0]) if r.stdout.strip() else {}
    error = out.get("error") or {}
    cli = error.get("code", "exit-%d" % r.returncode)
    if cli == "request-error-unreadable":
        m = re.search(r"\(([a-z_0-9]+)\)", error.get("message", ""))
        return m.group(1) if m else "cli:" + cli
    return REQUEST_CODES.get(cli, "cli:" + cli)


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


def source_for(suite, stem, tmp, bundle):
    """The CLI's trust arguments for a suite: its own root and trust list, written to `tmp`,
    when it carries them; else the vectors' bundle."""
    if "root_public_key" not in suite or "trust_list" not in suite:
        return bundle
    root, trust = Path(tmp) / f"{stem}.pub", Path(tmp) / f"{stem}.cwt"
    root.write_text(pem(bytes.fromhex(suite["root_public_key"])))
    trust.write_bytes(bytes.fromhex(suite["trust_list"]))
    return ["--root", str(root), "--trust", str(trust)]


def main(exe, vector_dir, bad_path):
    vector_dir = Path(vector_dir)
    bundle = ["--root", str(vector_dir / "root.pub"), "--bundle", str(vector_dir / "bundle.cbor")]
    with tempfile.TemporaryDirectory() as tmp:
        for path in sorted(vector_dir.glob("*.json")):
            suite = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(suite.get("vectors"), list):
                continue
            source = source_for(suite, path.stem, tmp, bundle)
            for v in suite["vectors"]:
                extra = ["--policy", v.get("policy") or "third-party"]
                if v.get("nonce"):
                    extra += ["--nonce", v["nonce"]]
                if v.get("accept_missing_status"):
                    extra += ["--allow-missing-status"]
                got = run(exe, source, v["at"], v["text"].encode(), tmp, extra)
                print(json.dumps({"binding": "cli", "suite": path.stem, "vector": v["name"], **got}))
        for path in sorted(vector_dir.glob("*.json")):
            suite = json.loads(path.read_text(encoding="utf-8"))
            answers, bad = suite.get("answers"), suite.get("bad_requests")
            if not isinstance(answers, list) and not isinstance(bad, list):
                continue
            source = source_for(suite, path.stem, tmp, bundle)
            for a in answers or []:
                got = run(exe, source, a["at"], a["text"].encode(), tmp, ["--request", a["request"]])
                print(json.dumps({"binding": "cli", "suite": path.stem, "vector": a["name"], **got}))
            for b in bad or []:
                got = {"error": request_refusal(exe, source, answers[0], b["text"], tmp)}
                print(json.dumps({"binding": "cli", "suite": path.stem + ".bad", "vector": b["name"], **got}))
        doc = json.loads(Path(bad_path).read_text(encoding="utf-8"))
        for item in doc["inputs"]:
            got = run(exe, bundle, doc["at"], bytes.fromhex(item["hex"]), tmp)
            print(json.dumps({"binding": "cli", "suite": "bad_inputs", "vector": item["name"], **got}))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: run_cli.py GIAYTO-BINARY TEST-VECTORS-DIR BAD-INPUTS.json")
    main(*sys.argv[1:])
