"""The API's shared error components, added to the schema by SPECTACULAR_SETTINGS["APPEND_COMPONENTS"] (plain
data: settings import it). kernel/api/exceptions.py writes these bodies; kernel/api/schema.py refers to them."""

ERROR_REF = {"$ref": "#/components/schemas/Error"}
VALIDATION_ERROR_REF = {"$ref": "#/components/schemas/ValidationError"}

# Added to the schema's components (SPECTACULAR_SETTINGS["APPEND_COMPONENTS"]).
ERROR_COMPONENTS = {
    "schemas": {
        "Error": {
            "type": "object",
            "description": "An error: a message in the request's language and a stable machine-readable code.",
            "properties": {
                "detail": {"type": "string", "description": "What went wrong, translated (Accept-Language)."},
                "code": {"type": "string", "description": "Stable code, e.g. `not_found`, `permission_denied`, "
                                                          "`not_authenticated`, `state_conflict`, `throttled`."},
            },
            "required": ["detail", "code"],
        },
        "ValidationError": {
            "type": "object",
            "description": (
                "Bad input; nothing was saved. Either each refused field with its messages, "
                '`{"field": ["message"]}`, and beside them `codes`, the same keys with a stable code per '
                'message (`{"field": ["invalid"]}`); or, for a refusal that concerns no field, '
                '`{"detail": "message", "code": "invalid"}`. A field holding an object or a list (scores keyed by '
                "indicator code, attendance records) nests its messages one level deeper, keyed the same way."
            ),
            "properties": {
                "detail": {"type": "string"},
                "code": {"type": "string"},
                "codes": {"type": "object", "additionalProperties": {},
                          "description": "The field errors' codes, shaped as the messages are."},
            },
            "additionalProperties": {},
        },
    }
}

