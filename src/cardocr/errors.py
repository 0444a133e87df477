"""One exception tree for the whole service: what went wrong and its HTTP status. Each wire
format gives every leaf its own code (render/huawei.py: ERROR_CODES); the codes below are
Huawei's and, where the Tencent format will use them, Tencent's.

    CardOcrError                      (HTTP status, Huawei code, Tencent code)
    ├── InvalidParameter              400 AIS.0101      InvalidArgument
    ├── ConfigFormatError             400 AIS.0101      InvalidParameter.ConfigFormatError
    ├── UnsupportedFormat             400 AIS.0102      InvalidImageFormat
    ├── ImageSizeError                400 AIS.0103      InvalidImageSize
    ├── NoCardFound                   400 AIS.0104      NoCardFound
    ├── RecognitionFailed             400 AIS.0105      RecognitionFailed
    ├── MalformedBody                 400 ModelArts.4105 MalformedXML
    ├── BodyTooLarge                  400 ModelArts.4104 EntityTooLarge
    ├── UrlRefused                    400 ModelArts.4601 InvalidURL
    ├── UrlFetchFailed                400 ModelArts.4603 DownloadFailed
    ├── ApiNotFound                   404 APIGW.0101     ResourceNotFound
    ├── MethodNotAllowed              405 APIGW.0101     UnsupportedOperation
    ├── InternalError                 500 ModelArts.4505 InternalError
    └── AuthError
        ├── TokenMissing              401 ModelArts.4101 MissingSecurityHeader
        ├── TokenInvalid              401 ModelArts.4102 InvalidToken
        ├── TokenExpired              401 ModelArts.0203 ExpiredToken
        ├── ProjectForbidden          403 ModelArts.4203 AccessDenied
        └── BadCredentials            401 ModelArts.0205 InvalidCredentials

Failures of OpenCV or onnxruntime on a particular image are translated into RecognitionFailed
at the pipeline boundary (`cardocr.pipeline`); any other exception is a bug, answered as
InternalError by the API and the CLI.
Messages never contain field values or image bytes.
"""

from __future__ import annotations


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


class RecognitionFailed(CardOcrError):
    default_message = "Recognition failed."


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
