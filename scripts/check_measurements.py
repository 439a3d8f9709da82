#!/usr/bin/env python3
"""Check public/data/measurements.csv and print a summary.

Standard library only. Exit status 1 if any row fails a check:
  - missing source (source_url empty)
  - a speed (prefill_tok_s / decode_tok_s) that is present but not a positive number
  - a row with neither prefill_tok_s nor decode_tok_s
  - non-integer prompt_tokens / gen_tokens / batch (when present)
  - missing device, runtime, backend, model or weight_format
  - duplicate rows (same values in every column except id), duplicate ids
  - a header that differs from the documented columns
  - a device_spec that is not empty and names no row of public/data/devices.csv

Usage: python3 scripts/check_measurements.py [path/to/measurements.csv [path/to/devices.csv]]
"""
import csv
import math
import signal
import sys
from collections import Counter
from pathlib import Path

COLUMNS = [
    "id", "device", "device_spec", "device_variant_notes", "runtime", "backend",
    "runtime_version_or_commit", "model", "model_hf_id", "weight_format",
    "prompt_tokens", "gen_tokens", "batch", "prefill_tok_s", "decode_tok_s",
    "source_url", "source_detail", "notes",
]
REQUIRED = ["device", "runtime", "backend", "model", "weight_format", "source_url"]
INTEGER = ["prompt_tokens", "gen_tokens", "batch"]
SPEEDS = ["prefill_tok_s", "decode_tok_s"]


def positive_number(text):
    try:
        value = float(text)
    except ValueError:
        return False
    return math.isfinite(value) and value > 0


def main(argv):
    default = Path(__file__).resolve().parent.parent / "public" / "data" / "measurements.csv"
    path = Path(argv[1]) if len(argv) > 1 else default
    devices_path = Path(argv[2]) if len(argv) > 2 else path.parent / "devices.csv"
    errors = []
    with open(devices_path, newline="", encoding="utf-8") as handle:
        spec_names = {row["name"] for row in csv.DictReader(handle)}
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != COLUMNS:
            errors.append(f"header: expected {COLUMNS}, found {reader.fieldnames}")
        rows = list(reader)

    seen_ids = {}
    seen_rows = {}
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        where = f"{path.name}:{line}"
        if None in row or any(value is None for value in row.values()):
            errors.append(f"{where}: wrong number of fields")
            continue
        rid = row["id"]
        if rid in seen_ids:
            errors.append(f"{where}: duplicate id {rid} (first at line {seen_ids[rid]})")
        seen_ids.setdefault(rid, line)
        for column in REQUIRED:
            if not row[column].strip():
                errors.append(f"{where}: missing {column}")
        for column in INTEGER:
            value = row[column].strip()
            if value and not value.isdigit():
                errors.append(f"{where}: {column} is not a non-negative integer: {value!r}")
        present = [c for c in SPEEDS if row[c].strip()]
        if not present:
            errors.append(f"{where}: neither prefill_tok_s nor decode_tok_s")
        for column in present:
            if not positive_number(row[column].strip()):
                errors.append(f"{where}: {column} is not a positive number: {row[column]!r}")
        spec = row["device_spec"]
        if spec and spec not in spec_names:
            errors.append(f"{where}: device_spec {spec!r} is not a name in {devices_path.name}")
        key = tuple(row[c] for c in COLUMNS if c != "id")
        if key in seen_rows:
            errors.append(f"{where}: duplicate of line {seen_rows[key]}")
        seen_rows.setdefault(key, line)
        # Same measurement key with the same values is a duplicate even if notes differ.
        mkey = tuple(row[c] for c in ("device", "runtime", "backend", "model", "weight_format",
                                      "prompt_tokens", "gen_tokens", "batch", "prefill_tok_s",
                                      "decode_tok_s", "source_url"))
        if ("m",) + mkey in seen_rows:
            errors.append(f"{where}: same measurement as line {seen_rows[('m',) + mkey]}")
        seen_rows.setdefault(("m",) + mkey, line)

    devices = Counter(r["device"] for r in rows)
    runtimes = Counter(r["runtime"] for r in rows)
    backends = Counter(f'{r["runtime"]} / {r["backend"]}' for r in rows)
    sources = Counter(r["source_url"] for r in rows)
    prefill = sum(1 for r in rows if r["prefill_tok_s"].strip())
    decode = sum(1 for r in rows if r["decode_tok_s"].strip())

    print(f"rows: {len(rows)}  (with prefill: {prefill}, with decode: {decode})")
    print(f"devices: {len(devices)}")
    print(f"runtimes: {len(runtimes)}  " + ", ".join(f"{k} {v}" for k, v in runtimes.most_common()))
    print(f"runtime/backend pairs: {len(backends)}")
    for key, count in sorted(backends.items()):
        print(f"  {key}: {count}")
    print(f"distinct source URLs: {len(sources)}")
    print("rows per device:")
    for key, count in sorted(devices.items()):
        print(f"  {key}: {count}")
    mapped = sum(1 for r in rows if r["device_spec"])
    share = 100.0 * mapped / len(rows) if rows else 0.0
    print(f"rows with a device_spec: {mapped} of {len(rows)} ({share:.0f}%)")
    specs = Counter((r["device"], r["device_spec"]) for r in rows if r["device_spec"])
    for (device, spec), count in sorted(specs.items()):
        print(f"  {device} -> {spec}: {count}")

    if errors:
        print(f"\n{len(errors)} error(s):", file=sys.stderr)
        for error in errors:
            print("  " + error, file=sys.stderr)
        return 1
    print("\nOK: no errors")
    return 0


if __name__ == "__main__":
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet when piped into head
    sys.exit(main(sys.argv))
