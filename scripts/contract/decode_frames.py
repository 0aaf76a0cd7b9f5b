#!/usr/bin/env python3
"""Decode Switchyard Kafka record values with fastavro, an Avro implementation independent of the
project's own codec, using nothing but the published .avsc files.

Input (stdin): one JSON object per line, {"value": "<base64 of the Kafka message value>"}.
Output (stdout): one JSON object per line, {"schema": "<full name>", "version": N, "record": {...}}.
Exit status 1 and a message on stderr when a frame cannot be decoded.

Framing (Avro single-object encoding): C3 01, then the 8-byte little-endian CRC-64-AVRO fingerprint
of the writer schema's Parsing Canonical Form, then the Avro binary body.
"""
import base64
import io
import json
import pathlib
import re
import sys

from fastavro import parse_schema, schemaless_reader
from fastavro.schema import fingerprint, to_parsing_canonical_form


def load_schemas(avro_dir: pathlib.Path):
    """fingerprint hex (frame byte order) -> (parsed schema, full name, version)."""
    by_fp = {}
    for path in sorted(avro_dir.glob("*.v*.avsc")):
        m = re.match(r"^(request|response)\.v(\d+)\.avsc$", path.name)
        if not m:
            continue
        raw = json.loads(path.read_text())
        parsed = parse_schema(raw)
        fp = fingerprint(to_parsing_canonical_form(parsed), "CRC-64-AVRO")
        by_fp[fp] = (parsed, raw["namespace"] + "." + raw["name"], int(m.group(2)))
    return by_fp


def main() -> int:
    avro_dir = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parents[2] / "schemas" / "avro"
    schemas = load_schemas(avro_dir)
    for line in sys.stdin:
        if not line.strip():
            continue
        frame = base64.b64decode(json.loads(line)["value"])
        if frame[:2] != b"\xc3\x01":
            print(f"not a single-object frame: {frame[:2].hex()}", file=sys.stderr)
            return 1
        fp = frame[2:10].hex()
        if fp not in schemas:
            print(f"unknown schema fingerprint {fp}", file=sys.stderr)
            return 1
        schema, name, version = schemas[fp]
        body = io.BytesIO(frame[10:])
        record = schemaless_reader(body, schema)
        if body.tell() != len(frame) - 10:
            print(f"{len(frame) - 10 - body.tell()} trailing bytes after a {name} record", file=sys.stderr)
            return 1
        print(json.dumps({"schema": name, "version": version, "record": record}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
