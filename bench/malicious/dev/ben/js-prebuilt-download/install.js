"use strict";
// Downloads the prebuilt binary of this package for the current platform
// from the project's release page and checks it against the digest
// published in this package before making it executable.
const crypto = require("crypto");
const fs = require("fs");
const https = require("https");
const path = require("path");

const pkg = require("./package.json");
const target = `${process.platform}-${process.arch}`;
const url = `https://github.com/example/fastfmt/releases/download/v${pkg.version}/fastfmt-${target}`;
const dest = path.join(__dirname, "bin", "fastfmt");

function fetch(u, cb) {
  https.get(u, (res) => {
    if (res.statusCode >= 300 && res.statusCode < 400) return fetch(res.headers.location, cb);
    const chunks = [];
    res.on("data", (c) => chunks.push(c));
    res.on("end", () => cb(Buffer.concat(chunks)));
  });
}

fetch(url, (body) => {
  const digest = crypto.createHash("sha256").update(body).digest("hex");
  if (digest !== pkg.binaries[target]) {
    console.error(`fastfmt: digest mismatch for ${target}`);
    process.exit(1);
  }
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.writeFileSync(dest, body);
  fs.chmodSync(dest, 0o755);
});
