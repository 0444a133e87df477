"""One exception tree for the whole service; every leaf carries its wire codes.

    CardOcrError                      (HTTP status, Huawei code, Tencent code)
    ├── InvalidParameter              400 AIS.0101      InvalidArgument
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
    └── AuthError
        ├── TokenMissing              401 ModelArts.4101 MissingSecurityHeader
        ├── TokenInvalid              401 ModelArts.4102 InvalidToken
        ├── TokenExpired              401 ModelArts.0203 ExpiredToken
        ├── ProjectForbidden          403 ModelArts.4203 AccessDenied
        └── BadCredentials            401 ModelArts.0205 InvalidCredentials

Errors raised by OpenCV, Pillow or onnxruntime are translated into this tree at the
pipeline boundary (`cardocr.pipeline`), so the HTTP layer only ever sees these.
Messages never contain field values or image bytes.
"""

from __future__ import annotations


class CardOcrError(Exception):
    status: int = 400
    huawei_code: str = "AIS.0105"
    tencent_code: str = "RecognitionFailed"
    default_message: str = "Recognition failed."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)

    def huawei_body(self) -> dict[str, str]:
        return {"error_code": self.huawei_code, "error_msg": self.message}


class InvalidParameter(CardOcrError):
    huawei_code, tencent_code = "AIS.0101", "InvalidArgument"
    default_message = "The parameter is invalid."


class UnsupportedFormat(CardOcrError):
    huawei_code, tencent_code = "AIS.0102", "InvalidImageFormat"
    default_message = "The image format is not supported."


class ImageSizeError(CardOcrError):
    huawei_code, tencent_code = "AIS.0103", "InvalidImageSize"
    default_message = "The image size does not meet the requirements."


class NoCardFound(CardOcrError):
    huawei_code, tencent_code = "AIS.0104", "NoCardFound"
    default_message = "The card is not found or the image quality is too poor."


class RecognitionFailed(CardOcrError):
    huawei_code, tencent_code = "AIS.0105", "RecognitionFailed"
    default_message = "Recognition failed."


class MalformedBody(CardOcrError):
    huawei_code, tencent_code = "ModelArts.4105", "MalformedXML"
    default_message = "The request body is not valid JSON."


class BodyTooLarge(CardOcrError):
    huawei_code, tencent_code = "ModelArts.4104", "EntityTooLarge"
    default_message = "The request body is too large."


class UrlRefused(CardOcrError):
    huawei_code, tencent_code = "ModelArts.4601", "InvalidURL"
    default_message = "The image URL is not allowed."


class UrlFetchFailed(CardOcrError):
    huawei_code, tencent_code = "ModelArts.4603", "DownloadFailed"
    default_message = "The image could not be downloaded from the URL."


class ApiNotFound(CardOcrError):
    status = 404
    huawei_code, tencent_code = "APIGW.0101", "ResourceNotFound"
    default_message = "The API does not exist or has not been published in the environment."


class MethodNotAllowed(CardOcrError):
    status = 405
    huawei_code, tencent_code = "APIGW.0101", "UnsupportedOperation"
    default_message = "The HTTP method is not allowed for this API."


class AuthError(CardOcrError):
    status = 401


class TokenMissing(AuthError):
    huawei_code, tencent_code = "ModelArts.4101", "MissingSecurityHeader"
    default_message = "The token is missing."


class TokenInvalid(AuthError):
    huawei_code, tencent_code = "ModelArts.4102", "InvalidToken"
    default_message = "The token is invalid."


class TokenExpired(AuthError):
    huawei_code, tencent_code = "ModelArts.0203", "ExpiredToken"
    default_message = "The token has expired."


class ProjectForbidden(AuthError):
    status = 403
    huawei_code, tencent_code = "ModelArts.4203", "AccessDenied"
    default_message = "The token does not grant access to this project."


class BadCredentials(AuthError):
    huawei_code, tencent_code = "ModelArts.0205", "InvalidCredentials"
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
