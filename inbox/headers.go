// Header fields: reading the top-level header into Message, tolerantly —
// field lookup, message IDs, address lists and dates.

package inbox

import (
	"fmt"
	"net/mail"
	"net/textproto"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/jhillyerd/enmime/v2"
)

// setHeader fills the header fields of m from h.
func (m *Message) setHeader(h textproto.MIMEHeader) {
	m.Header = h
	if len(h) == 0 {
		return
	}
	if ids := messageIDs(headerGet(h, "Message-Id")); len(ids) > 0 {
		m.MessageID = ids[0]
	}
	m.InReplyTo = messageIDs(strings.Join(headerValues(h, "In-Reply-To"), " "))
	m.References = messageIDs(strings.Join(headerValues(h, "References"), " "))
	if from := parseAddresses(headerValues(h, "From")); len(from) > 0 {
		m.From = from[0]
	}
	m.ReplyTo = parseAddresses(headerValues(h, "Reply-To"))
	m.To = parseAddresses(headerValues(h, "To"))
	m.Cc = parseAddresses(headerValues(h, "Cc"))
	m.DeliveredTo = addrsOnly(parseAddresses(headerValues(h, "Delivered-To")))
	m.OriginalTo = addrsOnly(parseAddresses(headerValues(h, "X-Original-To")))
	m.Subject = cleanLine(decodeWords(headerGet(h, "Subject")), 0)

	m.DateRaw = strings.TrimSpace(headerGet(h, "Date"))
	switch {
	case m.DateRaw == "":
		m.flag("date-missing", "no Date header", false)
	default:
		if t, ok := parseDate(m.DateRaw); ok {
			m.Date = t
		} else {
			m.flag("date-invalid", "unparsable Date header "+strconv.Quote(m.DateRaw), false)
		}
	}
	if m.From.Addr == "" {
		m.flag("from-missing", "no usable From address", false)
	}
}

// headerValues returns every value of the named field, matching the name
// case-insensitively (keys of damaged headers are not always canonical).
func headerValues(h textproto.MIMEHeader, name string) []string {
	if v, ok := h[textproto.CanonicalMIMEHeaderKey(name)]; ok {
		return v
	}
	for k, v := range h {
		if strings.EqualFold(strings.TrimSpace(k), name) {
			return v
		}
	}
	return nil
}

func headerGet(h textproto.MIMEHeader, name string) string {
	if v := headerValues(h, name); len(v) > 0 {
		return v[0]
	}
	return ""
}

var msgIDPattern = regexp.MustCompile(`<([^<>\s]+)>`)

// messageIDs extracts message IDs, without angle brackets, from a header value.
// IDs without brackets (a common mistake) are accepted when no bracketed one is
// present.
func messageIDs(v string) []string {
	var ids []string
	seen := map[string]bool{}
	add := func(id string) {
		id = strings.TrimSpace(id)
		if id != "" && !seen[id] && len(ids) < maxMessageIDs {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if ms := msgIDPattern.FindAllStringSubmatch(v, -1); len(ms) > 0 {
		for _, m := range ms {
			add(m[1])
		}
		return ids
	}
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return unicode.IsSpace(r) || r == ',' }) {
		if strings.Contains(f, "@") {
			add(strings.Trim(f, "<>"))
		}
	}
	return ids
}

var looseAddrPattern = regexp.MustCompile(`[^\s<>,;:"'()\[\]]+@[^\s<>,;:"'()\[\]]+`)

// parseAddresses parses address header values, falling back to picking
// address-shaped tokens out of values the strict parser rejects.
func parseAddresses(values []string) []Address {
	var out []Address
	for _, v := range values {
		if strings.TrimSpace(v) == "" {
			continue
		}
		list, err := parseAddressList(v)
		if err == nil && len(list) > 0 {
			for _, a := range list {
				if a == nil || a.Address == "" {
					continue
				}
				out = append(out, Address{Name: cleanLine(a.Name, 0), Addr: strings.TrimSpace(a.Address)})
			}
			continue
		}
		for _, a := range looseAddrPattern.FindAllString(v, -1) {
			out = append(out, Address{Addr: strings.Trim(a, ".")})
		}
	}
	return out
}

func parseAddressList(v string) (list []*mail.Address, err error) {
	defer func() {
		if r := recover(); r != nil {
			list, err = nil, fmt.Errorf("address parser panicked: %v", r)
		}
	}()
	return enmime.ParseAddressList(v)
}

func addrsOnly(list []Address) []string {
	var out []string
	for _, a := range list {
		out = append(out, a.Addr)
	}
	return out
}

// parseDate parses a Date header, tolerating a trailing comment and a few
// common deviations.
func parseDate(s string) (time.Time, bool) {
	if t, err := mail.ParseDate(s); err == nil {
		return t, true
	}
	if i := strings.IndexByte(s, '('); i > 0 {
		if t, err := mail.ParseDate(strings.TrimSpace(s[:i])); err == nil {
			return t, true
		}
	}
	for _, layout := range []string{
		"Mon, 2 Jan 2006 15:04:05 MST",
		"Mon, 2 Jan 2006 15:04 -0700",
		"2 Jan 2006 15:04:05 -0700",
		"Monday, January 2, 2006 3:04 PM",
		"02/01/2006 15:04:05",
		time.RFC3339,
	} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
