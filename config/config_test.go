package config

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func example(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestExampleLoads(t *testing.T) {
	if _, err := Parse(example(t)); err != nil {
		t.Fatalf("config.example.yaml does not load: %v", err)
	}
}

// TestExampleDocumentsEveryKey walks the Config type and checks that each
// yaml key appears in config.example.yaml with a comment above it.
func TestExampleDocumentsEveryKey(t *testing.T) {
	text := string(example(t))
	var walk func(reflect.Type, string)
	walk = func(typ reflect.Type, prefix string) {
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			tag := strings.Split(f.Tag.Get("yaml"), ",")
			if tag[0] == "-" {
				continue
			}
			if len(tag) > 1 && tag[1] == "inline" {
				walk(f.Type, prefix)
				continue
			}
			if !strings.Contains(text, "\n"+prefix+tag[0]+":") {
				t.Errorf("config.example.yaml does not mention %s%s", prefix, tag[0])
			}
			if f.Type.Kind() == reflect.Struct && f.Type.Name() != "Duration" {
				walk(f.Type, prefix+"  ")
			}
		}
	}
	walk(reflect.TypeOf(Config{}), "")
}

// Issue 14, finding 4: an unknown key is named with its section and the
// key it was probably meant to be, in words, not Go types; a tab is a tab.
func TestUnknownKeyIsNamed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ from, to, want string }{
		{"  folder: INBOX", "  folder: INBOX\n  foldr: Archive", "unknown key `foldr` in `imap`, did you mean `folder`?"},
		{"  username: \"campaign@example.org\"           # CHANGE ME\n  # Where", "  usename: \"campaign@example.org\"\n  # Where", "unknown key `usename` in `smtp`, did you mean `username`?"},
		{"  port: 587", "  prot: 587", "unknown key `prot` in `smtp`, did you mean `port`?"},
		{"web:", "weeb:", "unknown key `weeb` at the top level, did you mean `web`?"},
		{"  folder: INBOX", "  folder: INBOX\n  colour: blue", "unknown key `colour` in `imap` (the keys there are auth, ca_file, folder,"},
	} {
		cfg := string(example(t))
		if !strings.Contains(cfg, tc.from) {
			t.Fatalf("the example has no %q", tc.from)
		}
		_, err := Parse([]byte(strings.Replace(cfg, tc.from, tc.to, 1)))
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "config.") {
			t.Errorf("Parse with %q = %v, want %q and no Go type", tc.to, err, tc.want)
		}
	}
	// Every wrong key at once.
	_, err := Parse([]byte("requester:\n  nmae: A\n  emial: a@example.org\n"))
	if p, ok := err.(Problems); !ok || len(p) != 2 || !strings.HasPrefix(p[0], "line 2: ") {
		t.Errorf("two wrong keys: %v, want both, with their lines", err)
	}

	tabbed := strings.Replace(string(example(t)), "  port: 587", "\tport: 587", 1)
	_, err = Parse([]byte(tabbed))
	if err == nil || !strings.Contains(err.Error(), "a tab in the indentation") || !strings.Contains(err.Error(), "spaces") {
		t.Errorf("Parse with a tab = %v, want it to say a tab", err)
	}
}

func TestEveryProblemAtOnce(t *testing.T) {
	cfg := `
requester:
  name: ""
  email: "not an address"
smtp:
  host: smtp.example.org
  port: 70000
  security: none
  auth: plain
  username: u
  password_env: P
imap:
  host: ""
  sent_copy: sometimes
schedule:
  window_start: "17:00"
  window_end: "09:00"
  first_chaser: maybe
  ico_complaint: auto
web:
  listen: "8025"
`
	_, err := Parse([]byte(cfg))
	var p Problems
	if err == nil {
		t.Fatal("Parse succeeded, want problems")
	}
	p, ok := err.(Problems)
	if !ok {
		t.Fatalf("error %T %v, want Problems", err, err)
	}
	for _, want := range []string{"requester.name", "requester.email", "smtp.port", "smtp.security: none would send the password",
		"imap.host", "imap.sent_copy", "schedule.window_end", "schedule.first_chaser", "schedule.ico_complaint", "web.listen", "imap: set password_env"} {
		found := false
		for _, msg := range p {
			found = found || strings.Contains(msg, want)
		}
		if !found {
			t.Errorf("problems %q do not mention %q", p, want)
		}
	}
}

func TestPlainTextAllowedToLoopbackOnly(t *testing.T) {
	for host, ok := range map[string]bool{"127.0.0.1": true, "localhost": true, "::1": true, "mail.example.org": false} {
		cfg, err := Parse(example(t))
		if err != nil {
			t.Fatal(err)
		}
		cfg.SMTP.Host, cfg.SMTP.Security = host, "none"
		err = cfg.Validate()
		if (err == nil) != ok {
			t.Errorf("security none to %s: err = %v, want allowed %v", host, err, ok)
		}
	}
}

func TestSecrets(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "pw"), []byte("s3cret\n"), 0o600)
	ctx := context.Background()
	s := Server{Auth: "plain", PasswordFile: "pw"}
	if got, err := s.Secret(ctx, dir); err != nil || got != "s3cret" {
		t.Errorf("password_file: %q, %v", got, err)
	}
	t.Setenv("FOI_TEST_PW", "from-env")
	s = Server{Auth: "plain", PasswordEnv: "FOI_TEST_PW"}
	if got, err := s.Secret(ctx, dir); err != nil || got != "from-env" {
		t.Errorf("password_env: %q, %v", got, err)
	}
	s = Server{Auth: "plain", PasswordEnv: "FOI_TEST_UNSET_VAR"}
	if _, err := s.Secret(ctx, dir); err == nil || !strings.Contains(err.Error(), "FOI_TEST_UNSET_VAR") {
		t.Errorf("unset env: %v, want an error naming it", err)
	}
	s = Server{Auth: "xoauth2", TokenCommand: "echo tok-123"}
	if got, err := s.Secret(ctx, dir); err != nil || got != "tok-123" {
		t.Errorf("token_command: %q, %v", got, err)
	}
}

func TestByteSize(t *testing.T) {
	for in, want := range map[string]ByteSize{"50MB": 50 << 20, "512KB": 512 << 10, "1GB": 1 << 30, "1234": 1234} {
		if got, err := ParseByteSize(in); err != nil || got != want {
			t.Errorf("ParseByteSize(%q) = %d, %v, want %d", in, got, err, want)
		}
	}
	if _, err := ParseByteSize("lots"); err == nil {
		t.Error("ParseByteSize(lots) succeeded")
	}
}

// TestRequesterIsOneLine: a CR/LF or any other control character, or bytes
// that are not UTF-8, in the requester's name, organisation or email would
// be frozen into every letter of a campaign that could then never be sent;
// Parse refuses it, naming the key (issue 9, finding 8).
func TestRequesterIsOneLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ key, from, to string }{
		{"requester.name", `name: "Your name or your group's name"`, `name: "LXP Revolution\r\nBcc: victim@example.test"`},
		{"requester.name", `name: "Your name or your group's name"`, `name: "LXP\u001b[5m Revolution"`},
		{"requester.name", `name: "Your name or your group's name"`, `name: "LXP\u0085Revolution"`},
		{"requester.organisation", `organisation: ""`, `organisation: "LXP\tRevolution"`},
		{"requester.email", `email: "campaign@example.org"`, `email: "campaign@example.org\r\n"`},
	} {
		cfg := string(example(t))
		if !strings.Contains(cfg, tc.from) {
			t.Fatalf("the example has no %s", tc.from)
		}
		_, err := Parse([]byte(strings.Replace(cfg, tc.from, tc.to, 1)))
		if err == nil || !strings.Contains(err.Error(), tc.key+":") {
			t.Errorf("Parse with %s = %v, want a problem naming %s", tc.to, err, tc.key)
		}
	}
}

// A non-loopback web.listen is not the configuration's to refuse: the
// dashboard refuses it at start unless a volunteer has an account, which
// only the store knows. TLS files come in pairs.
func TestWebSection(t *testing.T) {
	base := "requester:\n  name: A\n  email: a@example.org\nsmtp:\n  host: 127.0.0.1\n  auth: none\n  security: none\nimap:\n  host: 127.0.0.1\n  auth: none\n  security: none\n"
	if _, err := Parse([]byte(base + "web:\n  listen: \"0.0.0.0:8025\"\n  local_user: Asha\n")); err != nil {
		t.Errorf("web.listen 0.0.0.0:8025: %v, want accepted by the configuration", err)
	}
	_, err := Parse([]byte(base + "web:\n  tls_cert: cert.pem\n"))
	if err == nil || !strings.Contains(err.Error(), "web.tls_cert and web.tls_key") {
		t.Errorf("tls_cert without tls_key: %v, want a refusal naming both", err)
	}
}
