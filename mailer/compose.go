package mailer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"foi/store"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Letter is one outgoing email before it is turned into bytes. Everything
// that varies between two renderings (Message-ID, Date) is fixed here, so
// that Compose gives the same bytes every time: what `foi campaign preview`
// prints is what is stored, and what is stored is what is sent.
type Letter struct {
	FromName    string
	FromAddress string
	To          string
	ReplyTo     string
	Subject     string
	Body        string
	// MessageID without angle brackets.
	MessageID  string
	InReplyTo  string
	References []string
	Date       time.Time
	// Ref is our request reference, also given in an X-FOI-Reference
	// header so that replies that keep headers can be matched by it.
	Ref string
}

// UserAgent names foi in the headers of what it sends.
const UserAgent = "foi"

// Compose builds the go-mail message for a letter.
func Compose(l Letter) (*gomail.Msg, error) {
	if l.MessageID == "" || strings.ContainsAny(l.MessageID, "<> ") {
		return nil, fmt.Errorf("compose %s: invalid Message-ID %q", l.Ref, l.MessageID)
	}
	if l.Date.IsZero() {
		return nil, fmt.Errorf("compose %s: no date", l.Ref)
	}
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := m.FromFormat(l.FromName, l.FromAddress); err != nil {
		return nil, fmt.Errorf("compose %s: from %q: %w", l.Ref, l.FromAddress, err)
	}
	if err := m.To(l.To); err != nil {
		return nil, fmt.Errorf("compose %s: to %q: %w", l.Ref, l.To, err)
	}
	if l.ReplyTo != "" {
		if err := m.ReplyTo(l.ReplyTo); err != nil {
			return nil, fmt.Errorf("compose %s: reply-to %q: %w", l.Ref, l.ReplyTo, err)
		}
	}
	m.Subject(l.Subject)
	m.SetMessageIDWithValue(l.MessageID)
	m.SetDateWithValue(l.Date)
	m.SetUserAgent(UserAgent)
	if l.InReplyTo != "" {
		m.SetGenHeader(gomail.HeaderInReplyTo, "<"+l.InReplyTo+">")
	}
	if len(l.References) > 0 {
		refs := make([]string, len(l.References))
		for i, r := range l.References {
			refs[i] = "<" + r + ">"
		}
		m.SetGenHeaderPreformatted(gomail.HeaderReferences, strings.Join(refs, " "))
	}
	if l.Ref != "" {
		m.SetGenHeader("X-FOI-Reference", l.Ref)
	}
	// Ask auto-responders not to answer (Microsoft's header), without
	// marking the letter as bulk mail, which it is not.
	m.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "OOF")
	body := strings.ReplaceAll(l.Body, "\r\n", "\n")
	m.SetBodyString(gomail.TypeTextPlain, body)
	return m, nil
}

// Render returns the exact bytes of a letter.
func Render(l Letter) ([]byte, error) {
	m, err := Compose(l)
	if err != nil {
		return nil, err
	}
	return msgBytes(m)
}

func msgBytes(m *gomail.Msg) ([]byte, error) {
	var b bytes.Buffer
	if _, err := m.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("write message: %w", err)
	}
	return b.Bytes(), nil
}

// StoredLetter is the letter an outbox entry holds. The store keeps a
// letter's fields as JSON that only this package writes and reads.
func StoredLetter(it store.OutboxItem) (Letter, error) {
	var l Letter
	if err := json.Unmarshal([]byte(it.Letter), &l); err != nil {
		return l, fmt.Errorf("letter %d (%s): stored letter unreadable: %w", it.ID, it.Ref, err)
	}
	return l, nil
}
