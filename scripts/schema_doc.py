#!/usr/bin/env python3
"""The descriptor's key reference, generated from workflows/kupffer.schema.json.

  schema_doc.py                 print the Markdown table
  schema_doc.py --check DOC     exit 1 unless DOC holds exactly that table (CTest docs.descriptor_reference)
"""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def describe_type(spec):
    kind = spec.get("type")
    text = " or ".join(kind) if isinstance(kind, list) else kind
    if "enum" in spec:
        text += ": " + ", ".join(spec["enum"])
    bounds = []
    if "minimum" in spec:
        bounds.append("≥ %s" % spec["minimum"])
    if "exclusiveMinimum" in spec:
        bounds.append("> %s" % spec["exclusiveMinimum"])
    if "maximum" in spec:
        bounds.append("≤ %s" % spec["maximum"])
    return text + (" (" + ", ".join(bounds) + ")" if bounds else "")


def rows(properties, required, prefix=""):
    for key, spec in properties.items():
        name = "`%s%s`%s" % (prefix, key, " (required)" if key in required else "")
        if spec.get("type") == "object":
            yield "| %s | mapping | | %s |" % (name, spec.get("description", ""))
            yield from rows(spec["properties"], spec.get("required", []), prefix + key + ".")
        else:
            default = json.dumps(spec["default"]) if "default" in spec else ""
            yield "| %s | %s | %s | %s |" % (name, describe_type(spec), default, spec.get("description", ""))


def table():
    schema = json.loads((ROOT / "workflows/kupffer.schema.json").read_text())
    lines = ["| key | type | default | meaning |", "|---|---|---|---|"]
    lines += rows(schema["properties"], schema.get("required", []))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        if table() not in pathlib.Path(sys.argv[2]).read_text():
            sys.exit("%s: the descriptor reference differs from the schema; regenerate it with scripts/schema_doc.py" % sys.argv[2])
    else:
        sys.stdout.write(table())
