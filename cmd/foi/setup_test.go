package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"foi/localmail"
)

func TestInitWritesConfigAndDataFolder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "foi.yaml")
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"--config", cfg, "init"}, &out, &errOut); code != 0 {
		t.Fatalf("init: exit %d: %s", code, errOut.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "foi-data", "foi.db")); err != nil {
		t.Errorf("no database after init: %v", err)
	}
	// The written file is the documented example: it loads, but cannot
	// work until its CHANGE ME values are replaced (TestCheckConfigFreshInit).
	if code := run(context.Background(), []string{"--config", cfg, "status"}, &out, &errOut); code != 0 {
		t.Errorf("status on a fresh foi.yaml: exit %d: %s", code, errOut.String())
	}
	// A second init refuses to overwrite.
	errOut.Reset()
	if code := run(context.Background(), []string{"--config", cfg, "init"}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "already exists") {
		t.Errorf("second init: exit %d, %q", code, errOut.String())
	}
}

func TestCheckConfigConnect(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	out := e.must("check-config", "--connect", "--json")
	var res struct {
		Connections []struct {
			Server string
			OK     bool
			Said   string
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Connections) != 2 || !res.Connections[0].OK || !res.Connections[1].OK || !strings.Contains(res.Connections[1].Said, "Sent folder: Sent") {
		t.Errorf("check-config --connect = %+v, want both OK and the Sent folder found", res.Connections)
	}
	// A wrong password: each server's refusal in its own words.
	os.WriteFile(filepath.Join(e.dir, "password"), []byte("wrong"), 0o600)
	code, stdout, _ := e.foi("check-config", "--connect")
	if code != 1 || !strings.Contains(stdout, "Authentication credentials invalid") || !strings.Contains(stdout, "FAILED") {
		t.Errorf("wrong password: exit %d, output %q; want both failures with the servers' words", code, stdout)
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	for _, args := range [][]string{{"frobnicate"}, {"send"}, {"campaign", "new", "X"}, {"send", "LXP7", "--limit", "x"}} {
		if code, _, _ := e.foi(args...); code != 2 {
			t.Errorf("foi %s: exit %d, want 2", strings.Join(args, " "), code)
		}
	}
}

func TestDryRunAndLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	setupCampaign(t, e, 6)
	before := fingerprint(t, e)
	out := e.must("send", "LXP7", "--dry-run")
	if !strings.Contains(out, "6 letters would be sent") || !strings.Contains(out, "LXP7-006") {
		t.Errorf("dry run said %q", out)
	}
	if len(e.mail.Received()) != 0 || fingerprint(t, e) != before {
		t.Error("dry run sent or stored something")
	}
	e.must("send", "LXP7", "--limit", "2")
	if n := len(e.mail.Received()); n != 2 {
		t.Errorf("--limit 2 sent %d", n)
	}
	st := status(t, e)
	if st["LXP7-001"].State != "sent" || st["LXP7-003"].State != "draft" {
		t.Errorf("after --limit 2: 001 %s, 003 %s", st["LXP7-001"].State, st["LXP7-003"].State)
	}
	// Preview prints exactly the bytes that were sent.
	code, preview, _ := e.foi("campaign", "preview", "LXP7", "LXP7-001")
	if code != 0 || preview != string(e.mail.Received()[0].Data) {
		t.Errorf("preview of a sent letter differs from what was sent")
	}
	e.must("send", "LXP7")
	if n := len(e.mail.Received()); n != 6 {
		t.Errorf("after the full run the server has %d, want 6", n)
	}
}

// TestXOAUTH2 logs in to both servers with an OAuth2 token from a command,
// and sends a letter with it.
func TestXOAUTH2(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv, err := localmail.Start(localmail.Options{Dir: dir, Token: "ya29.test-token"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	e := &env{t: t, dir: dir, cfg: filepath.Join(dir, "foi.yaml"), mail: srv}
	e.writeConfig(envOptions{})
	cfg := readFile(t, e.cfg)
	cfg = strings.ReplaceAll(cfg, "  auth: plain\n", "  auth: xoauth2\n")
	cfg = strings.ReplaceAll(cfg, "  password_file: password\n", "  token_command: \"echo ya29.test-token\"\n")
	e.writeFile("foi.yaml", cfg)
	out := e.must("check-config", "--connect")
	if strings.Count(out, " OK ") != 2 {
		t.Errorf("check-config with XOAUTH2:\n%s", out)
	}
	setupCampaign(t, e, 2)
	e.must("send", "LXP7")
	if n := len(srv.Received()); n != 2 {
		t.Errorf("sent %d with XOAUTH2, want 2", n)
	}
	// A wrong token is refused by both, in their words.
	e.writeFile("foi.yaml", strings.ReplaceAll(cfg, "echo ya29.test-token", "echo expired"))
	if code, out, _ := e.foi("check-config", "--connect"); code != 1 || strings.Count(out, "FAILED") != 2 {
		t.Errorf("wrong token: exit %d\n%s", code, out)
	}
}
