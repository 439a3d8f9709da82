#!/usr/bin/env python3
"""Trunk post_build hook: drop the `name` custom section from every built .wasm.

wasm-bindgen keeps the function-name section (about 700 KB raw, a fifth of the gzipped
download) and Trunk 0.21 has no switch for its `--remove-name-section`; wasm-opt, which would
also drop it, cannot be downloaded here. The section only serves debuggers and profilers, so
release pages ship without it. Trunk has already written each file's sha384 into `integrity`
attributes, so those are recomputed for the stripped bytes.
"""
import base64
import glob
import hashlib
import os
import sys

staging = os.environ.get("TRUNK_STAGING_DIR") or (sys.argv[1] if len(sys.argv) > 1 else "dist")
if os.environ.get("TRUNK_PROFILE", "release") != "release":
    sys.exit(0)
# Profiling a release page (scripts/profile_load.mjs) needs the names: keep them on request.
if os.environ.get("ROOFSCALE_KEEP_WASM_NAMES"):
    sys.exit(0)


def leb128(data, i):
    """Unsigned LEB128 at data[i]: (value, index after it)."""
    value, shift = 0, 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def without_name_section(data):
    if data[:4] != b"\0asm":
        raise ValueError("not a wasm module")
    out, i = bytearray(data[:8]), 8
    while i < len(data):
        start = i
        section_id = data[i]
        size, body = leb128(data, i + 1)
        end = body + size
        if section_id == 0:
            name_len, name_at = leb128(data, body)
            if data[name_at:name_at + name_len] == b"name":
                i = end
                continue
        out += data[start:end]
        i = end
    return bytes(out)


def sri(data):
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


texts = [p for p in glob.glob(os.path.join(staging, "*")) if p.endswith((".html", ".js"))]
for path in glob.glob(os.path.join(staging, "*.wasm")):
    data = open(path, "rb").read()
    stripped = without_name_section(data)
    if stripped == data:
        continue
    open(path, "wb").write(stripped)
    old, new = sri(data), sri(stripped)
    for text in texts:
        content = open(text, encoding="utf-8").read()
        if old in content:
            open(text, "w", encoding="utf-8").write(content.replace(old, new))
    print(f"strip_wasm_names: {os.path.basename(path)} {len(data)} -> {len(stripped)} bytes")
