// A tiny static file server for dist/, on loopback only, mounted under a sub-path so every
// test also checks that the build works away from the site root (relative public_url).
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize } from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".wasm": "application/wasm",
  ".css": "text/css", ".json": "application/json", ".svg": "image/svg+xml", ".csv": "text/csv",
  ".md": "text/markdown; charset=utf-8", ".png": "image/png",
};

export async function serveDist(root, subPath = "/roofscale/") {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    if (!url.pathname.startsWith(subPath)) { res.writeHead(404); res.end("outside the app's sub-path"); return; }
    let rel = decodeURIComponent(url.pathname.slice(subPath.length)) || "index.html";
    const file = normalize(join(root, rel));
    if (!file.startsWith(normalize(root))) { res.writeHead(403); res.end(); return; }
    try {
      const s = await stat(file);
      const body = await readFile(s.isDirectory() ? join(file, "index.html") : file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] || "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404); res.end("not found");
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  return { server, origin: `http://127.0.0.1:${port}`, url: `http://127.0.0.1:${port}${subPath}` };
}
