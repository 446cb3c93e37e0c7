package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/smtp"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Logs returns the last n lines of every log in LogDir.
func (s *Servers) Logs(n int) string {
	var b strings.Builder
	files, _ := filepath.Glob(filepath.Join(s.LogDir, "*"))
	sort.Strings(files)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil || len(data) == 0 {
			continue
		}
		lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		if len(lines) > n {
			lines = append([]string{fmt.Sprintf("[... %d earlier lines]", len(lines)-n)}, lines[len(lines)-n:]...)
		}
		fmt.Fprintf(&b, "==> %s <==\n%s\n", f, strings.Join(lines, "\n"))
	}
	return b.String()
}

// DialIMAP connects to IMAPAddr, does STARTTLS (trusting the test CA unless
// opts.TLSConfig is set) and logs in as u.
func (s *Servers) DialIMAP(u User, opts *imapclient.Options) (*imapclient.Client, error) {
	o := imapclient.Options{}
	if opts != nil {
		o = *opts
	}
	if o.TLSConfig == nil {
		o.TLSConfig = s.TLSConfig()
	}
	if o.Dialer == nil {
		o.Dialer = &net.Dialer{Timeout: 10 * time.Second}
	}
	c, err := imapclient.DialStartTLS(s.IMAPAddr, &o)
	if err != nil {
		return nil, fmt.Errorf("imap dial %s: %w", s.IMAPAddr, err)
	}
	if err := c.Login(u.Address, u.Password).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("imap login %s: %w", u.Address, err)
	}
	return c, nil
}

// Message is a message fetched by WaitForMessages.
type Message struct {
	UID imap.UID
	Raw []byte // the whole message (BODY.PEEK[])
}

// WaitForMessages polls mailbox of u until at least one message matches
// criteria (nil: any message) and returns all matching messages, or fails
// after timeout. Messages are not marked \Seen.
func (s *Servers) WaitForMessages(u User, mailbox string, criteria *imap.SearchCriteria, timeout time.Duration) ([]Message, error) {
	if criteria == nil {
		criteria = &imap.SearchCriteria{}
	}
	deadline := time.Now().Add(timeout)
	var c *imapclient.Client
	defer func() {
		if c != nil {
			c.Close()
		}
	}()
	var lastErr error
	for {
		msgs, err := func() ([]Message, error) {
			if c == nil {
				var err error
				if c, err = s.DialIMAP(u, nil); err != nil {
					return nil, err
				}
			}
			// Re-selecting makes Dovecot look at the Maildir again.
			if _, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
				return nil, err
			}
			data, err := c.UIDSearch(criteria, nil).Wait()
			if err != nil {
				return nil, err
			}
			uids := data.AllUIDs()
			if len(uids) == 0 {
				return nil, nil
			}
			return fetchRaw(c, imap.UIDSetNum(uids...))
		}()
		if err == nil && len(msgs) > 0 {
			return msgs, nil
		}
		if err != nil {
			lastErr = err
			if c != nil {
				c.Close()
				c = nil
			}
		}
		if time.Now().After(deadline) {
			if lastErr != nil {
				return nil, fmt.Errorf("no matching message in %s/%s after %v (last error: %v)", u.Address, mailbox, timeout, lastErr)
			}
			return nil, fmt.Errorf("no matching message in %s/%s after %v", u.Address, mailbox, timeout)
		}
		time.Sleep(150 * time.Millisecond)
	}
}

// fetchRaw fetches whole messages. Each literal is read before the next
// message is requested (go-imap discards unread literals).
func fetchRaw(c *imapclient.Client, set imap.NumSet) ([]Message, error) {
	section := &imap.FetchItemBodySection{Peek: true}
	cmd := c.Fetch(set, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}})
	var out []Message
	for {
		msg := cmd.Next()
		if msg == nil {
			break
		}
		var m Message
		for {
			item := msg.Next()
			if item == nil {
				break
			}
			switch item := item.(type) {
			case imapclient.FetchItemDataUID:
				m.UID = item.UID
			case imapclient.FetchItemDataBodySection:
				if item.Literal != nil {
					b, err := io.ReadAll(item.Literal)
					if err != nil {
						cmd.Close()
						return nil, err
					}
					m.Raw = b
				}
			}
		}
		out = append(out, m)
	}
	if err := cmd.Close(); err != nil {
		return nil, err
	}
	return out, nil
}

// SendSMTP delivers a raw message through the plain port-25 style listener
// (SMTPAddr), as a remote mail server would: no AUTH, STARTTLS when offered.
// Only hosted domains are accepted there.
func (s *Servers) SendSMTP(from string, to []string, raw []byte) error {
	return s.sendSMTP(s.SMTPAddr, nil, from, to, raw)
}

// Submit sends a raw message through the submission port as u (STARTTLS,
// AUTH PLAIN), as a mail client would.
func (s *Servers) Submit(u User, from string, to []string, raw []byte) error {
	auth := smtp.PlainAuth("", u.Address, u.Password, s.Host)
	return s.sendSMTP(s.SubmissionAddr, auth, from, to, raw)
}

func (s *Servers) sendSMTP(addr string, auth smtp.Auth, from string, to []string, raw []byte) error {
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return err
	}
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	c, err := smtp.NewClient(conn, s.Host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if err := c.Hello("client.foi.test"); err != nil {
		return err
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(s.TLSConfig()); err != nil {
			return fmt.Errorf("starttls: %w", err)
		}
	} else if auth != nil {
		return errors.New("server does not offer STARTTLS")
	}
	if auth != nil {
		if err := c.Auth(auth); err != nil {
			return fmt.Errorf("auth: %w", err)
		}
	}
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("MAIL FROM:<%s>: %w", from, err)
	}
	for _, r := range to {
		if err := c.Rcpt(r); err != nil {
			return fmt.Errorf("RCPT TO:<%s>: %w", r, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, bytes.NewReader(raw)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	return c.Quit()
}
