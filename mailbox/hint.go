package mailbox

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"

	"foi/config"
)

// Hint says the likely fix for an error connecting to a mail server (SMTP
// or IMAP: section is "smtp" or "imap", as in foi.yaml), or "" for an error
// it does not know. The caller keeps the error's own words beside it. It
// recognises, by the errors' types:
//
//  1. security: tls on a port that speaks plain text first (STARTTLS): the
//     TLS library reads the server's greeting as a record header;
//  2. security: starttls on an implicit-TLS port: the server waits for a
//     TLS handshake, so the greeting never comes, and the connection ends
//     (EOF) or times out;
//  3. a certificate from an authority this machine does not trust (a
//     private one needs ca_file), for another name, or expired.
func Hint(section string, srv config.Server, err error) string {
	var header tls.RecordHeaderError
	if errors.As(err, &header) && srv.Security == "tls" {
		began := strings.TrimRight(string(header.RecordHeader[:]), "\r\n")
		return fmt.Sprintf("port %d answered in plain text (%s), not TLS: it expects STARTTLS, so try `security: starttls` in %s (or the provider's implicit-TLS port, usually %d)",
			srv.Port, strconv.Quote(began+"..."), section, tlsPort(section))
	}
	var unknown x509.UnknownAuthorityError
	if errors.As(err, &unknown) {
		if srv.CAFile != "" {
			return fmt.Sprintf("%s's certificate is not signed by the authority in %s.ca_file (%s): give the PEM file of the one that signed it", srv.Host, section, srv.CAFile)
		}
		return fmt.Sprintf("%s's certificate is signed by an authority this machine does not trust: if the server uses a private one, set %s.ca_file to its PEM file", srv.Host, section)
	}
	var host x509.HostnameError
	if errors.As(err, &host) {
		return fmt.Sprintf("the certificate is for %s, not %s: set %s.host to the name your provider gives", certNames(host.Certificate), host.Host, section)
	}
	var invalid x509.CertificateInvalidError
	if errors.As(err, &invalid) && invalid.Reason == x509.Expired {
		return fmt.Sprintf("%s's certificate has expired: the provider must renew it (check this machine's clock too)", srv.Host)
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return "" // no connection at all: the host or port, not the security
	}
	if srv.Security == "starttls" && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || isTimeout(err)) {
		return fmt.Sprintf("port %d never greeted foi: it may expect TLS from the start (implicit TLS, usually port %d), so try `security: tls` in %s",
			srv.Port, tlsPort(section), section)
	}
	return ""
}

func tlsPort(section string) int {
	if section == "imap" {
		return 993
	}
	return 465
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

func certNames(c *x509.Certificate) string {
	if c == nil {
		return "another name"
	}
	if len(c.DNSNames) > 0 {
		return strings.Join(c.DNSNames, ", ")
	}
	return c.Subject.CommonName
}

// withHint adds Hint's advice to a connection error, keeping its words.
func withHint(section string, srv config.Server, err error) error {
	if h := Hint(section, srv, err); h != "" {
		return &hinted{err: err, hint: h}
	}
	return err
}

type hinted struct {
	err  error
	hint string
}

func (h *hinted) Error() string { return h.err.Error() + ": " + h.hint }
func (h *hinted) Unwrap() error { return h.err }
