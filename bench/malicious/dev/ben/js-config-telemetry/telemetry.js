"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const https = require("https");

const CONFIG = path.join(os.homedir(), ".config", "examplecli", "config.json");

function enabled() {
  try {
    return JSON.parse(fs.readFileSync(CONFIG, "utf8")).telemetry !== false;
  } catch (e) {
    return true;
  }
}

module.exports = function report(command, version) {
  if (!enabled() || process.env.DO_NOT_TRACK) return;
  const body = JSON.stringify({ command, version, node: process.version, platform: os.platform() });
  const req = https.request({ hostname: "telemetry.examplecli.dev", path: "/v1/events", method: "POST", headers: { "content-type": "application/json" } });
  req.on("error", () => {});
  req.end(body);
};
