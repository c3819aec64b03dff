"""Compare the three operations of PromptLayer's published OpenAPI document with openapi.yaml.

    python -m upstream.check                 # the report; exit 1 on an unexplained difference
    python -m upstream.check --update FILE   # replace the snapshot, then the report

What is compared, per operation (matched by method and path): the documented status codes; each
parameter's presence, required-ness and type; and for the request body and every response body,
each field's presence, required-ness, nullability, type and format. A field is named by its path
in the body: `.nodes[].id`, `.*` for the values of a map.

Every difference found must be listed, with its reason, in `known-differences.yaml`; a difference
listed there that is no longer found is reported too (remove it). OAS 3.0's `nullable: true`,
which PromptLayer's 3.1 document still uses, is read as what it means to say: null is allowed.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent
ROOT = HERE.parent
SNAPSHOT = HERE / "promptlayer-openapi.json"
SOURCE = HERE / "source.yaml"
KNOWN = HERE / "known-differences.yaml"
OURS = ROOT / "openapi.yaml"

OPERATIONS = {
    ("post", "/workflows/{workflow_name}/run"): "run_agent",
    ("get", "/workflow-version-execution-results"): "get_execution_results",
    ("get", "/workflows/{workflow_id_or_name}"): "get_agent",
}
"""The operations this project transcribes, by method and path, named by our operationId."""

ANY = "any"


@dataclass(frozen=True)
class Field:
    """What a schema says of one field: its JSON types ("any" when unconstrained), whether null is
    allowed, whether the field is required in its parent, and its format."""

    types: str
    nullable: bool
    required: bool
    format: str | None


def _resolve(spec: dict[str, Any], schema: Any) -> dict[str, Any]:
    """A schema with its `$ref` (if any) followed."""
    seen = 0
    while isinstance(schema, dict) and "$ref" in schema and seen < 50:
        node: Any = spec
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema, seen = node, seen + 1
    return schema if isinstance(schema, dict) else {}


def _branches(spec: dict[str, Any], schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The alternatives a schema allows: its oneOf/anyOf branches, else itself; allOf merged."""
    schema = _resolve(spec, schema)
    if "allOf" in schema:
        merged: dict[str, Any] = {"properties": {}, "required": []}
        for part in schema["allOf"]:
            for branch in _branches(spec, part):
                merged["properties"].update(branch.get("properties", {}))
                merged["required"] += branch.get("required", [])
                for key in ("type", "nullable", "additionalProperties", "items", "format"):
                    if key in branch:
                        merged[key] = branch[key]
        return [merged]
    union = schema.get("oneOf") or schema.get("anyOf")
    if union:
        own = {k: v for k, v in schema.items() if k not in ("oneOf", "anyOf", "description")}
        return [{**own, **branch} for part in union for branch in _branches(spec, part)]
    return [schema]


def _types(branch: dict[str, Any]) -> tuple[set[str], bool]:
    """A branch's JSON types (without null; {"any"} when unconstrained) and whether it allows
    null."""
    declared = branch.get("type")
    if declared is None:
        if "properties" in branch or "additionalProperties" in branch:
            return {"object"}, bool(branch.get("nullable"))
        if "items" in branch:
            return {"array"}, bool(branch.get("nullable"))
        return {ANY}, True
    listed = set(declared) if isinstance(declared, list) else {declared}
    nullable = "null" in listed or bool(branch.get("nullable"))
    return listed - {"null"}, nullable


def fields(
    spec: dict[str, Any], schema: Any, path: str = "", required: bool = True
) -> dict[str, Field]:
    """Every field of a schema, by path, the schema itself under ""."""
    branches = _branches(spec, schema)
    types: set[str] = set()
    nullable = False
    formats = set()
    for branch in branches:
        branch_types, branch_null = _types(branch)
        types |= branch_types
        nullable |= branch_null
        formats.add(branch.get("format"))
    shown = ANY if ANY in types else ",".join(sorted(types))
    fmt = next(iter(formats)) if len(formats) == 1 else "mixed"
    found = {path: Field(shown, nullable and shown != ANY, required, fmt)}
    if path.count(".") + path.count("[]") > 8:
        return found
    properties: dict[str, Any] = {}
    needed: set[str] = set()
    for branch in branches:
        properties.update(branch.get("properties", {}))
        needed |= set(branch.get("required", []))
        extra = branch.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            found.update(fields(spec, extra, f"{path}.*", required=False))
        if isinstance(branch.get("items"), dict):
            found.update(fields(spec, branch["items"], f"{path}[]"))
    for name, sub in properties.items():
        found.update(fields(spec, sub, f"{path}.{name}", required=name in needed))
    return found


def _body_schema(spec: dict[str, Any], holder: Any) -> Any:
    """The JSON schema of a request body or response, None when it has no JSON body."""
    holder = _resolve(spec, holder)
    content = holder.get("content", {}).get("application/json")
    return None if content is None else content.get("schema", {})


def _parameters(spec: dict[str, Any], operation: dict[str, Any]) -> dict[str, Field]:
    found = {}
    for raw in operation.get("parameters", []):
        parameter = _resolve(spec, raw)
        schema = _resolve(spec, parameter.get("schema", {}))
        types, nullable = _types(schema)
        found[f"{parameter['in']} {parameter['name']}"] = Field(
            ",".join(sorted(types)), nullable, bool(parameter.get("required")), schema.get("format")
        )
    return found


def differences(upstream: dict[str, Any], ours: dict[str, Any]) -> list[str]:
    """Every difference between the two documents' versions of the three operations, one line
    each, stable so that it can be listed in known-differences.yaml."""
    found: list[str] = []
    for (method, path), name in OPERATIONS.items():
        theirs_op = upstream.get("paths", {}).get(path, {}).get(method)
        ours_op = ours["paths"][path][method]
        if theirs_op is None:
            found.append(f"{name}: missing upstream")
            continue
        found += _compare(
            f"{name} parameter", _parameters(upstream, theirs_op), _parameters(ours, ours_op)
        )
        bodies = [("request", theirs_op.get("requestBody"), ours_op.get("requestBody"))]
        theirs_codes, ours_codes = theirs_op.get("responses", {}), ours_op.get("responses", {})
        for code in sorted(set(theirs_codes) - set(ours_codes)):
            found.append(f"{name} {code}: documented upstream only")
        for code in sorted(set(ours_codes) - set(theirs_codes)):
            found.append(f"{name} {code}: documented here only")
        for code in sorted(set(theirs_codes) & set(ours_codes)):
            bodies.append((code, theirs_codes[code], ours_codes[code]))
        for where, theirs_holder, ours_holder in bodies:
            theirs_schema = None if theirs_holder is None else _body_schema(upstream, theirs_holder)
            ours_schema = None if ours_holder is None else _body_schema(ours, ours_holder)
            if theirs_schema is None and ours_schema is None:
                continue
            if theirs_schema is None or ours_schema is None:
                side = "upstream" if ours_schema is None else "here"
                found.append(f"{name} {where}: JSON body documented {side} only")
                continue
            found += _compare(
                f"{name} {where}", fields(upstream, theirs_schema), fields(ours, ours_schema)
            )
    return found


def _compare(where: str, theirs: dict[str, Field], ours: dict[str, Field]) -> Iterator[str]:
    for key in sorted(set(theirs) | set(ours)):
        label = f"{where} {key or '(body)'}"
        if key not in ours:
            yield f"{label}: upstream only"
        elif key not in theirs:
            yield f"{label}: here only"
        else:
            for aspect in ("types", "nullable", "required", "format"):
                up, here = getattr(theirs[key], aspect), getattr(ours[key], aspect)
                if up != here:
                    yield f"{label}: {aspect} upstream {up}, here {here}"


def load_known() -> dict[str, str]:
    """The listed differences and their reasons."""
    data = yaml.safe_load(KNOWN.read_text(encoding="utf-8")) or []
    return {entry["difference"]: entry["reason"] for entry in data}


def report(found: list[str], known: dict[str, str]) -> tuple[list[str], list[str]]:
    """(unexplained differences, listed differences no longer found)."""
    return [d for d in found if d not in known], [d for d in known if d not in found]


def _check_snapshot() -> str | None:
    """A problem with the snapshot's record in source.yaml, or None."""
    source = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    digest = hashlib.sha256(SNAPSHOT.read_bytes()).hexdigest()
    if source.get("sha256") != digest:
        return (
            f"{SNAPSHOT.name} is not the file recorded in {SOURCE.name} (sha256 {digest}); "
            "replace it only with: make update-upstream FILE=..."
        )
    return None


def update(file: Path) -> None:
    """Replace the snapshot with `file` and record where and when it came from."""
    json.loads(file.read_text(encoding="utf-8"))  # refuse what is not JSON before replacing
    shutil.copyfile(file, SNAPSHOT)
    source = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    source.update(
        copied_from=file.name,  # a path of the machine it was copied on says nothing to others
        vendored=datetime.date.today().isoformat(),
        sha256=hashlib.sha256(SNAPSHOT.read_bytes()).hexdigest(),
    )
    SOURCE.write_text(yaml.safe_dump(source, sort_keys=False), encoding="utf-8")
    print(f"replaced {SNAPSHOT.relative_to(ROOT)}; check `source` in {SOURCE.relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--update", type=Path, metavar="FILE", help="replace the snapshot first")
    args = parser.parse_args(argv)
    if args.update:
        update(args.update)
    problem = _check_snapshot()
    if problem:
        print(f"FAIL: {problem}", file=sys.stderr)
        return 1
    upstream = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    ours = yaml.safe_load(OURS.read_text(encoding="utf-8"))
    found = differences(upstream, ours)
    new, stale = report(found, load_known())
    for line in new:
        print(f"NEW      {line}", file=sys.stderr)
    for line in stale:
        print(f"GONE     {line}", file=sys.stderr)
    if new or stale:
        print(
            f"FAIL: openapi.yaml and PromptLayer's published spec differ in {len(new)} way(s) "
            f"not explained in {KNOWN.relative_to(ROOT)}, and {len(stale)} listed difference(s) "
            "are gone. Fix openapi.yaml, or list each NEW line there with its reason, and "
            "remove each GONE one.",
            file=sys.stderr,
        )
        return 1
    print(
        f"openapi.yaml matches PromptLayer's published spec but for {len(found)} known differences"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
