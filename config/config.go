// Package config loads and validates foi's YAML configuration file.
//
// It owns the shape of foi.yaml (documented key by key in config.example.yaml
// at the top of the repository), strict decoding (an unknown key is an error
// that names it), defaults, and validation that reports every problem at once.
// Secrets are never stored in the file itself: a server's password or OAuth
// token is read on demand from an environment variable, a file or a command
// (see Server.Secret), so that it never reaches a log line.
//
// It does not open connections or touch the data folder. A Config is a plain
// value: safe to share between goroutines once loaded, as long as nobody
// writes to it.
package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/mail"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"foi/textsafe"
)

// Config is the whole of foi.yaml.
type Config struct {
	Requester Requester `yaml:"requester"`
	SMTP      SMTP      `yaml:"smtp"`
	IMAP      IMAP      `yaml:"imap"`
	Storage   Storage   `yaml:"storage"`
	Schedule  Schedule  `yaml:"schedule"`
	Web       Web       `yaml:"web"`
	Notify    Notify    `yaml:"notify"`

	// Dir is the folder the file was loaded from; relative paths in the file
	// (data_dir, password_file, templates) are resolved against it.
	Dir string `yaml:"-"`
}

// Requester is who the letters come from. FOIA s.8(1)(b) makes a request
// valid only if it states the name of the applicant, so Name is required.
type Requester struct {
	Name         string `yaml:"name"`
	Organisation string `yaml:"organisation"`
	Email        string `yaml:"email"`
	// PlusAddressing sets a per-request Reply-To of the form
	// user+lxp7-004-<hmac>@domain when the mailbox supports it.
	PlusAddressing bool `yaml:"plus_addressing"`
}

// Server is what SMTP and IMAP have in common: where and how to log in.
type Server struct {
	Host string `yaml:"host"`
	Port int    `yaml:"port"`
	// Security is "tls" (implicit TLS), "starttls" or "none". TLS is
	// mandatory unless "none" is chosen explicitly.
	Security string `yaml:"security"`
	// Auth is "plain", "login", "xoauth2" or "none".
	Auth         string `yaml:"auth"`
	Username     string `yaml:"username"`
	PasswordEnv  string `yaml:"password_env"`
	PasswordFile string `yaml:"password_file"`
	// TokenFile and TokenCommand supply an OAuth2 access token for xoauth2.
	TokenFile    string `yaml:"token_file"`
	TokenCommand string `yaml:"token_command"`
	// CAFile is an extra PEM certificate authority to trust, for a server
	// with a private certificate.
	CAFile string `yaml:"ca_file"`
	// InsecureSkipVerify turns off certificate checks; for test servers only.
	InsecureSkipVerify bool          `yaml:"insecure_skip_verify"`
	Timeout            time.Duration `yaml:"timeout"`
}

// SMTP is the outgoing server and the outbox's pace.
type SMTP struct {
	Server `yaml:",inline"`
	// Rate is the pause between two letters (default 10s).
	Rate time.Duration `yaml:"rate"`
	// PerDomainRate is the least pause between two letters to the same
	// recipient domain (default 60s): every NHS trust receives at nhs.net,
	// and a burst from one sender to one provider is taken for spam.
	// Letters to other domains go meanwhile. 0 turns it off.
	PerDomainRate time.Duration `yaml:"per_domain_rate"`
	// RetryBackoff is the first wait after a temporary failure; it doubles
	// on each further failure up to RetryMax.
	RetryBackoff time.Duration `yaml:"retry_backoff"`
	RetryMax     time.Duration `yaml:"retry_max"`
	// MaxAttempts is how many temporary failures `foi send` tries in one run
	// before it leaves a letter for the next run.
	MaxAttempts int    `yaml:"max_attempts"`
	HELO        string `yaml:"helo"`
}

// IMAP is the campaign mailbox.
type IMAP struct {
	Server `yaml:",inline"`
	// Folder is where replies arrive (default INBOX).
	Folder string `yaml:"folder"`
	// SentFolder is where copies of our letters go; empty means the folder
	// with the \Sent special-use attribute, then one named "Sent".
	SentFolder string `yaml:"sent_folder"`
	// SentCopy is auto, always or never: auto appends a copy unless the
	// provider is known to file sent mail itself or already has it.
	SentCopy string `yaml:"sent_copy"`
	// ProcessedFolder, if set, is where processed replies are moved.
	ProcessedFolder string        `yaml:"processed_folder"`
	PollInterval    time.Duration `yaml:"poll_interval"`
	// MaxMessageSize above which only headers are kept and the mail flagged.
	MaxMessageSize ByteSize `yaml:"max_message_size"`
}

// Storage is where foi keeps its data.
type Storage struct {
	DataDir string `yaml:"data_dir"`
	// Templates is an optional folder of letter templates that override the
	// embedded defaults by file name.
	Templates string `yaml:"templates"`
}

// Schedule is the default follow-up policy of new campaigns.
type Schedule struct {
	Timezone    string `yaml:"timezone"`
	WindowStart string `yaml:"window_start"`
	WindowEnd   string `yaml:"window_end"`
	// Each step is auto, draft or off.
	FirstChaser        string `yaml:"first_chaser"`
	FinalChaser        string `yaml:"final_chaser"`
	ReviewOnSilence    string `yaml:"review_on_silence"`
	ReviewAfterRefusal string `yaml:"review_after_refusal"`
	ICOComplaint       string `yaml:"ico_complaint"`
	// FinalChaserAfter is the working days between the first and final chaser.
	FinalChaserAfter int `yaml:"final_chaser_after"`
	// ReviewOnSilenceAfter is the working days of silence before an
	// internal review is requested.
	ReviewOnSilenceAfter int `yaml:"review_on_silence_after"`
}

// Web is the dashboard.
type Web struct {
	// Listen is host:port. On a loopback address with no volunteer
	// accounts, the person at the machine is the user (LocalUser); any
	// other address needs at least one account (`foi users add`), which
	// the dashboard checks when it starts, since only the store knows.
	Listen string `yaml:"listen"`
	// TLSCert and TLSKey are PEM files (relative to foi.yaml's folder):
	// both or neither. With them the dashboard speaks HTTPS only.
	TLSCert string `yaml:"tls_cert"`
	TLSKey  string `yaml:"tls_key"`
	// LocalUser names the person at the machine in the event log, on
	// loopback without accounts.
	LocalUser string `yaml:"local_user"`
	// PublicURL is where volunteers reach the dashboard
	// ("https://foi.example.org"); the digest links into it when set.
	PublicURL string `yaml:"public_url"`
}

// Notify is the volunteers' digest by email (package digest), sent through
// the campaign's own SMTP: at most once a day at DailyAt, and at once for a
// bounce or an identity challenge. No To, no digest.
type Notify struct {
	To      []string `yaml:"to"`
	DailyAt string   `yaml:"daily_at"`
}

// ByteSize is a size in bytes written as 50MB, 512KB or a plain number.
type ByteSize int64

// UnmarshalYAML reads sizes such as "50MB".
func (b *ByteSize) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseByteSize(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*b = v
	return nil
}

// ParseByteSize reads "50MB", "512KB", "1GB" or a number of bytes.
func ParseByteSize(s string) (ByteSize, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		n      int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.n
			break
		}
	}
	var n int64
	if _, err := fmt.Sscanf(t, "%d", &n); err != nil || n < 0 || fmt.Sprint(n) != t {
		return 0, fmt.Errorf("size %q: want a number with an optional KB, MB or GB", s)
	}
	return ByteSize(n * mult), nil
}

// Default returns the configuration every file starts from.
func Default() Config {
	return Config{
		SMTP: SMTP{
			Server:        Server{Port: 587, Security: "starttls", Auth: "plain", Timeout: 30 * time.Second},
			Rate:          10 * time.Second,
			PerDomainRate: 60 * time.Second,
			RetryBackoff:  30 * time.Second,
			RetryMax:      30 * time.Minute,
			MaxAttempts:   6,
		},
		IMAP: IMAP{
			Server:         Server{Port: 993, Security: "tls", Auth: "plain", Timeout: 30 * time.Second},
			Folder:         "INBOX",
			SentCopy:       "auto",
			PollInterval:   60 * time.Second,
			MaxMessageSize: 50 << 20,
		},
		Storage: Storage{DataDir: "foi-data"},
		Schedule: Schedule{
			Timezone:             "Europe/London",
			WindowStart:          "09:30",
			WindowEnd:            "16:30",
			FirstChaser:          "auto",
			FinalChaser:          "auto",
			ReviewOnSilence:      "draft",
			ReviewAfterRefusal:   "draft",
			ICOComplaint:         "draft",
			FinalChaserAfter:     10,
			ReviewOnSilenceAfter: 40,
		},
		Web:    Web{Listen: "127.0.0.1:8025"},
		Notify: Notify{DailyAt: "08:00"},
	}
}

// Load reads, decodes and validates the file at path. A decoding error names
// the line and key at fault; validation errors are all returned together as
// a Problems value.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w (run `foi init` to write a starting foi.yaml)", err)
	}
	cfg, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	abs, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	cfg.Dir = abs
	return cfg, nil
}

// Parse decodes and validates a configuration held in memory. Relative paths
// are left relative to the current directory.
func Parse(data []byte) (*Config, error) {
	cfg := Default()
	// First as a tree, to say what is wrong in a volunteer's words (keys.go).
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		if n := tabLine(data); n > 0 {
			return nil, fmt.Errorf("line %d: a tab in the indentation: YAML indents with spaces only, so replace the tab with spaces (%s)", n, strings.TrimPrefix(err.Error(), "yaml: "))
		}
		return nil, fmt.Errorf("decode: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if unknown := checkKeys(&root); len(unknown) > 0 {
		return nil, Problems(unknown)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	// An empty file decodes to the defaults, which then fail validation
	// with the list of what is missing: the more useful message.
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("decode: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// Problems is every validation failure of a configuration, reported at once.
type Problems []string

func (p Problems) Error() string {
	if len(p) == 1 {
		return "1 problem:\n  - " + p[0]
	}
	return fmt.Sprintf("%d problems:\n  - %s", len(p), strings.Join(p, "\n  - "))
}

// Validate checks every field and returns all problems together.
func (c *Config) Validate() error {
	var p Problems
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }

	if strings.TrimSpace(c.Requester.Name) == "" {
		add("requester.name: required — a valid FOI request must state the applicant's name (FOIA s.8(1)(b))")
	}
	// These go into every letter's From line and signature: one line of
	// plain text each, or no letter could be sent.
	for _, f := range []struct{ key, value string }{
		{"requester.name", c.Requester.Name}, {"requester.organisation", c.Requester.Organisation}, {"requester.email", c.Requester.Email},
	} {
		if err := textsafe.CheckLine(f.value); err != nil {
			add("%s: %q %v", f.key, f.value, err)
		}
	}
	if c.Requester.Email == "" {
		add("requester.email: required — the campaign mailbox's address")
	} else if a, err := mail.ParseAddress(c.Requester.Email); err != nil || a.Address != c.Requester.Email {
		add("requester.email: %q is not a plain email address", c.Requester.Email)
	}
	c.SMTP.Server.validate("smtp", add)
	c.IMAP.Server.validate("imap", add)
	if c.SMTP.Rate < 0 {
		add("smtp.rate: must not be negative")
	}
	if c.SMTP.PerDomainRate < 0 {
		add("smtp.per_domain_rate: must not be negative (0 turns pacing by domain off)")
	}
	if c.SMTP.RetryBackoff <= 0 {
		add("smtp.retry_backoff: must be positive")
	}
	if c.SMTP.RetryMax < c.SMTP.RetryBackoff {
		add("smtp.retry_max: must be at least retry_backoff")
	}
	if c.SMTP.MaxAttempts < 1 {
		add("smtp.max_attempts: must be at least 1")
	}
	if c.IMAP.Folder == "" {
		add("imap.folder: required (usually INBOX)")
	}
	switch c.IMAP.SentCopy {
	case "auto", "always", "never":
	default:
		add("imap.sent_copy: %q is not one of auto, always, never", c.IMAP.SentCopy)
	}
	if c.IMAP.PollInterval < time.Second {
		add("imap.poll_interval: must be at least 1s")
	}
	if c.IMAP.MaxMessageSize < 1<<10 {
		add("imap.max_message_size: must be at least 1KB")
	}
	if c.Storage.DataDir == "" {
		add("storage.data_dir: required")
	}
	if _, err := time.LoadLocation(c.Schedule.Timezone); err != nil {
		add("schedule.timezone: %q: %v", c.Schedule.Timezone, err)
	}
	start, errS := ParseClock(c.Schedule.WindowStart)
	if errS != nil {
		add("schedule.window_start: %v", errS)
	}
	end, errE := ParseClock(c.Schedule.WindowEnd)
	if errE != nil {
		add("schedule.window_end: %v", errE)
	}
	if errS == nil && errE == nil && end <= start {
		add("schedule.window_end: %s is not after window_start %s", c.Schedule.WindowEnd, c.Schedule.WindowStart)
	}
	for _, s := range []struct{ key, v string }{
		{"first_chaser", c.Schedule.FirstChaser},
		{"final_chaser", c.Schedule.FinalChaser},
		{"review_on_silence", c.Schedule.ReviewOnSilence},
		{"review_after_refusal", c.Schedule.ReviewAfterRefusal},
	} {
		if !validMode(s.v) {
			add("schedule.%s: %q is not one of auto, draft, off", s.key, s.v)
		}
	}
	// ICO complaints are never sent automatically (SPEC section 7).
	if c.Schedule.ICOComplaint != "draft" && c.Schedule.ICOComplaint != "off" {
		add("schedule.ico_complaint: %q is not one of draft, off (complaints are never sent automatically)", c.Schedule.ICOComplaint)
	}
	if c.Schedule.FinalChaserAfter < 1 {
		add("schedule.final_chaser_after: must be at least 1 working day")
	}
	if c.Schedule.ReviewOnSilenceAfter < 20 {
		add("schedule.review_on_silence_after: must be at least 20 working days")
	}
	host, _, err := net.SplitHostPort(c.Web.Listen)
	if err != nil {
		add("web.listen: %q: %v", c.Web.Listen, err)
	} else if host == "" {
		add("web.listen: %q has no host: write 127.0.0.1:8025 for this machine only, or the address to listen on", c.Web.Listen)
	}
	if (c.Web.TLSCert == "") != (c.Web.TLSKey == "") {
		add("web.tls_cert and web.tls_key: give both files, or neither")
	}
	if strings.ContainsAny(c.Web.LocalUser, "\r\n") {
		add("web.local_user: must be one line")
	}
	if u := c.Web.PublicURL; u != "" {
		if pu, err := url.Parse(u); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			add("web.public_url: %q is not an http:// or https:// address", u)
		}
	}
	for _, to := range c.Notify.To {
		if a, err := mail.ParseAddress(to); err != nil || a.Address != to {
			add("notify.to: %q is not a plain email address", to)
		}
	}
	if _, err := ParseClock(c.Notify.DailyAt); err != nil {
		add("notify.daily_at: %v", err)
	}
	if len(p) > 0 {
		return p
	}
	return nil
}

func validMode(s string) bool { return s == "auto" || s == "draft" || s == "off" }

func (s *Server) validate(section string, add func(string, ...any)) {
	if s.Host == "" {
		add("%s.host: required", section)
	}
	if s.Port < 1 || s.Port > 65535 {
		add("%s.port: %d is not a port number (1-65535)", section, s.Port)
	}
	switch s.Security {
	case "tls", "starttls":
	case "none":
		if s.Auth != "none" && s.Host != "" && !IsLoopback(s.Host) {
			add("%s.security: none would send the password unencrypted to %s; use tls or starttls (plain-text login is only allowed to a loopback host)", section, s.Host)
		}
	default:
		add("%s.security: %q is not one of tls, starttls, none", section, s.Security)
	}
	switch s.Auth {
	case "none":
	case "plain", "login":
		if s.Username == "" {
			add("%s.username: required for auth %s", section, s.Auth)
		}
		if s.PasswordEnv == "" && s.PasswordFile == "" {
			add("%s: set password_env or password_file for auth %s", section, s.Auth)
		}
		if s.PasswordEnv != "" && s.PasswordFile != "" {
			add("%s: set only one of password_env and password_file", section)
		}
	case "xoauth2":
		if s.Username == "" {
			add("%s.username: required for auth xoauth2", section)
		}
		if (s.TokenFile == "") == (s.TokenCommand == "") {
			add("%s: set exactly one of token_file and token_command for auth xoauth2", section)
		}
	default:
		add("%s.auth: %q is not one of plain, login, xoauth2, none", section, s.Auth)
	}
	if s.Timeout <= 0 {
		add("%s.timeout: must be positive", section)
	}
}

// Secret returns the password (plain, login) or the OAuth2 access token
// (xoauth2). dir resolves relative file names. The value is never logged.
func (s *Server) Secret(ctx context.Context, dir string) (string, error) {
	switch {
	case s.Auth == "none":
		return "", nil
	case s.Auth == "xoauth2" && s.TokenCommand != "":
		cmd := exec.CommandContext(ctx, "/bin/sh", "-c", s.TokenCommand)
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			return "", fmt.Errorf("token_command %q: %w", s.TokenCommand, err)
		}
		return strings.TrimSpace(string(out)), nil
	case s.Auth == "xoauth2":
		return readSecretFile(resolve(dir, s.TokenFile), "token_file")
	case s.PasswordEnv != "":
		v, ok := os.LookupEnv(s.PasswordEnv)
		if !ok || v == "" {
			return "", fmt.Errorf("password_env: environment variable %s is not set", s.PasswordEnv)
		}
		return v, nil
	default:
		return readSecretFile(resolve(dir, s.PasswordFile), "password_file")
	}
}

func readSecretFile(path, key string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%s: %w", key, err)
	}
	v := strings.TrimRight(string(b), "\r\n")
	if v == "" {
		return "", fmt.Errorf("%s: %s is empty", key, path)
	}
	return v, nil
}

func resolve(dir, p string) string {
	if p == "" || filepath.IsAbs(p) || dir == "" {
		return p
	}
	return filepath.Join(dir, p)
}

// DataDir is the data folder, resolved against the config file's folder.
func (c *Config) DataDir() string { return resolve(c.Dir, c.Storage.DataDir) }

// TemplatesDir is the user's template folder, or "" for none.
func (c *Config) TemplatesDir() string { return resolve(c.Dir, c.Storage.Templates) }

// WebTLS is the dashboard's certificate and key files, or "" for none.
func (c *Config) WebTLS() (cert, key string) {
	return resolve(c.Dir, c.Web.TLSCert), resolve(c.Dir, c.Web.TLSKey)
}

// IsLoopback reports whether host names the local machine only.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// ParseClock reads "HH:MM" and returns minutes after midnight.
func ParseClock(s string) (int, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a time of day like 09:30", s)
	}
	return t.Hour()*60 + t.Minute(), nil
}
