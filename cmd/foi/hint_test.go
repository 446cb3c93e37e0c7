package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// implicitTLS listens like a server on port 465 or 993: it expects a TLS
// handshake at once, and gives up on a client that waits for a greeting.
func implicitTLS(t *testing.T) int {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(300 * time.Millisecond))
				c.(*tls.Conn).Handshake()
			}()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

// Issue 14, finding 3: the three usual connection mistakes get the likely
// fix, beside the server's or the TLS library's own words, for SMTP and
// IMAP alike.
func TestConnectionHints(t *testing.T) {
	t.Parallel()
	port := regexp.MustCompile(`(?m)^  port: \d+$`)
	for _, tc := range []struct {
		name string
		edit func(e *env, cfg string) string
		smtp []string
		imap []string
	}{
		{"tls on a STARTTLS port", func(e *env, cfg string) string {
			return strings.ReplaceAll(cfg, "security: starttls", "security: tls")
		}, []string{"first record does not look like a TLS handshake", "answered in plain text (\"220 ", "try `security: starttls` in smtp (or the provider's implicit-TLS port, usually 465)"},
			[]string{"first record does not look like a TLS handshake", "answered in plain text (\"* OK ", "try `security: starttls` in imap (or the provider's implicit-TLS port, usually 993)"}},
		{"starttls on an implicit-TLS port", func(e *env, cfg string) string {
			p := implicitTLS(t)
			cfg = port.ReplaceAllString(cfg, fmt.Sprintf("  port: %d", p))
			return strings.ReplaceAll(cfg, "timeout: 10s", "timeout: 2s")
		}, []string{fmt.Sprint("never greeted foi: it may expect TLS from the start (implicit TLS, usually port 465), so try `security: tls` in smtp")},
			[]string{"never greeted foi: it may expect TLS from the start (implicit TLS, usually port 993), so try `security: tls` in imap"}},
		{"an authority this machine does not trust", func(e *env, cfg string) string {
			return regexp.MustCompile(`(?m)^  ca_file: .*$`).ReplaceAllString(cfg, `  ca_file: ""`)
		}, []string{"certificate signed by unknown authority", "set smtp.ca_file to its PEM file"},
			[]string{"certificate signed by unknown authority", "set imap.ca_file to its PEM file"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, envOptions{})
			os.WriteFile(e.cfg, []byte(tc.edit(e, readFile(t, e.cfg))), 0o600)
			code, stdout, _ := e.foi("check-config", "--connect")
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			lines := strings.Split(stdout, "\n")
			line := func(prefix string) string {
				for _, l := range lines {
					if strings.HasPrefix(l, prefix) {
						return l
					}
				}
				return ""
			}
			for _, w := range tc.smtp {
				if l := line("smtp "); !strings.Contains(l, w) {
					t.Errorf("smtp line %q does not say %q", l, w)
				}
			}
			for _, w := range tc.imap {
				if l := line("imap "); !strings.Contains(l, w) {
					t.Errorf("imap line %q does not say %q", l, w)
				}
			}
		})
	}
}
