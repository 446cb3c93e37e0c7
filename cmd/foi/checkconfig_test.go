package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"foi"
)

// Issue 14, finding 2 and its acceptance: check-config on a fresh `foi init`
// file exits 1 and lists every CHANGE ME value, each with what to do.
func TestCheckConfigFreshInit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "foi.yaml")
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"--config", cfg, "init"}, &out, &errOut); code != 0 {
		t.Fatalf("init: exit %d: %s", code, errOut.String())
	}
	out.Reset()
	code := run(context.Background(), []string{"--config", cfg, "check-config", "--connect"}, &out, &errOut)
	if code != 1 {
		t.Errorf("check-config on a fresh foi.yaml: exit %d, want 1", code)
	}
	// Every key the example marks CHANGE ME, by its section.
	section, n := "", 0
	key := regexp.MustCompile(`^(\s*)([a-z_]+):`)
	for _, line := range strings.Split(string(foi.ConfigExample), "\n") {
		m := key.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if m[1] == "" {
			section = m[2]
		}
		if strings.Contains(line, "# CHANGE ME") {
			n++
			want := section + "." + m[2] + ": still the example's"
			if !strings.Contains(out.String(), want) {
				t.Errorf("check-config does not list %s.%s:\n%s", section, m[2], out.String())
			}
		}
	}
	if n < 6 {
		t.Errorf("found %d CHANGE ME values in the example, want at least 6", n)
	}
	for _, w := range []string{"write your provider's outgoing (SMTP) server", "the servers were not tried"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("check-config does not say %q:\n%s", w, out.String())
		}
	}
	if !strings.Contains(errOut.String(), "not ready") {
		t.Errorf("stderr %q, want it to say the file is not ready", errOut.String())
	}
}

// A password file that is missing and a ca_file that does not exist are
// errors from check-config, before any connection is tried.
func TestCheckConfigMissingFiles(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.must("check-config")
	os.Remove(filepath.Join(e.dir, "password"))
	text := readFile(t, e.cfg)
	os.WriteFile(e.cfg, []byte(strings.Replace(text, "ca_file: ", "ca_file: missing-ca.pem\n  # was: ", 1)), 0o600)
	code, stdout, _ := e.foi("check-config", "--connect")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, w := range []string{
		"smtp.password_file: " + filepath.Join(e.dir, "password") + " does not exist: create it holding only the password",
		"smtp.ca_file: " + filepath.Join(e.dir, "missing-ca.pem") + " does not exist",
	} {
		if !strings.Contains(stdout, w) {
			t.Errorf("check-config does not say %q:\n%s", w, stdout)
		}
	}
}
