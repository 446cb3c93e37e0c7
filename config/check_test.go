package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// loadIn writes text as foi.yaml in a new folder and loads it.
func loadIn(t *testing.T, text string) (*Config, string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "foi.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, dir
}

// Issue 14, finding 2: a fresh `foi init` file cannot work, and Check says
// why, line by line: every CHANGE ME value, the unset password variables.
func TestCheckFreshExample(t *testing.T) {
	ex := example(t)
	cfg, dir := loadIn(t, string(ex))
	os.Mkdir(filepath.Join(dir, "foi-data"), 0o700)
	// The example's variables, unset for this test (t.Setenv restores them).
	t.Setenv("FOI_SMTP_PASSWORD", "")
	t.Setenv("FOI_IMAP_PASSWORD", "")
	os.Unsetenv("FOI_SMTP_PASSWORD")
	os.Unsetenv("FOI_IMAP_PASSWORD")
	p := cfg.Check(ex)
	marked := strings.Count(string(ex), "# CHANGE ME")
	want := []string{
		"requester.name: still the example's",
		"requester.email: still the example's \"campaign@example.org\"",
		"smtp.host: still the example's \"smtp.example.org\"",
		"smtp.username: still the example's",
		"imap.host: still the example's \"imap.example.org\"",
		"imap.username: still the example's",
		"smtp.password_env: the environment variable FOI_SMTP_PASSWORD is not set",
		"imap.password_env: the environment variable FOI_IMAP_PASSWORD is not set",
	}
	if marked != 6 {
		t.Errorf("config.example.yaml marks %d values CHANGE ME; this test lists 6", marked)
	}
	if len(p) != len(want) {
		t.Errorf("Check(fresh example) = %d problems, want %d:\n%v", len(p), len(want), p)
	}
	for _, w := range want {
		if !strings.Contains(p.Error(), w) {
			t.Errorf("Check(fresh example) does not say %q:\n%v", w, p)
		}
	}

	// Filled in, with the variables set: nothing to say.
	filled := string(ex)
	for _, r := range [][2]string{
		{`"Your name or your group's name"`, `"Asha Patel"`},
		{`"campaign@example.org"`, `"lxp@campaign.test"`},
		{`"smtp.example.org"`, `"smtp.campaign.test"`},
		{`"imap.example.org"`, `"imap.campaign.test"`},
	} {
		filled = strings.ReplaceAll(filled, r[0], r[1])
	}
	cfg, dir = loadIn(t, filled)
	os.Mkdir(filepath.Join(dir, "foi-data"), 0o700)
	t.Setenv("FOI_SMTP_PASSWORD", "s3cret")
	t.Setenv("FOI_IMAP_PASSWORD", "s3cret")
	if p := cfg.Check(ex); p != nil {
		t.Errorf("Check(filled in) = %v, want nothing", p)
	}
	// A variable set but empty is no password either.
	t.Setenv("FOI_IMAP_PASSWORD", "")
	if p := cfg.Check(ex); len(p) != 1 || !strings.Contains(p[0], "FOI_IMAP_PASSWORD is empty") {
		t.Errorf("Check(empty FOI_IMAP_PASSWORD) = %v", p)
	}
}

// Files that do not exist, or hold nothing, are each named with what to do.
func TestCheckFiles(t *testing.T) {
	t.Parallel()
	base := `requester: {name: Asha, email: a@campaign.test}
smtp: {host: smtp.campaign.test, username: a, password_file: smtp-password, ca_file: certs/ca.pem}
imap: {host: imap.campaign.test, username: a, password_file: imap-password, ca_file: not-a-cert.pem}
storage: {data_dir: data, templates: my-letters}
`
	cfg, dir := loadIn(t, base)
	os.WriteFile(filepath.Join(dir, "imap-password"), []byte("\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "not-a-cert.pem"), []byte("hello"), 0o600)
	p := cfg.Check(example(t))
	for _, w := range []string{
		"smtp.password_file: " + filepath.Join(dir, "smtp-password") + " does not exist: create it holding only the password",
		"imap.password_file: " + filepath.Join(dir, "imap-password") + " is empty",
		"smtp.ca_file: " + filepath.Join(dir, "certs/ca.pem") + " does not exist",
		"or set ca_file: \"\" to trust the system's authorities",
		"imap.ca_file: " + filepath.Join(dir, "not-a-cert.pem") + " holds no PEM certificate",
		"storage.data_dir: the folder " + filepath.Join(dir, "data") + " does not exist: run `foi init`",
		"storage.templates: the folder " + filepath.Join(dir, "my-letters") + " does not exist",
	} {
		if !strings.Contains(p.Error(), w) {
			t.Errorf("Check does not say %q:\n%v", w, p)
		}
	}
	if len(p) != 6 {
		t.Errorf("Check = %d problems, want 6:\n%v", len(p), p)
	}
}
