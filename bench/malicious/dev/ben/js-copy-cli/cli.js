#!/usr/bin/env node
"use strict";
const clipboardy = require("clipboardy");
const { v4: uuid } = require("uuid");

const args = process.argv.slice(2);
const id = uuid();
if (args.includes("--copy")) {
  clipboardy.writeSync(id);
  console.log(`${id} (copied to the clipboard)`);
} else {
  console.log(id);
}
