package digest

import (
	"fmt"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"foi/store"
)

// MaxArrived is how many arrivals the text lists one by one; the rest are
// counted (a short email, not the campaign's history).
const MaxArrived = 25

// Subject is the digest's subject line.
func (d Digest) Subject(zone *time.Location) string {
	if d.Kind == store.DigestUrgent {
		return fmt.Sprintf("foi: needs you now: %s", count(len(d.Needs)+countUnfiled(d), "reply", "replies"))
	}
	return fmt.Sprintf("foi digest for %s: %s, %s", d.At.In(zone).Format("Mon 2 Jan"),
		count(len(d.Arrived), "reply", "replies"), count(len(d.Needs), "thing needs", "things need")+" a person")
}

func countUnfiled(d Digest) int {
	n := 0
	for _, a := range d.Arrived {
		if a.Ref == "" {
			n++
		}
	}
	return n
}

// Text is the digest's body: short lines of plain text.
func (d Digest) Text(zone *time.Location, links Links) string {
	var b strings.Builder
	since := "so far"
	if !d.Since.IsZero() {
		since = "since " + d.Since.In(zone).Format("Mon 2 Jan 15:04")
	}
	if d.Kind == store.DigestUrgent {
		fmt.Fprintf(&b, "A reply came that should not wait for tomorrow's digest.\n\n")
	}
	if d.Kind == store.DigestDaily || len(d.Needs) == 0 {
		fmt.Fprintf(&b, "Arrived %s:\n", since)
		if len(d.Arrived) == 0 {
			fmt.Fprintf(&b, "  nothing.\n")
		}
		for i, it := range d.Arrived {
			if i == MaxArrived && len(d.Arrived) > MaxArrived+1 {
				fmt.Fprintf(&b, "  - and %d more: foi status shows every request\n", len(d.Arrived)-i)
				break
			}
			writeItem(&b, it)
		}
		b.WriteString("\n")
	}
	if d.Kind == store.DigestUrgent {
		b.WriteString("Needs you now:\n")
	} else {
		b.WriteString("Needs a person:\n")
	}
	if len(d.Needs) == 0 {
		b.WriteString("  nothing.\n")
	}
	for _, it := range d.Needs {
		writeItem(&b, it)
	}
	if len(d.Campaigns) > 0 {
		b.WriteString("\nWhere things stand:\n")
		for _, l := range d.Campaigns {
			fmt.Fprintf(&b, "  %s\n", l)
		}
	}
	b.WriteString("\n-- \n")
	if t := links.Today(); t != "" {
		fmt.Fprintf(&b, "Today's page: %s\n", t)
	} else {
		b.WriteString("Run `foi status` for the board, `foi drafts` for the letters waiting.\n")
	}
	b.WriteString("foi sends this to notify.to in foi.yaml; at most one a day, and at once for a bounce or an identity challenge.\n")
	return b.String()
}

func writeItem(b *strings.Builder, it Item) {
	switch {
	case it.Ref == "":
		fmt.Fprintf(b, "  - %s\n", it.Words)
	default:
		fmt.Fprintf(b, "  - %s %s: %s\n", it.Ref, it.Authority, it.Words)
	}
	if it.Link != "" {
		fmt.Fprintf(b, "    %s\n", it.Link)
	}
}

// Envelope is who a digest comes from and goes to.
type Envelope struct {
	FromName, From string
	To             []string
	// MessageID is the digest's Message-ID, without angle brackets.
	MessageID string
}

// Message composes the digest as an email. It is marked auto-generated
// (RFC 3834 section 5) so that mail systems, and foi's own classifier if
// it ever reads one, do not answer it or take it for a reply.
func (d Digest) Message(env Envelope, zone *time.Location, links Links) (*gomail.Msg, error) {
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := m.FromFormat(env.FromName, env.From); err != nil {
		return nil, fmt.Errorf("digest: from %q: %w", env.From, err)
	}
	if len(env.To) == 0 {
		return nil, fmt.Errorf("digest: notify.to is empty")
	}
	if err := m.To(env.To...); err != nil {
		return nil, fmt.Errorf("digest: notify.to %q: %w", strings.Join(env.To, ", "), err)
	}
	m.Subject(d.Subject(zone))
	m.SetMessageIDWithValue(env.MessageID)
	m.SetDateWithValue(d.At)
	m.SetUserAgent("foi")
	m.SetGenHeader("Auto-Submitted", "auto-generated")
	m.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	m.SetBodyString(gomail.TypeTextPlain, d.Text(zone, links))
	return m, nil
}
