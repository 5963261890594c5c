"""OpenAPI generation that documents the error answers every operation can give.

drf-spectacular documents only the success response; the API also answers 400
(field errors), 401, 403, 404, 409 (state conflicts), 415 and 429 with the shapes
fixed in shared/API.md. Documenting them keeps the schema true to the server
(the fuzz test checks every response against it).
"""

from drf_spectacular.openapi import AutoSchema as BaseAutoSchema

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
