package client

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
)

type Release struct{ Tag string `json:"tag_name"` }

func Latest() (string, error) {
	req, _ := http.NewRequest("GET", "https://api.github.com/repos/example/tool/releases/latest", nil)
	if tok := os.Getenv("GITHUB_TOKEN"); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var r Release
	err = json.NewDecoder(resp.Body).Decode(&r)
	return r.Tag, err
}

func GitDescribe() ([]byte, error) { return exec.Command("git", "describe", "--tags").Output() }
