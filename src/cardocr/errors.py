"""One exception tree for the whole service: what went wrong and its HTTP status. Each wire
format gives every leaf its own code (render/huawei.py: ERROR_CODES); the codes below are
Huawei's and, where the Tencent format will use them, Tencent's.

    CardOcrError                      (HTTP status, Huawei code, Tencent code)
    ├── InvalidParameter              400 AIS.0101      InvalidArgument
    ├── ConfigFormatError             400 AIS.0101      InvalidParameter.ConfigFormatError
    ├── UnsupportedFormat             400 AIS.0102      InvalidImageFormat
    ├── ImageSizeError                400 AIS.0103      InvalidImageSize
    ├── NoCardFound                   400 AIS.0104      NoCardFound
    ├── ImageBlurred                  400 AIS.0104      FailedOperation.ImageBlur  (no card read, blur asked and found)
    ├── RecognitionFailed             400 AIS.0105      RecognitionFailed
    ├── MultiCardError                400 AIS.0122      FailedOperation.MultiCardError
    ├── MalformedBody                 400 ModelArts.4105 MalformedXML
    ├── BodyTooLarge                  400 ModelArts.4104 EntityTooLarge
    ├── UrlRefused                    400 ModelArts.4601 InvalidURL
    ├── UrlFetchFailed                400 ModelArts.4603 DownloadFailed
    ├── ApiNotFound                   404 APIGW.0101     ResourceNotFound
    ├── MethodNotAllowed              405 APIGW.0101     UnsupportedOperation
    ├── InternalError                 500 ModelArts.4505 InternalError
    ├── Overloaded                    503 ModelArts.4401 RequestLimitExceeded  (+ Retry-After)
    ├── DeadlineExceeded              504 ModelArts.4402 RequestTimeout  (limits.request_deadline_seconds)
    ├── WorkerLost                    503 ModelArts.4403 ServiceUnavailable (its inference worker died)
    ├── BadHttpRequest                400 APIGW.0201     InvalidRequest     (HTTP layer: unparseable)
    ├── HeadersTooLarge               494 APIGW.0201     RequestHeaderTooLarge
    ├── RequestTimeout                408 APIGW.0201     RequestTimeout     (head or body too slow)
    ├── NoSuchKey                     404 APIGW.0101     NoSuchKey          (the COS endpoint: cardocr.cos)
    ├── NoSuchBucket                  404 APIGW.0101     NoSuchBucket
    ├── DigestMismatch                400 AIS.0101       InvalidDigest      (Content-MD5 malformed or wrong)
    ├── RangeNotSatisfiable           416 AIS.0101       InvalidRange
    └── AuthError                                        (COS answers 403 for every one)
        ├── TokenMissing              401 ModelArts.4101 MissingSecurityHeader
        ├── TokenInvalid              401 ModelArts.4102 InvalidToken
        ├── TokenExpired              401 ModelArts.0203 ExpiredToken
        ├── ProjectForbidden          403 ModelArts.4203 AccessDenied
        ├── BadCredentials            401 ModelArts.0205 InvalidCredentials
        ├── SignatureMalformed        401 APIGW.0301     AuthFailure.InvalidAuthorization  (AK/SK: cardocr.aksk)
        ├── AccessKeyUnknown          401 APIGW.0301     AuthFailure.SecretIdNotFound
        ├── SignatureMismatch         401 APIGW.0301     AuthFailure.SignatureFailure
        ├── SignatureExpired          401 APIGW.0301     RequestTimeTooSkewed
        └── RequestExpired            401 APIGW.0301     AccessDenied       (COS: past q-sign-time's end)

Failures of OpenCV or onnxruntime on a particular image are translated into RecognitionFailed
at the pipeline boundary (`cardocr.pipeline`); any other exception is a bug, answered as
InternalError by the API and the CLI.
Messages never contain field values or image bytes.
"""

from __future__ import annotations

from collections.abc import Mapping


class CardOcrError(Exception):
    status: int = 400
    default_message: str = "Recognition failed."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class InvalidParameter(CardOcrError):
    default_message = "The parameter is invalid."


class ConfigFormatError(CardOcrError):
    """Tencent COS CI: `Config` is not a JSON object of known booleans (a bad parameter, with
    a code of its own in Tencent's format)."""

    default_message = "The Config format is incorrect."


class UnsupportedFormat(CardOcrError):
    default_message = "The image format is not supported."


class ImageSizeError(CardOcrError):
    default_message = "The image size does not meet the requirements."


class NoCardFound(CardOcrError):
    default_message = "The card is not found or the image quality is too poor."


class ImageBlurred(CardOcrError):
    """No card could be read, the request asked for the blur signal, and the card the search
    found is too blurred to trust (quality.blur): the blur verdict, where a reading would carry
    it. Huawei's "image quality is poor" code; Tencent's own FailedOperation.ImageBlur.
    `signal` (a types.Signal) is what the detector measured; it is not sent on the wire."""

    default_message = "The card is too blurred to be read."

    def __init__(self, message: str | None = None, signal: object | None = None) -> None:
        super().__init__(message)
        self.signal = signal


class RecognitionFailed(CardOcrError):
    default_message = "Recognition failed."


class MultiCardError(CardOcrError):
    """More cards in the photo than the request can take: two of one side (Huawei's AIS.0122
    for side=double_side), or for Tencent any second card unless MultiCardDetect asked for a
    front and a back (quality.multicard finds them)."""

    default_message = "The image contains two or more ID cards with the same side."


class MalformedBody(CardOcrError):
    default_message = "The request body is not valid JSON."


class BodyTooLarge(CardOcrError):
    default_message = "The request body is too large."


class UrlRefused(CardOcrError):
    default_message = "The image URL is not allowed."


class UrlFetchFailed(CardOcrError):
    default_message = "The image could not be downloaded from the URL."


class ApiNotFound(CardOcrError):
    status = 404
    default_message = "The API does not exist or has not been published in the environment."


class MethodNotAllowed(CardOcrError):
    status = 405
    default_message = "The HTTP method is not allowed for this API."


class InternalError(CardOcrError):
    """A bug, not a bad photo: logged with its traceback and counted where it is caught."""

    status = 500
    default_message = "Internal error."


class Overloaded(CardOcrError):
    """More connections or requests at once than settings.Limits.max_connections allows, or
    more requests waiting for an inference worker than Limits.max_queue: refused at once, with
    a Retry-After (api.app.RequestIdMiddleware adds it to every 503)."""

    status = 503
    default_message = "Max concurrency error."


class DeadlineExceeded(CardOcrError):
    """The request's reading (queue wait included) did not finish within
    Limits.request_deadline_seconds. Huawei's status for it is undocumented; 504 is what a
    gateway answers for a backend that timed out."""

    status = 504
    default_message = "Backend service timeout error."


class WorkerLost(CardOcrError):
    """The inference worker process reading this request died (it is replaced); the request is
    answered, not hung, and may be retried."""

    status = 503
    default_message = "Backend service unavailable error."


class BadHttpRequest(CardOcrError):
    """The HTTP layer could not parse the request (bad framing, header syntax, no Host)."""

    default_message = "API request error."


class HeadersTooLarge(CardOcrError):
    """The request line and headers exceed settings.Limits.max_header_bytes (the API
    gateway's own status, 494)."""

    status = 494
    default_message = "Request headers too large."


class RequestTimeout(CardOcrError):
    """The request's head or body did not arrive within its time limit."""

    status = 408
    default_message = "Request timeout."


class AuthError(CardOcrError):
    status = 401


class TokenMissing(AuthError):
    default_message = "The token is missing."


class TokenInvalid(AuthError):
    default_message = "The token is invalid."


class TokenExpired(AuthError):
    default_message = "The token has expired."


class ProjectForbidden(AuthError):
    status = 403
    default_message = "The token does not grant access to this project."


class BadCredentials(AuthError):
    default_message = "The user name or password is incorrect."


# AK/SK signatures: the messages of Huawei's API gateway ("Incorrect IAM authentication
# information: ...", APIGW.0301; the API request signing guide's FAQ, api-sign-0001)


class SignatureMalformed(AuthError):
    """No SDK-HMAC-SHA256 Authorization header that parses, or no usable X-Sdk-Date."""

    default_message = "Incorrect IAM authentication information: the AK/SK signature is malformed."


class AccessKeyUnknown(AuthError):
    default_message = "Incorrect IAM authentication information: Get secretKey failed,ak:******,err:ak not exist"


class SignatureMismatch(AuthError):
    default_message = "Incorrect IAM authentication information: verify aksk signature fail"


class SignatureExpired(AuthError):
    """X-Sdk-Date more than 15 minutes before or after the server's clock."""

    default_message = "Incorrect IAM authentication information: signature expired"


# The COS endpoint (cardocr.cos): objects, buckets and their signatures


class NoSuchKey(CardOcrError):
    status = 404
    default_message = "The specified key does not exist."


class NoSuchBucket(CardOcrError):
    status = 404
    default_message = "The specified bucket does not exist."


class DigestMismatch(CardOcrError):
    default_message = "The Content-MD5 you specified did not match what we received."


class RangeNotSatisfiable(CardOcrError):
    status = 416
    default_message = "The requested range is not satisfiable."


class RequestExpired(AuthError):
    """A COS signature whose q-sign-time ended before the server's clock."""

    default_message = "Request has expired"


def wire_code(codes: Mapping[type[CardOcrError], str], exc: CardOcrError | type[CardOcrError]) -> str:
    """A wire format's code for an error: the table's entry for its class or the nearest class
    above it; a class the table does not reach is a recognition failure."""
    cls = exc if isinstance(exc, type) else type(exc)
    for klass in cls.__mro__:
        if klass in codes:
            return codes[klass]
    return codes[RecognitionFailed]


def all_leaves() -> list[type[CardOcrError]]:
    """Every concrete error class, for the test that walks the tree."""
    out: list[type[CardOcrError]] = []
    stack: list[type[CardOcrError]] = [CardOcrError]
    while stack:
        cls = stack.pop()
        subs = cls.__subclasses__()
        if not subs:
            out.append(cls)
        stack.extend(subs)
    return out
