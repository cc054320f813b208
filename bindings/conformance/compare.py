"""One table of every binding × every vector; fails on any disagreement.

    python3 bindings/conformance/compare.py --vectors test-vectors \
        --bad bindings/conformance/bad-inputs.json --require rust,python,c,java RESULTS.jsonl...

Each RESULTS file holds JSON lines {"binding", "suite", "vector", "result" | "error"} from a
runner (the Rust example, run_cli.py, run_python.py, the C and Java tests, run_node.cjs). A
cell passes when the binding's outcome is the expected one (the vector's verdict and fields,
or bad-inputs.json's `expect`) and equal, member for member, to the reference binding's (the
first of --require, `rust`). Vectors come from the files, so new ones need no change here.

Request suites (docs/format.md §15; a file with `answers` or `bad_requests`, today
requests.json): each answer is checked against its request (suite NAME, the verdict, and for a
valid one the names of the fields disclosed, `disclosed`); each bad request is read and
refused with its code (suite NAME.bad, outcome `error:CODE`).
Prints "N passed, N failed" (cells); exit status 1 on any failure.
"""
import argparse
import json
import sys
from pathlib import Path

# Columns that may lack a vector: a PNG cannot carry every text, and bad inputs are bytes.
OPTIONAL = {"python-png"}


def expected(vector_dir, bad_path):
    want = {}
    for path in sorted(Path(vector_dir).glob("*.json")):
        suite = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(suite.get("vectors"), list):
            for v in suite["vectors"]:
                want[(path.stem, v["name"])] = ("verdict:" + v["verdict"], v.get("fields") if v["verdict"] == "valid" else None, None)
        for a in suite.get("answers") or []:
            want[(path.stem, a["name"])] = ("verdict:" + a["verdict"], None, a.get("disclosed") if a["verdict"] == "valid" else None)
        for b in suite.get("bad_requests") or []:
            want[(path.stem + ".bad", b["name"])] = ("error:" + b["error"], None, None)
    for item in json.loads(Path(bad_path).read_text(encoding="utf-8"))["inputs"]:
        want[("bad_inputs", item["name"])] = (item["expect"], None, None)
    return want


def outcome(line):
    if "error" in line:
        return "error:" + line["error"]
    return "verdict:" + str(line["result"].get("verdict"))


def diff_keys(a, b):
    if "result" not in a or "result" not in b:
        return ["error" if "error" in a else "result"]
    ra, rb = a["result"], b["result"]
    return sorted(k for k in set(ra) | set(rb) if ra.get(k) != rb.get(k))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vectors", required=True)
    ap.add_argument("--bad", required=True)
    ap.add_argument("--require", default="rust,python,c,java")
    ap.add_argument("results", nargs="+")
    args = ap.parse_args()
    want = expected(args.vectors, args.bad)
    required = [b for b in args.require.split(",") if b]
    got = {}
    for path in args.results:
        for raw in Path(path).read_text(encoding="utf-8").splitlines():
            if raw.strip():
                line = json.loads(raw)
                got.setdefault(line["binding"], {})[(line["suite"], line["vector"])] = line
    bindings = required + sorted(b for b in got if b not in required)
    reference = got.get(required[0], {}) if required else {}
    passed = failed = 0
    problems = []
    width = max(len(f"{s}/{v}") for s, v in want) + 2
    cols = [max(len(b), 5) + 2 for b in bindings]
    print("vector".ljust(width) + "expected".ljust(28) + "".join(b.ljust(c) for b, c in zip(bindings, cols)))
    for key in sorted(want):
        verdict, fields, disclosed = want[key]
        row = f"{key[0]}/{key[1]}".ljust(width) + verdict.split(":", 1)[1].ljust(28)
        for b, c in zip(bindings, cols):
            line = got.get(b, {}).get(key)
            if line is None:
                if b in OPTIONAL:
                    row += "-".ljust(c)
                    continue
                cell, why = "MISSING", "no result"
            elif outcome(line) != verdict:
                cell, why = "WRONG", f"{outcome(line)}, expected {verdict}"
            elif fields is not None and line["result"].get("fields") != fields:
                cell, why = "WRONG", "fields differ from the vector's"
            elif disclosed is not None and sorted(line["result"].get("fields") or {}) != sorted(disclosed):
                cell, why = "WRONG", "disclosed fields differ from the vector's"
            elif key in reference and line != {**reference[key], "binding": b}:
                cell, why = "DIFF", "differs from " + required[0] + " in " + ", ".join(diff_keys(line, reference[key]))
            elif b != (required[0] if required else b) and key not in reference:
                cell, why = "NOREF", "no reference result"
            else:
                cell, why = "ok", None
            if why:
                failed += 1
                problems.append(f"{b} {key[0]}/{key[1]}: {why}")
            else:
                passed += 1
            row += cell.ljust(c)
        print(row)
    for b in required:
        if b not in got:
            failed += 1
            problems.append(f"{b}: no results at all")
    extra = sorted({k for b in got.values() for k in b} - set(want))
    for k in extra:
        failed += 1
        problems.append(f"{k[0]}/{k[1]}: a result for a vector no file names")
    for p in problems:
        print("FAIL " + p, file=sys.stderr)
    print(f"conformance: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
