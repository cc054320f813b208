"""Type stubs for the giayto extension module (bindings/python/src/lib.rs)."""
import datetime
import os
from typing import Any, Dict, Iterable, List, Literal, Optional, TypedDict, Union

__version__: str

Verdict = Literal[
    "valid", "expired", "not_yet_valid", "revoked", "suspended", "held", "unknown_issuer",
    "issuer_not_authorized", "bad_signature", "malformed", "stale_status", "stale_trust",
    "stale_presentation", "insufficient_level", "not_a_credential", "unsupported_document",
    # Only from Verifier.check_answer (an answer checked against a verifier's request,
    # docs/format.md §15).
    "wrong_request", "request_expired", "incomplete_answer",
]
_Bytes = Union[bytes, bytearray, memoryview]
_Source = Union[_Bytes, str, "os.PathLike[str]"]

class GiaytoError(ValueError):
    """Unusable input (never a verdict)."""
    code: str
class RootKeyError(GiaytoError): ...
class TrustListError(GiaytoError): ...
class BundleError(GiaytoError): ...
class StatusListError(GiaytoError): ...
class OptionsError(GiaytoError): ...
class NonceError(GiaytoError): ...
class NotTextError(GiaytoError): ...
class ImageError(GiaytoError): ...
class NoCodeError(GiaytoError): ...
class RequestError(GiaytoError):
    """A request that cannot be read or made; `code` is "request"."""
    reason: str
    """The refusal code: not_a_request, bad_item, duplicate_item, lifetime, bad_member, ..."""
    item: Optional[str]
    member: Optional[str]

class RequestInfo(TypedDict):
    """A verifier's request as read_request and make_request give it."""
    verifier: str
    purpose: str
    required: List[str]
    optional: List[str]
    doc_type: Optional[str]
    nonce: str
    issued_at: str
    expires_at: str
    expires_at_seconds: int

class MadeRequest(TypedDict):
    text: str
    request: RequestInfo

class VerifyResult:
    """One verification; `to_dict()` is the JSON of `giayto verify --json`."""
    @property
    def verdict(self) -> Verdict | str: ...
    @property
    def valid(self) -> bool: ...
    @property
    def reason(self) -> Optional[str]: ...
    @property
    def doc_type(self) -> Optional[str]: ...
    @property
    def fields(self) -> Optional[Dict[str, Any]]: ...
    @property
    def issuer(self) -> Optional[str]: ...
    @property
    def issuer_name(self) -> Optional[Dict[str, Optional[str]]]: ...
    @property
    def serial(self) -> Optional[str]: ...
    @property
    def warnings(self) -> List[Dict[str, Any]]: ...
    @property
    def presentation(self) -> bool: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def to_json(self) -> str: ...
    def __bool__(self) -> bool: ...

class Verifier:
    """Pinned root key, trust list or bundle, status lists. Thread-safe; verify releases the GIL."""
    def __init__(
        self,
        root_pub: _Source,
        *,
        bundle: Optional[_Source] = None,
        trust: Optional[_Source] = None,
        status: Optional[Iterable[_Source]] = None,
        accept_missing_status: bool = False,
    ) -> None: ...
    def verify(
        self,
        data: Union[str, _Bytes],
        at: Union[int, datetime.datetime, None] = None,
        policy: Literal["third-party", "checkpoint"] = "third-party",
        nonce: Union[str, bytes, None] = None,
    ) -> VerifyResult: ...
    def check_answer(
        self,
        answer: Union[str, _Bytes],
        request: str,
        at: Union[int, datetime.datetime, None] = None,
    ) -> VerifyResult: ...
    def add_status_list(self, token: _Source) -> Literal["added", "replaced", "kept_newer"]: ...
    @property
    def trust_list(self) -> Dict[str, Any]: ...
    @property
    def bundle_created_at(self) -> Optional[int]: ...

def qr_png(text: str) -> bytes:
    """A PNG of a QR code holding `text` (the CLI's rendering)."""

def make_request(
    required: Union[str, Iterable[str]],
    optional: Union[str, Iterable[str], None] = None,
    *,
    purpose: str,
    verifier: str,
    doc_type: Optional[Literal["cccd", "gplx", "vehicle", "bhyt"]] = None,
    minutes: int = 10,
    at: Union[int, datetime.datetime, None] = None,
) -> MadeRequest:
    """A verifier's request (VR1:) with a fresh nonce; RequestError for what cannot be asked."""

def read_request(text: str) -> RequestInfo:
    """A request's parts; RequestError for a malformed one."""
