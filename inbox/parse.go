package inbox

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jhillyerd/enmime/v2"
	"github.com/teamwork/tnef"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/transform"
)

// ErrNotMail is returned (wrapped) by Parse and ParseHeader when the input has no
// recognisable header block at all. The returned Message is still non-nil and
// carries whatever could be salvaged, so the caller can store and flag it.
var ErrNotMail = errors.New("inbox: not an email message")

// Limits that keep hostile or broken input from costing more than it is worth.
const (
	maxNesting     = 5       // levels of message/rfc822 inside message/rfc822 that are parsed
	maxHeaderBytes = 1 << 20 // ParseHeader reads at most this much
	maxFlags       = 64      // flags kept per message
	maxNameRunes   = 200     // display names are shortened beyond this
	maxMessageIDs  = 500     // message IDs kept from one References header
)

// Source says where in a message a file was found.
type Source string

// The places a file can come from.
const (
	// SourceAttachment is a part with Content-Disposition: attachment (or
	// application/octet-stream), enmime's Attachments.
	SourceAttachment Source = "attachment"
	// SourceInline is a part with Content-Disposition: inline that is not the
	// message body, enmime's Inlines (signature logos, embedded images).
	SourceInline Source = "inline"
	// SourceOther is any other non-body part: a file without
	// Content-Disposition, a delivery-status report, returned headers.
	SourceOther Source = "other"
	// SourceRFC822 is an embedded message/rfc822 part, kept whole as a .eml.
	SourceRFC822 Source = "rfc822"
	// SourceTNEF is a file decoded out of a TNEF winmail.dat part.
	SourceTNEF Source = "tnef"
)

// Address is a mailbox from an address header. Addr is as written in the
// message; compare it case-insensitively.
type Address struct {
	Name string
	Addr string
}

// Flag records a problem met while parsing. Flags never stop parsing: a message
// with flags still has everything that could be read.
type Flag struct {
	Code   string // stable name, e.g. "boundary-missing", "date-invalid"
	Detail string // human-readable detail, may quote the input
	Severe bool   // part of the message could not be read
}

// Message is one parsed email. Everything in it is derived from the raw bytes,
// which the caller keeps: parsing can always be done again.
type Message struct {
	MessageID  string   // without angle brackets; "" when absent
	InReplyTo  []string // message IDs without angle brackets, in header order
	References []string // message IDs without angle brackets, oldest first
	From       Address
	ReplyTo    []Address
	To         []Address
	Cc         []Address
	// DeliveredTo and OriginalTo are the Delivered-To and X-Original-To
	// addresses added by the receiving servers (all of them, in order).
	DeliveredTo []string
	OriginalTo  []string
	Subject     string    // RFC 2047 decoded, whitespace (folding) collapsed
	Date        time.Time // zero when the Date header is missing or unparsable
	DateRaw     string    // the Date header as written
	// Header is the top-level header as received: values unfolded but not
	// decoded. Classify reads Auto-Submitted, Precedence and the like from it.
	Header textproto.MIMEHeader

	Text         string // the body as plain text (LF line ends)
	TextFromHTML bool   // Text was converted from the HTML body: the mail had no text part
	HTML         string // the HTML body as received, unsanitised; never render it unsanitised

	// Attachments lists every file in the message, depth first. Files inside
	// an embedded message or a winmail.dat follow their container and name it
	// by Parent.
	Attachments []Attachment

	Flags      []Flag
	HeaderOnly bool // made by ParseHeader: there is no body and no attachment
}

// Attachment is one file carried by a message.
type Attachment struct {
	Index  int    // position in Message.Attachments
	Parent int    // index of the containing .eml or winmail.dat, or -1
	Source Source // where the file was found
	PartID string // MIME part position, "2.1"; nested parts are prefixed by their container's
	// Name is the decoded file name, made safe for display: no control or
	// bidirectional-override characters, no path separators. It is never a
	// path; a part without a name gets one made from its content type.
	Name        string
	ContentType string // lower case, without parameters
	Size        int
	SHA256      string // hex
	Data        []byte `json:"-"`
	// Message is the parsed embedded message of a SourceRFC822 file: its
	// header and text. Its own files are listed in the outer message's
	// Attachments (Parent points at this one), so its Attachments is empty.
	Message *Message `json:"-"`
}

// Parse reads a complete RFC 5322 message. It never panics and never gives up
// on a damaged message: what cannot be read is recorded in Message.Flags and the
// rest is returned. The returned Message is never nil; err is non-nil only when
// the input is not recognisable as mail (see ErrNotMail).
func Parse(raw []byte) (*Message, error) {
	m := parseLevel(raw, 0, "")
	if len(m.Header) == 0 {
		return m, fmt.Errorf("parse message of %d bytes: %w", len(raw), ErrNotMail)
	}
	return m, nil
}

// ParseHeader reads only the header block from r, for messages kept by their
// headers alone (for instance over the size limit). It reads at most 1 MiB.
// The returned Message is never nil and has HeaderOnly set.
func ParseHeader(r io.Reader) (*Message, error) {
	m := &Message{HeaderOnly: true}
	cr := &countingReader{r: io.LimitReader(r, maxHeaderBytes+1)}
	h, flags, err := readHeaderBlock(bufio.NewReader(cr))
	m.addFlags(flags)
	if cr.n > maxHeaderBytes {
		m.flag("header-truncated", fmt.Sprintf("header block longer than %d bytes", maxHeaderBytes), true)
	}
	if err != nil {
		m.flag("header-unreadable", err.Error(), true)
	}
	m.setHeader(h)
	if len(m.Header) == 0 {
		return m, fmt.Errorf("parse message header: %w", ErrNotMail)
	}
	return m, nil
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// parseLevel parses raw as a message found at nesting depth depth; idPrefix is
// prepended to the part IDs of its files.
func parseLevel(raw []byte, depth int, idPrefix string) *Message {
	m := &Message{}
	raw = skipMboxLine(raw)
	if len(bytes.TrimSpace(raw)) == 0 {
		m.flag("empty", "message has no content", true)
		return m
	}
	env, err := readEnvelope(raw, false)
	if err != nil {
		m.flag("mime-unreadable", err.Error(), true)
		salvage(m, raw)
		return m
	}
	m.setHeader(env.Root.Header)
	m.setBody(env)
	for _, e := range env.Errors {
		m.enmimeFlag(e)
	}
	c := collector{m: m, raw: raw, depth: depth, idPrefix: idPrefix}
	c.collect(env)
	if strings.TrimSpace(m.Text) == "" && c.tnefBody != "" {
		m.Text = c.tnefBody
	}
	return m
}

// skipMboxLine drops a leading mbox "From " separator line.
func skipMboxLine(raw []byte) []byte {
	if bytes.HasPrefix(raw, []byte("From ")) {
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			return raw[i+1:]
		}
	}
	return raw
}

// readEnvelope runs enmime over raw, turning a panic inside it into an error.
func readEnvelope(raw []byte, rawContent bool) (env *enmime.Envelope, err error) {
	defer func() {
		if r := recover(); r != nil {
			env, err = nil, fmt.Errorf("mime parser panicked: %v", r)
		}
	}()
	p := enmime.NewParser(
		enmime.SkipMalformedParts(true),
		enmime.MultipartWOBoundaryAsSinglePart(true),
		enmime.SetReadPartErrorPolicy(enmime.AllowCorruptTextPartErrorPolicy),
		enmime.MaxStoredPartErrors(8),
		enmime.RawContent(rawContent),
		enmime.DisableTextConversion(rawContent),
	)
	env, err = p.ReadEnvelope(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("read MIME structure: %w", err)
	}
	return env, nil
}

// salvage fills m from a message enmime could not read: the header if it can be
// read at all, and the rest as text.
func salvage(m *Message, raw []byte) {
	br := bufio.NewReader(bytes.NewReader(raw))
	h, flags, err := readHeaderBlock(br)
	m.addFlags(flags)
	if err != nil {
		m.flag("header-unreadable", err.Error(), true)
	}
	m.setHeader(h)
	rest, _ := io.ReadAll(br)
	if len(m.Header) == 0 {
		rest = raw
	}
	m.Text = cleanText(string(rest))
}

// readHeaderBlock reads one header block with enmime's tolerant reader.
func readHeaderBlock(br *bufio.Reader) (h textproto.MIMEHeader, flags []Flag, err error) {
	defer func() {
		if r := recover(); r != nil {
			h, err = nil, fmt.Errorf("header reader panicked: %v", r)
		}
	}()
	fc := &flagCollector{}
	h, err = enmime.ReadHeader(br, fc)
	if err != nil {
		err = fmt.Errorf("read header: %w", err)
	}
	return h, fc.flags, err
}

// flagCollector receives enmime's header warnings.
type flagCollector struct{ flags []Flag }

func (f *flagCollector) AddError(name, format string, args ...any) {
	if len(f.flags) < maxFlags {
		f.flags = append(f.flags, Flag{Code: flagCode(name), Detail: fmt.Sprintf(format, args...), Severe: true})
	}
}

func (f *flagCollector) AddWarning(name, format string, args ...any) {
	if len(f.flags) < maxFlags {
		f.flags = append(f.flags, Flag{Code: flagCode(name), Detail: fmt.Sprintf(format, args...)})
	}
}

func (m *Message) flag(code, detail string, severe bool) {
	if len(m.Flags) >= maxFlags {
		return
	}
	detail = cleanLine(detail, 300)
	for _, f := range m.Flags {
		if f.Code == code && f.Detail == detail {
			return
		}
	}
	m.Flags = append(m.Flags, Flag{Code: code, Detail: detail, Severe: severe})
}

func (m *Message) addFlags(fs []Flag) {
	for _, f := range fs {
		m.flag(f.Code, f.Detail, f.Severe)
	}
}

// HasFlag reports whether the message carries a flag with the given code.
func (m *Message) HasFlag(code string) bool {
	return slices.ContainsFunc(m.Flags, func(f Flag) bool { return f.Code == code })
}

func (m *Message) enmimeFlag(e *enmime.Error) {
	if e == nil {
		return
	}
	if e.Name == enmime.ErrorPlainTextFromHTML && !e.Severe {
		return // normal for HTML-only mail: recorded as TextFromHTML
	}
	m.flag(flagCode(e.Name), e.Detail, e.Severe)
}

// flagCode maps enmime's error names onto this package's stable flag codes.
func flagCode(name string) string {
	switch name {
	case enmime.ErrorMalformedHeader:
		return "header-malformed"
	case enmime.ErrorMissingBoundary:
		return "boundary-missing"
	case enmime.ErrorMissingContentType:
		return "content-type-missing"
	case enmime.ErrorCharsetConversion:
		return "charset-conversion"
	case enmime.ErrorContentEncoding:
		return "content-encoding"
	case enmime.ErrorPlainTextFromHTML:
		return "html-conversion"
	case enmime.ErrorCharsetDeclaration:
		return "charset-mismatch"
	case enmime.ErrorMalformedBase64:
		return "base64-malformed"
	case enmime.ErrorMalformedChildPart:
		return "part-malformed"
	case enmime.ErrorDataHasBoundary:
		return "data-has-boundary"
	}
	return "mime"
}

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

// setBody fills the text and HTML of m from env.
func (m *Message) setBody(env *enmime.Envelope) {
	m.Text = cleanText(env.Text)
	m.HTML = strings.ToValidUTF8(env.HTML, "\uFFFD")
	for _, e := range env.Errors {
		if e != nil && e.Name == enmime.ErrorPlainTextFromHTML {
			m.TextFromHTML = true
		}
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

// decodeWords decodes RFC 2047 encoded words, in any charset x/text knows.
// Undecodable input is returned as it is; bytes that are not UTF-8 are read as
// Windows-1252.
func decodeWords(s string) string {
	if strings.Contains(s, "=?") {
		d := mime.WordDecoder{CharsetReader: charsetReader}
		if out, err := d.DecodeHeader(s); err == nil {
			s = out
		}
	}
	return toUTF8(s)
}

func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	enc, err := lookupCharset(charset)
	if err != nil {
		return nil, err
	}
	return transform.NewReader(input, enc.NewDecoder()), nil
}

// lookupCharset finds a decoder for a MIME charset name. The WHATWG index comes
// first so that ISO-8859-1 is read as its superset Windows-1252, as mail
// clients do.
func lookupCharset(name string) (encoding.Encoding, error) {
	name = strings.Trim(strings.TrimSpace(name), `"'`)
	if enc, err := htmlindex.Get(name); err == nil && enc != nil {
		return enc, nil
	}
	if enc, err := ianaindex.MIME.Encoding(name); err == nil && enc != nil {
		return enc, nil
	}
	return nil, fmt.Errorf("unknown charset %q", name)
}

// decodeCharset converts b from the named charset to UTF-8.
func decodeCharset(charset string, b []byte) string {
	switch strings.ToLower(strings.TrimSpace(charset)) {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		return toUTF8(string(b))
	}
	enc, err := lookupCharset(charset)
	if err != nil {
		return toUTF8(string(b))
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return toUTF8(string(b))
	}
	return string(out)
}

// toUTF8 returns s unchanged when it is valid UTF-8, and otherwise reads it as
// Windows-1252, the usual charset of undeclared 8-bit text in mail.
func toUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	out, err := charmap.Windows1252.NewDecoder().String(s)
	if err != nil {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	return out
}

// cleanLine makes s a single line for display: control characters and runs of
// white space become one space. max > 0 shortens the result to max runes.
func cleanLine(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	space := false
	n := 0
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || isBidiControl(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
			n++
		}
		if max > 0 && n >= max {
			break
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// cleanText normalises a body: valid UTF-8, LF line ends, no NUL.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.ReplaceAll(s, "\x00", "")
}

func isBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200E || r == 0x200F || r == 0x061C
}

// SanitizeName makes a file name from a message safe to show: it removes
// control, format and bidirectional-override characters, replaces path
// separators, and shortens very long names keeping the extension. The result
// is for display only and must never be used as a path.
func SanitizeName(name string) string {
	name = strings.ToValidUTF8(name, "\uFFFD")
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == '/' || r == '\\':
			b.WriteByte('_')
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || isBidiControl(r):
			// dropped
		default:
			b.WriteRune(r)
		}
	}
	s := strings.Join(strings.Fields(b.String()), " ")
	if strings.Trim(s, ".") == "" {
		return strings.Repeat("_", len(s))
	}
	if utf8.RuneCountInString(s) > maxNameRunes {
		ext := path.Ext(s)
		if utf8.RuneCountInString(ext) > 16 {
			ext = ""
		}
		r := []rune(strings.TrimSuffix(s, ext))
		s = string(r[:maxNameRunes-utf8.RuneCountInString(ext)]) + ext
	}
	return s
}

// collector gathers the files of one message level.
type collector struct {
	m        *Message
	raw      []byte // this level's raw bytes, for re-reading text files undecoded
	depth    int
	idPrefix string
	rawParts map[string]*enmime.Part // lazily: the same tree read without charset conversion
	rawTried bool
	tnefBody string
}

// collect lists every file of env in depth-first order. The body parts (text
// and HTML without a file name) are not files.
func (c *collector) collect(env *enmime.Envelope) {
	att := partSet(env.Attachments)
	inl := partSet(env.Inlines)
	oth := partSet(env.OtherParts)
	parts := env.Root.DepthMatchAll(func(*enmime.Part) bool { return true })
	for _, p := range parts {
		if p.FirstChild != nil || strings.HasPrefix(p.ContentType, "multipart/") {
			continue
		}
		name := partFileName(p)
		var src Source
		switch {
		case att[p]:
			src = SourceAttachment
		case inl[p]:
			src = SourceInline
		case oth[p]:
			src = SourceOther
		case name != "" && p != env.Root:
			src = SourceOther // a text part with a name but no disposition
		default:
			continue
		}
		if isBodyPart(p, name) {
			continue
		}
		c.add(p, name, src)
	}
}

func partSet(ps []*enmime.Part) map[*enmime.Part]bool {
	s := make(map[*enmime.Part]bool, len(ps))
	for _, p := range ps {
		s[p] = true
	}
	return s
}

// isBodyPart reports whether p is message text rather than a file: text/plain
// or text/html with no file name that is not explicitly an attachment.
func isBodyPart(p *enmime.Part, name string) bool {
	switch p.ContentType {
	case "", "text/plain", "text/html":
		return name == "" && !strings.EqualFold(p.Disposition, "attachment")
	}
	return false
}

// add records part p as a file, and descends into embedded messages and TNEF.
func (c *collector) add(p *enmime.Part, name string, src Source) {
	ctype := strings.ToLower(p.ContentType)
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	data := p.Content
	if strings.HasPrefix(ctype, "text/") {
		data = c.undecodedText(p)
	}
	isMsg := ctype == "message/rfc822" || ctype == "message/global"
	if isMsg {
		src = SourceRFC822
	}
	a := Attachment{
		Parent:      -1,
		Source:      src,
		PartID:      c.idPrefix + p.PartID,
		ContentType: ctype,
	}
	var inner *Message
	if isMsg {
		if c.depth+1 >= maxNesting {
			c.m.flag("nesting-too-deep", fmt.Sprintf("embedded message at part %s not parsed: more than %d levels", a.PartID, maxNesting), false)
		} else {
			inner = parseLevel(data, c.depth+1, a.PartID+"/")
		}
		a.Name = emlName(name, inner)
		a.Message = inner
	} else {
		a.Name = SanitizeName(name)
		if a.Name == "" {
			a.Name = defaultName(ctype, a.PartID)
		}
	}
	idx := c.m.addFile(a, data)

	switch {
	case inner != nil:
		offset := len(c.m.Attachments)
		for _, ia := range inner.Attachments {
			if ia.Parent < 0 {
				ia.Parent = idx
			} else {
				ia.Parent += offset
			}
			c.m.addFile(ia, ia.Data)
		}
		inner.Attachments = nil
		for _, f := range inner.Flags {
			if f.Severe || f.Code == "nesting-too-deep" {
				c.m.flag(f.Code, "in embedded message "+a.PartID+": "+f.Detail, f.Severe)
			}
		}
	case isTNEF(ctype, name):
		c.addTNEF(idx, data, a.PartID)
	}
}

// addFile appends a to m.Attachments with its index, size and hash set, and
// returns its index.
func (m *Message) addFile(a Attachment, data []byte) int {
	sum := sha256.Sum256(data)
	a.Index = len(m.Attachments)
	a.Data = data
	a.Size = len(data)
	a.SHA256 = hex.EncodeToString(sum[:])
	m.Attachments = append(m.Attachments, a)
	return a.Index
}

// undecodedText returns the bytes of a text part as they were sent (transfer
// encoding removed, charset untouched), so that a CSV hashes the same as the
// file that was attached. enmime converts text parts to UTF-8; the part is read
// again without that.
func (c *collector) undecodedText(p *enmime.Part) []byte {
	if !c.rawTried {
		c.rawTried = true
		if env, err := readEnvelope(c.raw, true); err == nil {
			c.rawParts = map[string]*enmime.Part{}
			for _, rp := range env.Root.DepthMatchAll(func(*enmime.Part) bool { return true }) {
				c.rawParts[rp.PartID] = rp
			}
		}
	}
	rp, ok := c.rawParts[p.PartID]
	if !ok || rp.ContentType != p.ContentType {
		return p.Content
	}
	cte := strings.ToLower(strings.TrimSpace(headerGet(rp.Header, "Content-Transfer-Encoding")))
	switch cte {
	case "base64":
		clean := bytes.Map(func(r rune) rune {
			if r < 128 && (r == '+' || r == '/' || r == '=' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
				return r
			}
			return -1
		}, rp.Content)
		out, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, bytes.NewReader(padBase64(clean))))
		if err != nil && len(out) == 0 {
			return p.Content
		}
		return out
	case "quoted-printable":
		out, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(rp.Content)))
		if err != nil && len(out) == 0 {
			return p.Content
		}
		return out
	}
	return rp.Content
}

func padBase64(b []byte) []byte {
	b = bytes.TrimRight(b, "=")
	if r := len(b) % 4; r != 0 {
		if r == 1 {
			b = b[:len(b)-1]
		} else {
			b = append(b, bytes.Repeat([]byte{'='}, 4-r)...)
		}
	}
	return b
}

// emlName names an embedded message: its own file name, else its subject.
func emlName(name string, inner *Message) string {
	n := SanitizeName(name)
	if n == "" && inner != nil {
		n = SanitizeName(cleanLine(inner.Subject, 80))
	}
	if n == "" {
		n = "message"
	}
	if !strings.EqualFold(path.Ext(n), ".eml") {
		n += ".eml"
	}
	return n
}

// defaultName makes a display name for a file part that has none.
func defaultName(ctype, partID string) string {
	switch ctype {
	case "message/delivery-status", "message/global-delivery-status":
		return "delivery-status.txt"
	case "text/rfc822-headers", "message/rfc822-headers", "message/global-headers":
		return "returned-headers.txt"
	case "message/disposition-notification":
		return "disposition-notification.txt"
	}
	id := strings.NewReplacer("/", "-", ".", "-").Replace(partID)
	return "part-" + id + extensionFor(ctype)
}

// extensions maps common content types to a file extension and back. It is
// fixed here rather than read from the system's mime.types so that results do
// not depend on the machine.
var extensions = []struct{ ext, ctype string }{
	{".pdf", "application/pdf"},
	{".csv", "text/csv"},
	{".txt", "text/plain"},
	{".html", "text/html"},
	{".htm", "text/html"},
	{".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	{".xls", "application/vnd.ms-excel"},
	{".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
	{".doc", "application/msword"},
	{".pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
	{".odt", "application/vnd.oasis.opendocument.text"},
	{".ods", "application/vnd.oasis.opendocument.spreadsheet"},
	{".rtf", "application/rtf"},
	{".zip", "application/zip"},
	{".png", "image/png"},
	{".jpg", "image/jpeg"},
	{".jpeg", "image/jpeg"},
	{".gif", "image/gif"},
	{".eml", "message/rfc822"},
	{".msg", "application/vnd.ms-outlook"},
	{".ics", "text/calendar"},
	{".dat", "application/ms-tnef"},
}

func extensionFor(ctype string) string {
	for _, e := range extensions {
		if e.ctype == ctype {
			return e.ext
		}
	}
	return ".bin"
}

func contentTypeFor(name string) string {
	ext := strings.ToLower(path.Ext(name))
	for _, e := range extensions {
		if e.ext == ext {
			return e.ctype
		}
	}
	return "application/octet-stream"
}

// partFileName decodes the file name of p: RFC 2231 parameters (with any
// charset and continuations) from Content-Disposition, then Content-Type, then
// enmime's own reading, each RFC 2047 decoded.
func partFileName(p *enmime.Part) string {
	if n := paramValue(headerGet(p.Header, "Content-Disposition"), "filename"); n != "" {
		return n
	}
	if n := paramValue(headerGet(p.Header, "Content-Type"), "name"); n != "" {
		return n
	}
	return decodeWords(p.FileName)
}

// paramValue returns the decoded value of parameter key in a header value such
// as `attachment; filename*0*=utf-8'en'a%20b; filename*1=".pdf"`. Extended (RFC
// 2231) forms win over the plain one.
func paramValue(header, key string) string {
	params := splitParams(header)
	var plain string
	var ext string
	type segment struct {
		n       int
		value   string
		encoded bool
	}
	var segs []segment
	for _, kv := range params {
		k := kv[0]
		switch {
		case k == key:
			if plain == "" {
				plain = kv[1]
			}
		case k == key+"*":
			ext = kv[1]
		case strings.HasPrefix(k, key+"*"):
			rest := strings.TrimPrefix(k, key+"*")
			enc := strings.HasSuffix(rest, "*")
			n, err := strconv.Atoi(strings.TrimSuffix(rest, "*"))
			if err != nil || n < 0 || n > 100 {
				continue
			}
			segs = append(segs, segment{n, kv[1], enc})
		}
	}
	if ext != "" {
		charset, value := splitExtValue(ext)
		return decodeCharset(charset, percentDecode(value))
	}
	if len(segs) > 0 {
		slices.SortStableFunc(segs, func(a, b segment) int { return a.n - b.n })
		var buf []byte
		charset := ""
		for i, s := range segs {
			v := s.value
			if s.encoded {
				if i == 0 {
					charset, v = splitExtValue(v)
				}
				buf = append(buf, percentDecode(v)...)
			} else {
				buf = append(buf, v...)
			}
		}
		return decodeCharset(charset, buf)
	}
	return decodeWords(plain)
}

// splitExtValue splits an RFC 2231 value charset'language'text.
func splitExtValue(v string) (charset, text string) {
	parts := strings.SplitN(v, "'", 3)
	if len(parts) != 3 {
		return "", v
	}
	return parts[0], parts[2]
}

func percentDecode(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if b, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				out = append(out, byte(b))
				i += 2
				continue
			}
		}
		out = append(out, s[i])
	}
	return out
}

// splitParams splits the parameters of a structured header value into
// lower-case name and unquoted value pairs. It is deliberately forgiving:
// missing quotes, stray spaces and unterminated strings are accepted.
func splitParams(v string) [][2]string {
	i := strings.IndexByte(v, ';')
	if i < 0 {
		return nil
	}
	s := v[i+1:]
	var out [][2]string
	for len(s) > 0 {
		s = strings.TrimLeft(s, " \t\r\n;")
		if s == "" {
			break
		}
		eq := strings.IndexAny(s, "=;")
		if eq < 0 || s[eq] == ';' {
			if eq < 0 {
				break
			}
			s = s[eq:]
			continue
		}
		name := strings.ToLower(strings.TrimSpace(s[:eq]))
		s = strings.TrimLeft(s[eq+1:], " \t\r\n")
		var val string
		if strings.HasPrefix(s, `"`) {
			var b strings.Builder
			j := 1
			for ; j < len(s); j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
					b.WriteByte(s[j])
					continue
				}
				if s[j] == '"' {
					break
				}
				b.WriteByte(s[j])
			}
			val = b.String()
			if j < len(s) {
				j++
			}
			s = s[j:]
			if k := strings.IndexByte(s, ';'); k >= 0 {
				s = s[k:]
			} else {
				s = ""
			}
		} else {
			k := strings.IndexByte(s, ';')
			if k < 0 {
				k = len(s)
			}
			val = strings.TrimSpace(s[:k])
			s = s[k:]
		}
		out = append(out, [2]string{name, val})
	}
	return out
}

// TNEF (winmail.dat) support. The decoder used trusts its input, so the
// attribute stream is checked here first and any panic is recovered.

func isTNEF(ctype, name string) bool {
	return ctype == "application/ms-tnef" || ctype == "application/vnd.ms-tnef" ||
		strings.EqualFold(name, "winmail.dat")
}

// addTNEF lists the files inside the winmail.dat at index parent.
func (c *collector) addTNEF(parent int, data []byte, partID string) {
	files, body, err := decodeTNEF(data)
	if err != nil {
		c.m.flag("tnef-malformed", fmt.Sprintf("winmail.dat at part %s: %v", partID, err), false)
		return
	}
	for i, f := range files {
		name := SanitizeName(toUTF8(f.Title))
		if name == "" {
			name = fmt.Sprintf("tnef-file-%d.bin", i+1)
		}
		c.m.addFile(Attachment{
			Parent:      parent,
			Source:      SourceTNEF,
			PartID:      fmt.Sprintf("%s/tnef.%d", partID, i+1),
			Name:        name,
			ContentType: contentTypeFor(name),
		}, f.Data)
	}
	if c.tnefBody == "" && len(body) > 0 {
		c.tnefBody = cleanText(toUTF8(string(bytes.TrimRight(body, "\x00"))))
	}
}

const (
	tnefSignature      = 0x223e9f78
	tnefAttachRendData = 0x9002
	tnefMAPIProps      = 0x9003
	tnefLevelAttach    = 2
	tnefMaxMAPISteps   = 1 << 16
)

// decodeTNEF returns the files and the plain body in a TNEF stream.
func decodeTNEF(data []byte) (files []*tnef.Attachment, body []byte, err error) {
	if err := checkTNEF(data); err != nil {
		return nil, nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			files, body, err = nil, nil, fmt.Errorf("decoder panicked: %v", r)
		}
	}()
	d, err := tnef.Decode(data)
	if err != nil {
		return nil, nil, fmt.Errorf("decode: %w", err)
	}
	for _, a := range d.Attachments {
		if a != nil && (a.Title != "" || len(a.Data) > 0) {
			files = append(files, a)
		}
	}
	return files, d.Body, nil
}

// checkTNEF walks the attribute stream the way the decoder will and rejects
// anything that would make it read out of bounds or loop for long.
func checkTNEF(b []byte) error {
	if len(b) < 6 {
		return errors.New("too short")
	}
	if le(b[0:4]) != tnefSignature {
		return errors.New("no TNEF signature")
	}
	inAttachment := false
	for off := 6; off < len(b); {
		if len(b)-off < 11 {
			return fmt.Errorf("truncated attribute at byte %d", off)
		}
		level := int(b[off])
		id := le(b[off+1 : off+3])
		n := le(b[off+5 : off+9])
		if n > len(b)-off-11 {
			return fmt.Errorf("attribute at byte %d longer than the stream", off)
		}
		data := b[off+9 : off+9+n]
		switch {
		case id == tnefAttachRendData:
			inAttachment = true
		case level == tnefLevelAttach:
			if !inAttachment {
				return fmt.Errorf("attachment attribute at byte %d before any attachment", off)
			}
		case id == tnefMAPIProps:
			if err := checkMAPI(data); err != nil {
				return fmt.Errorf("MAPI properties at byte %d: %w", off, err)
			}
		}
		off += 11 + n
	}
	return nil
}

// checkMAPI mirrors the decoder's walk over a MAPI property block.
func checkMAPI(b []byte) error {
	if len(b) < 4 {
		return errors.New("too short")
	}
	count := le(b[0:4])
	off := 4
	steps := 0
	need := func(n int) bool { return n >= 0 && off+n <= len(b) }
	for i := 0; i < count; i++ {
		if off >= len(b) {
			if count-i > tnefMaxMAPISteps {
				return errors.New("property count too large")
			}
			return nil
		}
		if !need(4) {
			return errors.New("truncated property")
		}
		typ := le(b[off : off+2])
		name := le(b[off+2 : off+4])
		off += 4
		multi := typ&0x1000 != 0
		typ &^= 0x1000
		size := mapiTypeSize(typ)
		if size < 0 {
			multi = true
		}
		if name >= 0x8000 && name <= 0xfffe {
			if !need(20) {
				return errors.New("truncated named property")
			}
			kind := le(b[off+16 : off+20])
			off += 20
			switch kind {
			case 0:
				if !need(4) {
					return errors.New("truncated named property")
				}
				off += 4
			case 1:
				if !need(4) {
					return errors.New("truncated named property")
				}
				l := le(b[off : off+4])
				off += 4
				if !need(l) {
					return errors.New("named property longer than block")
				}
				off += l + (-l & 3)
			}
		}
		values := 1
		if multi {
			if !need(4) {
				return errors.New("truncated value count")
			}
			values = le(b[off : off+4])
			off += 4
		}
		if values > len(b) {
			return errors.New("value count too large")
		}
		for range values {
			steps++
			if steps > tnefMaxMAPISteps {
				return errors.New("too many values")
			}
			l := size
			if size < 0 {
				if !need(4) {
					return errors.New("truncated value length")
				}
				l = le(b[off : off+4])
				off += 4
			}
			if !need(l) {
				return errors.New("value longer than block")
			}
			off += l + (-l & 3)
		}
	}
	return nil
}

func mapiTypeSize(t int) int {
	switch t {
	case 0x0002, 0x000b:
		return 2
	case 0x0003, 0x0004, 0x000a:
		return 4
	case 0x0005, 0x0006, 0x0007, 0x0014, 0x0040:
		return 8
	case 0x0048:
		return 16
	case 0x001e, 0x001f, 0x000d, 0x0102:
		return -1
	}
	return 0
}

// le reads a little-endian unsigned integer of up to 4 bytes.
func le(b []byte) int {
	n := 0
	for i := len(b) - 1; i >= 0; i-- {
		n = n<<8 | int(b[i])
	}
	return n
}

func bufioReader(b []byte) *bufio.Reader {
	return bufio.NewReader(bytes.NewReader(b))
}
