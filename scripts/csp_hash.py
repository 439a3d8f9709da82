#!/usr/bin/env python3
"""Trunk post_build hook: put the sha256 of every inline <script> into the CSP meta tag.

Trunk writes its wasm loader as an inline `<script type="module">`, which a strict
`script-src 'self'` would block. Hashing the exact bytes keeps the policy strict.
"""
import base64
import hashlib
import os
import re
import sys

staging = os.environ.get("TRUNK_STAGING_DIR") or (sys.argv[1] if len(sys.argv) > 1 else "dist")
path = os.path.join(staging, "index.html")
html = open(path, encoding="utf-8").read()
if "CSP_SCRIPT_HASHES" not in html:
    sys.exit(f"csp_hash: no CSP_SCRIPT_HASHES placeholder in {path}")
bodies = re.findall(r"<script\b(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, flags=re.S)
if not bodies:
    sys.exit(f"csp_hash: no inline script in {path}; Trunk's loader format changed?")
hashes = " ".join(
    "'sha256-" + base64.b64encode(hashlib.sha256(b.encode("utf-8")).digest()).decode() + "'"
    for b in bodies
)
open(path, "w", encoding="utf-8").write(html.replace("CSP_SCRIPT_HASHES", hashes))
print(f"csp_hash: {len(bodies)} inline script(s) hashed into the CSP of {path}")
