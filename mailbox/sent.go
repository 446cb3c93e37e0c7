package mailbox

import (
	"context"
	"strings"
	"time"

	"foi/config"
)

// Sent is the campaign mailbox's Sent folder, reached through a connection
// opened on first use and opened again after an error. It satisfies the
// outbox's SentFolder. Not safe for concurrent use.
type Sent struct {
	cfg  config.IMAP
	opts Options
	conn *Conn
}

// NewSent prepares access to the Sent folder of the configured mailbox.
func NewSent(cfg config.IMAP, opts Options) *Sent { return &Sent{cfg: cfg, opts: opts} }

func (s *Sent) do(ctx context.Context, f func(c *Conn, folder string) error) error {
	var err error
	for try := 0; try < 2; try++ {
		if s.conn == nil {
			if s.conn, err = Dial(ctx, s.cfg, s.opts); err != nil {
				s.conn = nil
				return err
			}
		}
		folder, ferr := s.conn.SentFolder()
		if ferr == nil {
			ferr = f(s.conn, folder)
		}
		if ferr == nil {
			return nil
		}
		err = ferr
		// A broken connection gets one fresh try; a refusal does not.
		s.conn.Close()
		s.conn = nil
		if !isConnError(err) {
			return err
		}
	}
	return err
}

// Has reports whether the Sent folder holds this Message-ID.
func (s *Sent) Has(ctx context.Context, messageID string) (bool, error) {
	var found bool
	err := s.do(ctx, func(c *Conn, folder string) error {
		var err error
		found, err = c.HasMessageID(folder, messageID)
		return err
	})
	return found, err
}

// Append files a copy of a sent letter.
func (s *Sent) Append(ctx context.Context, raw []byte, date time.Time) error {
	return s.do(ctx, func(c *Conn, folder string) error { return c.Append(folder, raw, date) })
}

// Close logs out.
func (s *Sent) Close() error {
	if s.conn == nil {
		return nil
	}
	err := s.conn.Logout()
	s.conn = nil
	return err
}

func isConnError(err error) bool {
	msg := err.Error()
	for _, f := range []string{"EOF", "closed", "reset", "broken pipe", "timeout"} {
		if strings.Contains(msg, f) {
			return true
		}
	}
	return false
}

// ProviderFilesSent reports whether an SMTP host is known to file a copy of
// every message sent through it in the Sent folder by itself, so that a
// second copy would be a duplicate: Gmail and Microsoft 365.
func ProviderFilesSent(smtpHost string) bool {
	h := strings.ToLower(smtpHost)
	return h == "smtp.gmail.com" || h == "smtp.googlemail.com" || h == "smtp.office365.com" ||
		h == "smtp-mail.outlook.com" || strings.HasSuffix(h, ".outlook.com")
}
