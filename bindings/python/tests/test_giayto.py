"""The giayto Python package: every test vector (as text and as a PNG of its QR code), unusable
input, the typed API, and sharing one Verifier across threads.

    pip install ./bindings/python && python3 -m pytest bindings/python/tests
"""
import datetime
import json
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import giayto

REPO = Path(__file__).resolve().parents[3]
VECTORS = REPO / "test-vectors"
BAD_INPUTS = REPO / "bindings" / "conformance" / "bad-inputs.json"
sys.path.insert(0, str(REPO / "bindings" / "conformance"))
from run_python import bad_inputs, options, suites  # noqa: E402

ALL = list(suites(VECTORS))
IDS = [f"{name}/{vector['name']}" for name, _s, _m, vector in ALL]


def check(result, vector):
    assert result.verdict == vector["verdict"], (vector["name"], result.reason)
    assert result.valid == (vector["verdict"] == "valid")
    assert bool(result) == result.valid
    assert result.presentation == vector["text"].startswith("VP1:")
    if not result.valid:
        assert isinstance(result.reason, str)
    if vector.get("doc_type") and result.fields is not None:
        assert result.doc_type == vector["doc_type"]
    if vector.get("fields") and result.valid:
        assert result.fields == vector["fields"]
        assert result.issuer.startswith("VN.")
        assert result.issuer_name["vi"]
        assert 16 <= len(result.serial) <= 32
        int(result.serial, 16)
    d = result.to_dict()
    assert d["verdict"] == result.verdict and d["valid"] == result.valid
    assert json.loads(result.to_json()) == d


def test_there_are_vectors():
    assert len(ALL) >= 60
    assert {name for name, *_ in ALL} >= {"credentials", "status", "presentations"}


@pytest.mark.parametrize("case", ALL, ids=IDS)
def test_vector_text(case):
    _name, _suite, make, vector = case
    check(make().verify(vector["text"], **options(vector)), vector)


@pytest.mark.parametrize("case", ALL, ids=IDS)
def test_vector_png(case):
    _name, _suite, make, vector = case
    verifier = make()
    try:
        png = giayto.qr_png(vector["text"])
    except giayto.ImageError as e:
        # Only a text longer than any QR code holds (the zlib bomb vector): no PNG can exist.
        assert len(vector["text"]) > 4296, e
        pytest.skip(f"no QR code holds this text: {e}")
    assert png.startswith(b"\x89PNG")
    from_image = verifier.verify(png, **options(vector))
    check(from_image, vector)
    assert from_image.to_dict() == verifier.verify(vector["text"], **options(vector)).to_dict()


@pytest.mark.parametrize("name,data,expect", bad_inputs(BAD_INPUTS)[1], ids=lambda x: x if isinstance(x, str) else "")
def test_bad_input_gets_the_clis_outcome(name, data, expect):
    at = bad_inputs(BAD_INPUTS)[0]
    verifier = giayto.Verifier(VECTORS / "root.pub", bundle=VECTORS / "bundle.cbor")
    kind, _, code = expect.partition(":")
    if kind == "error":
        with pytest.raises(giayto.GiaytoError) as e:
            verifier.verify(data, at=at)
        assert e.value.code == code
        assert str(e.value)
    else:
        assert verifier.verify(data, at=at).verdict == code


def bundle_verifier(**kw):
    return giayto.Verifier((VECTORS / "root.pub").read_text(), bundle=(VECTORS / "bundle.cbor").read_bytes(), **kw)


def test_typed_errors_for_unusable_setup():
    trust = VECTORS / "trust.cwt"
    with pytest.raises(giayto.RootKeyError) as e:
        giayto.Verifier(b"\x01\x02", trust=trust)
    assert e.value.code == "root_key"
    with pytest.raises(giayto.TrustListError):
        giayto.Verifier(VECTORS / "root.pub", trust=b"not a trust list")
    with pytest.raises(giayto.BundleError):
        giayto.Verifier(VECTORS / "root.pub", bundle=trust)
    with pytest.raises(giayto.StatusListError):
        giayto.Verifier(VECTORS / "root.pub", trust=trust, status=[b"nope"])
    with pytest.raises(TypeError):
        giayto.Verifier(VECTORS / "root.pub")
    with pytest.raises(TypeError):
        giayto.Verifier(VECTORS / "root.pub", trust=trust, bundle=VECTORS / "bundle.cbor")
    with pytest.raises(OSError):
        giayto.Verifier(VECTORS / "root.pub", trust=VECTORS / "missing.cwt")
    assert issubclass(giayto.NoCodeError, giayto.GiaytoError)
    assert issubclass(giayto.GiaytoError, ValueError)


def test_typed_errors_for_unusable_options():
    v = bundle_verifier()
    with pytest.raises(giayto.OptionsError):
        v.verify("VN1:", policy="bank")
    with pytest.raises(giayto.NonceError):
        v.verify("VN1:", nonce="xyz")
    with pytest.raises(giayto.NonceError):
        v.verify("VN1:", nonce=b"\x00" * 65)
    with pytest.raises(giayto.OptionsError):
        v.verify("VN1:", at=True)
    with pytest.raises(TypeError):
        v.verify(12345)


def test_status_lists_as_files_and_settings():
    status = json.loads((VECTORS / "status.json").read_text())
    lists = [VECTORS / s["file"] for s in status["status_lists"]]
    v = giayto.Verifier(VECTORS / "root.pub", trust=VECTORS / "trust.cwt", status=lists)
    assert v.bundle_created_at is None
    assert isinstance(v.trust_list["sequence"], int)
    assert v.add_status_list(lists[0]) in ("replaced", "kept_newer")
    for vector in status["vectors"]:
        if not vector.get("accept_missing_status"):
            assert v.verify(vector["text"], at=vector["at"]).verdict == vector["verdict"]
    b = bundle_verifier()
    assert isinstance(b.bundle_created_at, int)
    assert "bundle_created_at" in b.verify("VN1:", at=0).to_dict()


def test_time_nonce_and_input_forms():
    p = json.loads((VECTORS / "presentations.json").read_text())
    vector = next(x for x in p["vectors"] if x["name"] == "presentation_with_nonce")
    v = giayto.Verifier(bytes.fromhex(p["root_public_key"]), trust=bytes.fromhex(p["trust_list"]))
    when = datetime.datetime.fromtimestamp(vector["at"], tz=datetime.timezone.utc)
    for nonce in (vector["nonce"], bytes.fromhex(vector["nonce"])):
        assert v.verify(vector["text"], at=when, nonce=nonce).valid
    assert v.verify(vector["text"].encode(), at=vector["at"], nonce=vector["nonce"]).valid
    assert v.verify(bytearray(vector["text"].encode()), at=vector["at"], nonce=vector["nonce"]).valid
    assert v.verify(memoryview(vector["text"].encode()), at=vector["at"], nonce=vector["nonce"]).valid
    assert v.verify("  " + vector["text"] + "\n", at=vector["at"], nonce=vector["nonce"]).valid
    assert not v.verify(vector["text"], at=vector["at"], nonce="ff" * 16).valid
    # Without `at`, the clock is read: a verdict all the same.
    assert v.verify(vector["text"], nonce=vector["nonce"]).verdict in ("valid", "stale_presentation", "stale_trust", "expired")
    r = v.verify("https://example.invalid", at=0)
    assert (r.verdict, r.valid, r.fields, r.serial, r.warnings) == ("not_a_credential", False, None, None, [])
    assert "not_a_credential" in repr(r)


def test_one_verifier_shared_by_threads():
    cases = [(make, vector) for _n, _s, make, vector in ALL if not vector.get("accept_missing_status")]
    shared = {}
    for make, vector in cases:
        key = id(make.__defaults__[0])
        shared.setdefault(key, make())
    def run(case):
        make, vector = case
        return shared[id(make.__defaults__[0])].verify(vector["text"], **options(vector)).verdict, vector["verdict"]
    with ThreadPoolExecutor(max_workers=4) as pool:
        for got, want in pool.map(run, cases * 4):
            assert got == want


def test_verification_releases_the_gil():
    # Another thread runs Python code while this one is inside verify (a photo: slow, in
    # Rust). With a long switch interval this thread never yields the GIL by itself, so the
    # other thread only runs if verify releases it.
    v = bundle_verifier()
    vector = ALL[0][3]
    png = giayto.qr_png(vector["text"])

    def verify():
        for _ in range(50):
            assert v.verify(png, at=vector["at"]).verdict == vector["verdict"]

    assert ticks_during(verify) > 0


def ticks_during(work):
    """How often another Python thread ran while `work()` ran, with a switch interval so long
    that this thread never yields the GIL by itself: more than 0 only if `work` releases it."""
    import time
    ticks = 0
    stop = threading.Event()

    def spin():
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            time.sleep(0.0001)

    old = sys.getswitchinterval()
    t = threading.Thread(target=spin)
    t.start()
    try:
        time.sleep(0.01)
        sys.setswitchinterval(30)
        before = ticks
        work()
        return ticks - before
    finally:
        sys.setswitchinterval(old)
        stop.set()
        t.join()


# Verifier requests and answers (docs/format.md §15): test-vectors/requests.json.
REQUESTS = json.loads((VECTORS / "requests.json").read_text(encoding="utf-8"))


def request_verifier():
    return giayto.Verifier(
        bytes.fromhex(REQUESTS["root_public_key"]), trust=bytes.fromhex(REQUESTS["trust_list"])
    )


@pytest.mark.parametrize("answer", REQUESTS["answers"], ids=[a["name"] for a in REQUESTS["answers"]])
def test_answer_vector(answer):
    r = request_verifier().check_answer(answer["text"], answer["request"], at=answer["at"])
    assert r.verdict == answer["verdict"], (answer["name"], r.reason)
    assert r.valid == (answer["verdict"] == "valid")
    if "reason" in answer:
        assert r.reason == answer["reason"]
    if r.valid:
        assert sorted(r.fields) == sorted(answer["disclosed"])
        assert r.presentation
    # Bytes (UTF-8 text) give the same result as str.
    same = request_verifier().check_answer(answer["text"].encode(), answer["request"], at=answer["at"])
    assert same.to_dict() == r.to_dict()


@pytest.mark.parametrize("bad", REQUESTS["bad_requests"], ids=[b["name"] for b in REQUESTS["bad_requests"]])
def test_bad_request_is_refused_with_its_code(bad):
    with pytest.raises(giayto.RequestError) as e:
        giayto.read_request(bad["text"])
    assert e.value.code == "request" and e.value.reason == bad["error"]
    assert isinstance(e.value, giayto.GiaytoError)
    answer = REQUESTS["answers"][0]
    with pytest.raises(giayto.RequestError) as e:
        request_verifier().check_answer(answer["text"], bad["text"], at=answer["at"])
    assert e.value.reason == bad["error"]


def test_request_made_in_python_reads_back_and_binds_answers():
    answer = REQUESTS["answers"][0]
    at = answer["at"]
    made = giayto.make_request(
        ["full_name", "age_over_18"], "id_number", purpose="Đăng ký lưu trú",
        verifier="Khách sạn Hoa Sen", doc_type="cccd", minutes=10, at=at,
    )
    assert made["text"].startswith("VR1:")
    req = giayto.read_request(made["text"])
    assert req == made["request"]
    assert req["required"] == ["full_name", "age_over_18"] and req["optional"] == ["id_number"]
    assert req["doc_type"] == "cccd" and req["verifier"] == "Khách sạn Hoa Sen"
    assert req["expires_at_seconds"] == at + 600
    assert len(bytes.fromhex(req["nonce"])) == 16
    again = giayto.make_request("full_name", purpose="x", verifier="y", at=at)
    assert again["request"]["nonce"] != req["nonce"]
    # The wallet would answer this request; a vector's answer to another one is refused.
    r = request_verifier().check_answer(answer["text"], made["text"], at=at)
    assert r.verdict == "wrong_request" and not r.valid
    # Closed: refused whatever the answer.
    late = request_verifier().check_answer(answer["text"], made["text"], at=at + 3600)
    assert late.verdict == "request_expired"


@pytest.mark.parametrize("kw, reason", [
    ({"required": []}, "no_items"),
    ({"required": ["shoe_size"]}, "bad_item"),
    ({"doc_type": "passport"}, "bad_doc_type"),
    ({"minutes": 0}, "lifetime"),
    ({"minutes": 1441}, "lifetime"),
    ({"verifier": ""}, "bad_member"),
    ({"optional": ["full_name"]}, "duplicate_item"),
])
def test_make_request_refusals_are_typed(kw, reason):
    args = {"required": ["full_name"], "purpose": "p", "verifier": "v", "at": 1_795_392_000, **kw}
    with pytest.raises(giayto.RequestError) as e:
        giayto.make_request(args.pop("required"), **args)
    assert e.value.reason == reason
    if reason == "bad_item":
        assert e.value.item == "shoe_size"


def test_check_answer_shared_by_threads_and_releases_the_gil():
    # As test_verification_releases_the_gil: the answer as a photo (slow, in Rust) while
    # another thread runs Python code; and one Verifier shared by four threads.
    answer = REQUESTS["answers"][0]
    v = request_verifier()
    with ThreadPoolExecutor(4) as pool:
        verdicts = list(pool.map(
            lambda _: v.check_answer(answer["text"], answer["request"], at=answer["at"]).verdict,
            range(16),
        ))
    assert verdicts == ["valid"] * 16
    png = giayto.qr_png(answer["text"])

    def check():
        for _ in range(20):
            assert v.check_answer(png, answer["request"], at=answer["at"]).verdict == "valid"

    assert ticks_during(check) > 0
