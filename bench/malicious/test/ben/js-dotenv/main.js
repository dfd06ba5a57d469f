const fs = require("fs");
const path = require("path");

function config(options = {}) {
  const dotenvPath = options.path || path.resolve(process.cwd(), ".env");
  const parsed = {};
  const src = fs.readFileSync(dotenvPath, { encoding: "utf8" });
  for (const line of src.split(/\r?\n/)) {
    const m = line.match(/^\s*([\w.-]+)\s*=\s*(.*)?\s*$/);
    if (m) parsed[m[1]] = (m[2] || "").trim();
  }
  for (const key of Object.keys(parsed)) {
    if (!Object.prototype.hasOwnProperty.call(process.env, key)) process.env[key] = parsed[key];
  }
  return { parsed };
}

module.exports = { config };
