"""OpenAPI generation: one English schema that generated clients and validators read alike.

- One schema whatever the request's language: `SchemaGenerator` builds it under English and turns every
  lazy translation into a plain string before the renderer (which runs in the request's language) sees it,
  so titles, descriptions and the class names generators derive from them never change.
- Shared error components: every error answer refers to `Error` (`{"detail", "code"}`) or, for 400,
  `ValidationError` (`{"field": ["message"], "codes": {"field": ["code"]}}` or `{"detail", "code"}`), instead
  of one inline schema per operation and status.
- Required means present: in a response, every field the serializer always writes is required; a field is
  optional only when it is declared `required=False` on the serializer (it may be left out, as a secret
  ballot's `choice`).
- A blank string allowed beside a format (`uri`) is `anyOf`, not `oneOf`: `""` would match both; nullable
  free-form JSON is `{}`, not `oneOf: [{}, null]`, for the same reason.
"""

from django.utils import translation
from django.utils.functional import Promise
from drf_spectacular.generators import SchemaGenerator as BaseSchemaGenerator
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.utils import OpenApiResponse

from kernel.api.components import ERROR_REF, VALIDATION_ERROR_REF

DESCRIPTIONS = {
    "400": "Bad input; nothing was saved.",
    "401": "Not signed in.",
    "403": "Signed in, and may see it, but may not do this.",
    "404": "Unknown, or not visible to this user.",
    "405": "Method not allowed.",
    "409": "Its state does not allow this (e.g. voting twice or on a closed motion, submitting twice).",
    "415": "Unsupported content type (send JSON).",
    "429": "Too many requests.",
}


def _error_response(code: str, description: str = "") -> dict:
    schema = VALIDATION_ERROR_REF if code == "400" else ERROR_REF
    return {"description": description or DESCRIPTIONS.get(code, "Error"),
            "content": {"application/json": {"schema": dict(schema)}}}


def plain_strings(data):
    """The schema with every lazy translation evaluated now (in the active language)."""
    if isinstance(data, Promise):
        return str(data)
    if isinstance(data, dict):
        return {plain_strings(key): plain_strings(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [plain_strings(item) for item in data]
    return data


class SchemaGenerator(BaseSchemaGenerator):
    """The schema in English, whatever the request's language (Accept-Language, ?lang=)."""

    def get_schema(self, request=None, public=False):
        with translation.override("en"):
            return plain_strings(super().get_schema(request=request, public=public))


class AutoSchema(BaseAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ["400", "401", "403", "404", "429"]
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes += ["409", "415"]
        for code in codes:
            responses.setdefault(code, _error_response(code))
        for code, response in responses.items():
            if code >= "400":
                # Whatever a view declared for an error, its body is one of the shared components.
                responses[code] = _error_response(code, response.get("description", ""))
        return responses

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "response":
            declared = getattr(serializer, "_declared_fields", {})
            optional = {name for name, field in declared.items()
                        if "required" in field._kwargs and not field._kwargs["required"]}
            required = [name for name in schema.get("properties", {}) if name not in optional]
            if required:
                schema["required"] = sorted(required)
        return schema

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if schema and schema.get("oneOf") == [{}, {"type": "null"}]:
            # Free-form JSON that may be null: null is any JSON already (oneOf would match it twice).
            del schema["oneOf"]
        return schema

    def _get_request_body(self, direction="request"):
        body = super()._get_request_body(direction)
        if body and len(body.get("content", {})) > 1:
            # openapi-python-client 0.29 writes `| Unset` without importing it for a *required* body of several
            # content types (openapi-generators/openapi-python-client#1451); the one such operation (a task
            # report: JSON, or multipart with a file) answers 400 without a body all the same.
            body.pop("required", None)
        return body

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        if "oneOf" in schema and {"type": "string", "maxLength": 0} in schema["oneOf"]:
            schema["anyOf"] = schema.pop("oneOf")


# Error answers for extend_schema on actions (their bodies are the shared components) ----------------


def _documented(code: int) -> OpenApiResponse:
    return OpenApiResponse(dict(VALIDATION_ERROR_REF if code == 400 else ERROR_REF),
                           description=DESCRIPTIONS[str(code)])


ACTION_ERRORS = {code: _documented(code) for code in (400, 401, 403, 404, 409)}
NOT_FOUND = ACTION_ERRORS[404]


def documented_errors(*codes):
    return {code: ACTION_ERRORS[code] for code in codes}
