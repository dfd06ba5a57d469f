const os = require("os");
if (!process.env.CI && process.stdout.isTTY) {
  console.log("Thanks for installing native-addon on " + os.platform() + "! Docs: https://example.com/docs");
}
