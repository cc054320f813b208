"""The Python columns of the conformance table: every suite of test-vectors/ and
bad-inputs.json through the `giayto` package, one JSON line per vector on stdout.

    python3 bindings/conformance/run_python.py test-vectors bindings/conformance/bad-inputs.json

Column `python` verifies each vector's text; column `python-png` verifies a PNG of the
vector's QR code (made by `giayto.qr_png`), through the photo decoder.

The suite rule (the same in every runner): a file with a `vectors` array is a suite; its
verifier comes from the file's `root_public_key` and `trust_list` (hex) when it has them, else
from root.pub and bundle.cbor; a vector gives text, at, and optionally policy, nonce and
accept_missing_status. bindings/python/tests imports `suites` and `bad_inputs` from here.

Request suites (the same rule in every runner): a file with `answers` or `bad_requests`
(requests.json) has its verifier made as above; each answer's `text` is checked against its
`request` at `at` (suite: the file's name), each bad request's `text` is read as a request and
its refusal code recorded as the error (suite: the file's name + ".bad").
"""
import json
import sys
from pathlib import Path

import giayto


def suites(vector_dir):
    """(suite name, file's JSON, a function making the vector's Verifier, vector) for each."""
    vector_dir = Path(vector_dir)
    for path in sorted(vector_dir.glob("*.json")):
        suite = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(suite.get("vectors"), list):
            continue
        for vector in suite["vectors"]:
            def make(suite=suite, vector=vector):
                accept = bool(vector.get("accept_missing_status"))
                if "root_public_key" in suite and "trust_list" in suite:
                    return giayto.Verifier(
                        bytes.fromhex(suite["root_public_key"]),
                        trust=bytes.fromhex(suite["trust_list"]),
                        accept_missing_status=accept,
                    )
                return giayto.Verifier(
                    vector_dir / "root.pub",
                    bundle=vector_dir / "bundle.cbor",
                    accept_missing_status=accept,
                )
            yield path.stem, suite, make, vector


def request_suites(vector_dir):
    """(suite name, file's JSON, a function making its Verifier) for each request file."""
    vector_dir = Path(vector_dir)
    for path in sorted(vector_dir.glob("*.json")):
        suite = json.loads(path.read_text(encoding="utf-8"))
        if not (isinstance(suite.get("answers"), list) or isinstance(suite.get("bad_requests"), list)):
            continue
        def make(suite=suite):
            if "root_public_key" in suite and "trust_list" in suite:
                return giayto.Verifier(
                    bytes.fromhex(suite["root_public_key"]), trust=bytes.fromhex(suite["trust_list"])
                )
            return giayto.Verifier(vector_dir / "root.pub", bundle=vector_dir / "bundle.cbor")
        yield path.stem, suite, make


def options(vector):
    """The keyword arguments of `verify` a vector asks for."""
    return {
        "at": vector["at"],
        "policy": vector.get("policy") or "third-party",
        "nonce": vector.get("nonce"),
    }


def bad_inputs(path):
    """(at, [(name, bytes, expect)]) from bad-inputs.json."""
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    return doc["at"], [(i["name"], bytes.fromhex(i["hex"]), i["expect"]) for i in doc["inputs"]]


def outcome(verifier, data, **kwargs):
    """{"result": ...} or {"error": code}: what a runner records."""
    try:
        return {"result": verifier.verify(data, **kwargs).to_dict()}
    except giayto.GiaytoError as e:
        return {"error": e.code}


def main(vector_dir, bad_path):
    out = sys.stdout
    for name, _suite, make, vector in suites(vector_dir):
        verifier = make()
        rows = [("python", outcome(verifier, vector["text"], **options(vector)))]
        try:
            image = giayto.qr_png(vector["text"])
        except giayto.GiaytoError:
            image = None  # a text no QR code can hold (the table shows "-")
        if image is not None:
            rows.append(("python-png", outcome(verifier, image, **options(vector))))
        for binding, got in rows:
            out.write(json.dumps({"binding": binding, "suite": name, "vector": vector["name"], **got}) + "\n")
    for name, suite, make in request_suites(vector_dir):
        verifier = make()
        for a in suite.get("answers") or []:
            try:
                got = {"result": verifier.check_answer(a["text"], a["request"], at=a["at"]).to_dict()}
            except giayto.GiaytoError as e:
                got = {"error": e.code}
            out.write(json.dumps({"binding": "python", "suite": name, "vector": a["name"], **got}) + "\n")
        for b in suite.get("bad_requests") or []:
            try:
                got = {"result": giayto.read_request(b["text"])}
            except giayto.RequestError as e:
                got = {"error": e.reason}
            out.write(json.dumps({"binding": "python", "suite": name + ".bad", "vector": b["name"], **got}) + "\n")
    at, inputs = bad_inputs(bad_path)
    verifier = giayto.Verifier(Path(vector_dir) / "root.pub", bundle=Path(vector_dir) / "bundle.cbor")
    for name, data, _expect in inputs:
        got = outcome(verifier, data, at=at)
        out.write(json.dumps({"binding": "python", "suite": "bad_inputs", "vector": name, **got}) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: run_python.py TEST-VECTORS-DIR BAD-INPUTS.json")
    main(sys.argv[1], sys.argv[2])
