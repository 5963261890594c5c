"""OpenAPI generation that documents the error answers every operation can give.

drf-spectacular documents only the success response; the API also answers 400
(field errors), 401, 403, 404, 409 (state conflicts), 415 and 429 with the shapes
fixed in shared/API.md. Documenting them keeps the schema true to the server
(the fuzz test checks every response against it).
"""

from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "oneOf": [
        {"type": "object", "additionalProperties": {"oneOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "string"},
            {"type": "object"},
        ]}},
        {"type": "array", "items": {"type": "string"}},
    ],
}
DESCRIPTIONS = {
    "400": "Bad input: {\"field\": [\"message\"]} or {\"detail\": \"message\"}",
    "401": "Not authenticated",
    "403": "Authenticated but not allowed",
    "404": "Unknown, or not visible to this user",
    "409": "The object's state does not allow this",
    "415": "Unsupported content type",
    "429": "Too many requests",
}


def _error(code: str) -> dict:
    schema = FIELD_ERRORS if code == "400" else DETAIL
    return {"description": DESCRIPTIONS[code], "content": {"application/json": {"schema": schema}}}


class AutoSchema(BaseAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ["400", "401", "403", "404", "429"]
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes += ["409", "415"]
        for code in codes:
            responses.setdefault(code, _error(code))
        return responses


# Error answers for extend_schema on actions, documented once -------------------------------------


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


BAD_INPUT = OpenApiResponse(
    response={
        "type": "object",
        "additionalProperties": {},
        "description": 'Each refused field with its messages, {"field": ["message"]} (an object keyed by code, as '
                       'scores, nests one more level), or {"detail": "message"}.',
    },
    description="Bad input; nothing was saved.",
)
NOT_ALLOWED = OpenApiResponse(ErrorSerializer, description="Signed in, and may see it, but may not do this.")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="Unknown, or not visible to this user.")
CONFLICT = OpenApiResponse(ErrorSerializer, description="Its state does not allow this (e.g. voting twice or on a closed motion, submitting twice).")
UNAUTHENTICATED = OpenApiResponse(ErrorSerializer, description="Not signed in.")
ACTION_ERRORS = {400: BAD_INPUT, 401: UNAUTHENTICATED, 403: NOT_ALLOWED, 404: NOT_FOUND, 409: CONFLICT}


def documented_errors(*codes):
    return {code: ACTION_ERRORS[code] for code in codes}
