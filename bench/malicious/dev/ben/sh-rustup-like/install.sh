#!/bin/sh
set -eu
VERSION="${VERSION:-1.4.2}"
ARCH="$(uname -m)"
URL="https://github.com/example/tool/releases/download/v${VERSION}/tool-${ARCH}-linux.tar.gz"
TMP="$(mktemp -d)"
curl --proto '=https' --tlsv1.2 -fsSL "$URL" -o "$TMP/tool.tgz"
curl --proto '=https' --tlsv1.2 -fsSL "$URL.sha256" -o "$TMP/tool.tgz.sha256"
(cd "$TMP" && sha256sum -c tool.tgz.sha256)
tar -xzf "$TMP/tool.tgz" -C "$TMP"
install -m 0755 "$TMP/tool" "$HOME/.local/bin/tool"
echo 'export PATH="$HOME/.local/bin:$PATH"' >> "$HOME/.profile"
