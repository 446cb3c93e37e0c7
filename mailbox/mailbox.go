// Package mailbox opens IMAP connections to the campaign mailbox and does
// the few things that both the sending and the reading side need: log in
// (PLAIN/LOGIN or XOAUTH2, over implicit TLS or STARTTLS, never a password
// in clear text to anything but loopback), find the Sent folder, append a
// copy of a sent letter, and look a Message-ID up in a folder.
//
// It does not watch for new mail or parse it (package inbox does). A *Conn
// is one IMAP connection and is not safe for concurrent use.
package mailbox

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"

	"foi/config"
)

// Conn is a logged-in IMAP connection.
type Conn struct {
	*imapclient.Client
	cfg  config.IMAP
	sent string
}

// Options are the parts of a connection that are not in the configuration.
type Options struct {
	// Dir resolves relative password and token files.
	Dir string
	// UnilateralDataHandler receives untagged updates (EXISTS during IDLE).
	// It runs on the reader goroutine and must not call the client.
	UnilateralDataHandler *imapclient.UnilateralDataHandler
}

// Dial connects and logs in. The error says which step failed and carries
// the server's own words.
func Dial(ctx context.Context, cfg config.IMAP, opts Options) (*Conn, error) {
	tlsConf, err := TLSConfig(cfg.Server)
	if err != nil {
		return nil, err
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	copts := &imapclient.Options{
		TLSConfig:             tlsConf,
		Dialer:                &net.Dialer{Timeout: timeout},
		UnilateralDataHandler: opts.UnilateralDataHandler,
	}
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	var c *imapclient.Client
	switch cfg.Security {
	case "tls":
		c, err = imapclient.DialTLS(addr, copts)
	case "starttls":
		c, err = imapclient.DialStartTLS(addr, copts)
	default:
		c, err = imapclient.DialInsecure(addr, copts)
	}
	if err != nil {
		return nil, fmt.Errorf("imap connect %s (%s): %w", addr, cfg.Security, withHint("imap", cfg.Server, err))
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	if err := login(ctx, c, cfg, opts.Dir); err != nil {
		c.Close()
		return nil, fmt.Errorf("imap login to %s as %s: %w", addr, cfg.Username, err)
	}
	return &Conn{Client: c, cfg: cfg}, nil
}

func login(ctx context.Context, c *imapclient.Client, cfg config.IMAP, dir string) error {
	if cfg.Auth == "none" {
		return nil
	}
	if cfg.Security == "none" && !config.IsLoopback(cfg.Host) {
		return errors.New("refusing to send a password over an unencrypted connection to a non-loopback host")
	}
	secret, err := cfg.Secret(ctx, dir)
	if err != nil {
		return err
	}
	switch cfg.Auth {
	case "xoauth2":
		return c.Authenticate(xoauth2{user: cfg.Username, token: secret})
	case "login":
		return c.Login(cfg.Username, secret).Wait()
	default:
		if c.Caps().Has(imap.AuthCap(sasl.Plain)) {
			return c.Authenticate(sasl.NewPlainClient("", cfg.Username, secret))
		}
		return c.Login(cfg.Username, secret).Wait()
	}
}

// xoauth2 is the SASL XOAUTH2 mechanism used by Gmail and Microsoft 365:
// one message "user=U\x01auth=Bearer T\x01\x01".
type xoauth2 struct{ user, token string }

func (x xoauth2) Start() (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + x.user + "\x01auth=Bearer " + x.token + "\x01\x01"), nil
}

// Next answers a server challenge, which for XOAUTH2 only ever carries an
// error description; an empty response lets the server send its NO.
func (x xoauth2) Next(challenge []byte) ([]byte, error) { return []byte{}, nil }

// TLSConfig builds the TLS settings for a server: its name, an optional
// extra CA file, and the test-only switch to skip verification.
func TLSConfig(s config.Server) (*tls.Config, error) {
	conf := &tls.Config{ServerName: s.Host, InsecureSkipVerify: s.InsecureSkipVerify, MinVersion: tls.VersionTLS12}
	if s.CAFile != "" {
		pem, err := os.ReadFile(s.CAFile)
		if err != nil {
			return nil, fmt.Errorf("ca_file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca_file %s: no PEM certificate in it", s.CAFile)
		}
		conf.RootCAs = pool
	}
	return conf, nil
}

// SentFolder finds the folder for copies of sent letters: the configured
// one, else the one with the \Sent special-use attribute (RFC 6154), else
// one called "Sent".
func (c *Conn) SentFolder() (string, error) {
	if c.cfg.SentFolder != "" {
		return c.cfg.SentFolder, nil
	}
	if c.sent != "" {
		return c.sent, nil
	}
	opts := &imap.ListOptions{}
	if c.Caps().Has(imap.CapSpecialUse) || c.Caps().Has(imap.CapIMAP4rev2) {
		opts.ReturnSpecialUse = true
	}
	list, err := c.List("", "*", opts).Collect()
	if err != nil {
		return "", fmt.Errorf("list folders: %w", err)
	}
	var byName string
	for _, mb := range list {
		for _, a := range mb.Attrs {
			if a == imap.MailboxAttrSent {
				c.sent = mb.Mailbox
				return c.sent, nil
			}
		}
		if strings.EqualFold(mb.Mailbox, "Sent") || strings.EqualFold(mb.Mailbox, "INBOX.Sent") {
			byName = mb.Mailbox
		}
	}
	if byName == "" {
		return "", errors.New("no Sent folder: none is marked \\Sent and none is called Sent; set imap.sent_folder")
	}
	c.sent = byName
	return byName, nil
}

// HasMessageID reports whether folder holds a message with this Message-ID
// (given without angle brackets).
func (c *Conn) HasMessageID(folder, messageID string) (bool, error) {
	if _, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		return false, fmt.Errorf("examine %s: %w", folder, err)
	}
	defer func() { c.Unselect().Wait() }()
	data, err := c.UIDSearch(&imap.SearchCriteria{
		Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: messageID}},
	}, nil).Wait()
	if err != nil {
		return false, fmt.Errorf("search %s for %s: %w", folder, messageID, err)
	}
	return len(data.AllUIDs()) > 0, nil
}

// Append stores raw in folder, marked as read, with the given date.
func (c *Conn) Append(folder string, raw []byte, date time.Time) error {
	cmd := c.Client.Append(folder, int64(len(raw)), &imap.AppendOptions{Flags: []imap.Flag{imap.FlagSeen}, Time: date})
	if _, err := cmd.Write(raw); err != nil {
		cmd.Close()
		return fmt.Errorf("append to %s: %w", folder, err)
	}
	if err := cmd.Close(); err != nil {
		return fmt.Errorf("append to %s: %w", folder, err)
	}
	if _, err := cmd.Wait(); err != nil {
		return fmt.Errorf("append to %s: %w", folder, err)
	}
	return nil
}

// Logout says goodbye and closes the connection.
func (c *Conn) Logout() error {
	err := c.Client.Logout().Wait()
	c.Client.Close()
	return err
}
