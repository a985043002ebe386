"""The official TM Forum Swagger 2.0 specifications, as JSON Schema validators.

The specs ship inside this package (``specs/``, each folder with its LICENSE and SOURCE.md) because the shared
data folder is not there at run time. A definition is validated with Draft 4 (the dialect Swagger 2.0 builds
on) as ``{"$ref": "#/definitions/<Name>", "definitions": …}`` so every ``$ref`` resolves inside its own spec.
``date-time`` must be RFC 3339 and ``uri`` absolute; Swagger's ``float``/``int32`` annotations carry no rule.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft4Validator, FormatChecker

from network.errors import InvalidInput


class Api(StrEnum):
    CUSTOMER = "TMF629"
    PARTY = "TMF632"
    USAGE = "TMF635"
    PREPAY_BALANCE = "TMF654"
    CUSTOMER_BILL = "TMF678"


_FILES = {
    Api.CUSTOMER: ("TMF629_CustomerManagement", "TMF629-Customer-v4.0.0.swagger.json"),
    Api.PARTY: ("TMF632_PartyManagement", "TMF632-Party-v4.0.0.swagger.json"),
    Api.USAGE: ("TMF635_UsageManagement", "TMF635-UsageManagement-v4.0.0.swagger.json"),
    Api.PREPAY_BALANCE: ("TMF654_PrepayBalanceManagement", "TMF654-PrepayBalance-v4.0.0.swagger.json"),
    Api.CUSTOMER_BILL: ("TMF678_CustomerBill", "TMF678-CustomerBill-v4.0.0.swagger.json"),
}


class SchemaViolation(InvalidInput):
    code = "tmf_schema_violation"


@cache
def spec(api: Api) -> dict[str, Any]:
    folder, name = _FILES[api]
    text = resources.files("ossbss.tmf.specs").joinpath(folder, name).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def base_path(api: Api) -> str:
    """The spec's own ``basePath`` without a trailing slash, e.g. ``/tmf-api/usageManagement/v4``."""
    return str(spec(api)["basePath"]).rstrip("/")


def _formats() -> FormatChecker:
    checker = FormatChecker(formats=())

    @checker.checks("date-time", raises=ValueError)
    def _date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        if "T" not in value.upper():
            return False
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        return parsed.tzinfo is not None

    @checker.checks("uri")
    def _uri(value: object) -> bool:
        if not isinstance(value, str):
            return True
        parts = urlsplit(value)
        return bool(parts.scheme) and not any(ch.isspace() for ch in value)

    return checker


@cache
def validator(api: Api, definition: str) -> Draft4Validator:
    definitions = spec(api)["definitions"]
    if definition not in definitions:
        raise KeyError(f"{api} has no definition {definition!r}")
    schema = _inline({"$ref": f"#/definitions/{definition}"}, definitions, ())
    schema["definitions"] = definitions  # for any $ref left in place on a cycle
    return Draft4Validator(schema, format_checker=_formats())


def _inline(node: Any, definitions: dict[str, Any], stack: tuple[str, ...]) -> Any:
    """Replace ``$ref``s by their definitions (validation ~3× faster); a recursive one stays a ``$ref``."""
    if isinstance(node, list):
        return [_inline(item, definitions, stack) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/definitions/"):
        name = ref.rsplit("/", 1)[-1]
        if name in stack:
            return {"$ref": ref}
        return _inline(definitions[name], definitions, (*stack, name))
    return {key: _inline(value, definitions, stack) for key, value in node.items()}


def errors(api: Api, definition: str, instance: object) -> list[str]:
    """Every violation of ``definition`` in ``instance``, as ``path: message`` lines."""
    found = validator(api, definition).iter_errors(instance)
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}" for e in found]


def validate(api: Api, definition: str, instance: object) -> None:
    problems = errors(api, definition, instance)
    if problems:
        raise SchemaViolation(f"not a valid {api} {definition}: {problems[0]}", problems=problems)


def undeclared(
    api: Api, definition: str, instance: object, allowed: frozenset[str] = frozenset()
) -> list[str]:
    """Properties the spec does not declare (TMF allows them as extensions; we want to know which we add)."""
    definitions = spec(api)["definitions"]
    return sorted(set(_walk(definitions, {"$ref": f"#/definitions/{definition}"}, instance, "")) - allowed)


def _walk(definitions: dict[str, Any], schema: dict[str, Any], value: object, path: str) -> Iterator[str]:
    while "$ref" in schema:
        schema = definitions[str(schema["$ref"]).rsplit("/", 1)[-1]]
    if isinstance(value, dict) and "properties" in schema:
        props: dict[str, Any] = schema["properties"]
        for key, item in value.items():
            where = f"{path}/{key}" if path else key
            if key not in props:
                yield where
            else:
                yield from _walk(definitions, props[key], item, where)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            yield from _walk(definitions, schema["items"], item, f"{path}/{index}")
