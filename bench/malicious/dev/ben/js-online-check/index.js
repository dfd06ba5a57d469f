"use strict";
const dns = require("dns");
const os = require("os");
const path = require("path");
const fs = require("fs");

const CONFIG = path.join(os.homedir(), ".examplerc");

function registry() {
  try {
    return JSON.parse(fs.readFileSync(CONFIG, "utf8")).registry || "registry.npmjs.org";
  } catch (e) {
    return "registry.npmjs.org";
  }
}

module.exports = function isOnline(cb) {
  dns.lookup(registry(), (err) => cb(!err));
};
