"""Every response the suite's API tests receive, checked against the served OpenAPI schema.

`conftest.validate_api_responses` (autouse) wraps DRF's `APIClient.request`: a response from /api/v1/ must be
an operation and status the schema documents, with a content type it documents, and a JSON body that
validates against the schema of that operation and status (JSON Schema 2020-12, as OpenAPI 3.1 says;
date and date-time formats checked). A test opts out with `@pytest.mark.schema_unchecked("why")`.
"""

import json
import re
from functools import cache

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from kernel.api.schema import SchemaGenerator

PREFIX = "/api/v1/"
NOT_OPERATIONS = {"/api/v1/schema/", "/api/v1/docs/", "/api/v1/redoc/"}
FORMAT_CHECKER = Draft202012Validator.FORMAT_CHECKER


class SchemaMismatch(AssertionError):
    pass


@cache
def schema_document() -> dict:
    """The schema /api/v1/schema/ serves (the same generator), as plain JSON."""
    return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))


@cache
def _path_patterns() -> list[tuple[re.Pattern, str]]:
    patterns = []
    for template in schema_document()["paths"]:
        regex = re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template))
        patterns.append((re.compile(f"^{regex}$"), template))
    # Literal paths before templated ones (/meetings/{id}/ must not take /meetings/calendar/).
    patterns.sort(key=lambda item: item[1].count("{"))
    return patterns


def operation_path(path: str) -> str | None:
    for pattern, template in _path_patterns():
        if pattern.match(path):
            return template
    return None


@cache
def _validator(template: str, method: str, status: str) -> Draft202012Validator | None:
    if template is None:
        return _validator_for({"$ref": "#/components/schemas/Error"})
    response = schema_document()["paths"][template][method]["responses"][status]
    schema = response.get("content", {}).get("application/json", {}).get("schema")
    if schema is None:
        return None
    return _validator_for(schema)


def _validator_for(schema: dict) -> Draft202012Validator:
    # The operation's schema inside a document that also holds the components its "$ref"s point into.
    root = {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "components": schema_document()["components"], "allOf": [schema]}
    return Draft202012Validator(root, format_checker=FORMAT_CHECKER)


def check_response(response) -> None:
    """Raise SchemaMismatch, saying what and where, when the response is not what the schema documents."""
    path, method = response.request["PATH_INFO"], response.request["REQUEST_METHOD"].lower()
    if not path.startswith(PREFIX) or path in NOT_OPERATIONS or method in ("head", "options"):
        return
    status = str(response.status_code)
    where = f"{method.upper()} {path} -> {status}"
    template = operation_path(path)
    if template is None:
        if status != "404":
            raise SchemaMismatch(f"{where}: the schema has no path {path}")
        # A path no route answers: the API's own 404, in the shared Error shape.
        _check_body(where, "the Error component", _validator(None, method, status), response)
        return
    operations = schema_document()["paths"][template]
    if method not in operations:
        if status == "405":
            return
        raise SchemaMismatch(f"{where}: the schema documents no {method.upper()} on {template}")
    responses = operations[method]["responses"]
    if status not in responses:
        raise SchemaMismatch(f"{where}: status {status} is not documented for {method.upper()} {template} "
                             f"(documented: {', '.join(sorted(responses))})")
    documented = responses[status].get("content", {})
    content_type = (response.get("Content-Type") or "").split(";")[0].strip()
    if not documented:
        if response.content:
            raise SchemaMismatch(f"{where}: the schema documents no body, the server sent {content_type}")
        return
    if content_type not in documented:
        raise SchemaMismatch(f"{where}: content type {content_type!r} is not documented "
                             f"(documented: {', '.join(documented)})")
    if content_type == "application/json":
        _check_body(where, f"the schema of {method.upper()} {template} {status}",
                    _validator(template, method, status), response)


def _check_body(where: str, what: str, validator, response) -> None:
    if validator is None:
        return
    body = json.loads(response.content)
    errors = list(validator.iter_errors(body))
    if errors:
        lines = [f"{where}: the body does not match {what}"]
        for error in sorted(errors, key=lambda e: list(e.path))[:5]:
            best = best_match([error])
            location = "".join(f"[{part!r}]" for part in best.absolute_path) or "(the body)"
            lines.append(f"  at {location}: {best.message[:300]}")
            lines.append(f"    schema: {'/'.join(str(part) for part in best.absolute_schema_path)}")
        lines.append(f"  body: {json.dumps(body, ensure_ascii=False)[:1500]}")
        raise SchemaMismatch("\n".join(lines))
