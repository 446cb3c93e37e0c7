// The entry points, Parse and ParseHeader, and the walk over one message
// level. Parse reads a message in these steps:
//
//  1. skipMboxLine drops a leading mbox "From " line; input with nothing
//     else in it is flagged "empty" and returned.
//  2. countParts (partcount.go) counts the MIME parts with a cheap line scan;
//     a message with more than maxParts is not given to enmime whole: it is
//     flagged "too-many-parts", its header and the text of its first parts
//     are read, and no file is listed (the raw message is kept by the caller).
//  3. readEnvelope runs enmime over the bytes with its tolerant options
//     (readEnvelopeFast, parse_elide.go, decodes long base64 files itself),
//     turning a panic into an error. When enmime cannot read the structure
//     at all, salvage reads the header block alone and keeps the rest as
//     text.
//  4. setHeader (headers.go) decodes the header fields: message IDs,
//     addresses, the subject (RFC 2047 and charsets, charset.go) and the
//     date. setBody takes the text and HTML bodies, and enmime's complaints
//     become Flags (flags.go).
//  5. A collector (attachments.go) lists every file in the part tree, depth
//     first, at most maxFiles, named from their RFC 2231 parameters
//     (params.go). An embedded message/rfc822 is parsed again by parseLevel,
//     up to maxNesting levels, sharing the budget of maxParts, and its files
//     follow it; the files inside a winmail.dat are decoded (tnef.go) and
//     follow it.
//  6. When the message has no text but a winmail.dat carried one, that text
//     becomes the body.
//  7. Files uuencoded inside the body text (uuencode.go) are decoded and
//     listed after the others; the text keeps a note where each was.
//
// ParseHeader does step 4 alone, from at most maxHeaderBytes of header.

package inbox

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/textproto"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/jhillyerd/enmime/v2"
	"github.com/jhillyerd/enmime/v2/mediatype"
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
	// maxParts bounds the MIME parts of a message that are parsed, counted
	// before enmime sees it (partcount.go). A message with more is kept raw
	// and flagged "too-many-parts": its header and the text of its first
	// parts are read, and no file is listed.
	maxParts = 1000
	// maxFiles bounds the files listed for one message, embedded messages
	// and winmail.dat contents included; the rest are flagged
	// "too-many-files" and left in the raw message.
	maxFiles = 1000
)

// Parse reads a complete RFC 5322 message. It never panics and never gives up
// on a damaged message: what cannot be read is recorded in Message.Flags and the
// rest is returned. The returned Message is never nil; err is non-nil only when
// the input is not recognisable as mail (see ErrNotMail).
func Parse(raw []byte) (*Message, error) {
	parts := maxParts
	m := parseLevel(raw, 0, "", &parts)
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
// prepended to the part IDs of its files. parts is what is left of the
// message's budget of MIME parts, shared with the messages embedded in it.
func parseLevel(raw []byte, depth int, idPrefix string, parts *int) *Message {
	m := &Message{}
	raw = skipMboxLine(raw)
	if len(bytes.TrimSpace(raw)) == 0 {
		m.flag("empty", "message has no content", true)
		return m
	}
	scan := countParts(raw, *parts)
	if scan.over {
		m.flag("too-many-parts", fmt.Sprintf("more than %d MIME parts: kept raw; only the header and the first parts' text were read, no files listed", maxParts), true)
		readPrefix(m, raw, scan)
		return m
	}
	*parts -= scan.parts
	env, reread, err := readEnvelopeFast(raw)
	if err != nil {
		m.flag("mime-unreadable", err.Error(), true)
		salvage(m, raw)
		m.extractUU(idPrefix)
		return m
	}
	m.setHeader(env.Root.Header)
	m.setBody(env)
	falseAlarms := falseCharsetAlarms(env.Root)
	for _, e := range env.Errors {
		if !falseAlarms[e] {
			m.enmimeFlag(e)
		}
	}
	c := collector{m: m, raw: reread, depth: depth, idPrefix: idPrefix, parts: parts}
	c.collect(env)
	if strings.TrimSpace(m.Text) == "" && c.tnefBody != "" {
		m.Text = c.tnefBody
	}
	m.extractUU(idPrefix)
	return m
}

// readPrefix fills m from a message with too many parts: the header, and the
// body text of its first prefixParts parts, parsed as a message that ends
// there. Its files are not listed.
func readPrefix(m *Message, raw []byte, scan partScan) {
	var env *enmime.Envelope
	err := errors.New("no short prefix")
	if scan.cut > 0 {
		prefix := append(raw[:scan.cut:scan.cut], "--"+scan.cutBoundary+"--\r\n"...)
		env, err = readEnvelope(prefix, false)
	}
	if err != nil {
		h, flags, err := readHeaderBlock(bufioReader(raw))
		m.addFlags(flags)
		if err != nil {
			m.flag("header-unreadable", err.Error(), true)
		}
		m.setHeader(h)
		return
	}
	m.setHeader(env.Root.Header)
	m.setBody(env)
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
//
// enmime guesses the charset of every text part, declared or not, with
// chardet, which cost a quarter of a sync's CPU (issue 12). The guess can
// only change what a part reads as when its text is not what its
// declaration makes of it, so the message is read first with the guess
// turned off for declared parts, and read again only when one of them is
// not plainly right (toGuess). In the first reading a text part that
// declares no charset (an attached CSV, often) is taken to be UTF-8, and so
// checked like the rest: if its bytes are UTF-8 they are read as UTF-8,
// which is what a guess over bytes that are valid UTF-8 finds (and plain
// ASCII reads alike in every guess). HTML without a charset is left to
// enmime, which looks for one in the page.
//
// When only parts that declare no charset need the guess, the second
// reading guesses for those alone (by their Content-Type, which enmime
// hands to the media type parser); when a declared part does, the message
// is read again with the guess for every part, as enmime always read it,
// so that a declaration the bytes contradict is still reported.
func readEnvelope(raw []byte, rawContent bool) (*enmime.Envelope, error) {
	if rawContent {
		return readEnvelopeWith(raw, true, false, nil)
	}
	env, err := readEnvelopeWith(raw, false, false, nil)
	if err != nil {
		return env, err
	}
	guess, all := toGuess(env.Root)
	switch {
	case all:
		return readEnvelopeWith(raw, false, true, nil)
	case len(guess) > 0:
		return readEnvelopeWith(raw, false, false, guess)
	}
	return env, nil
}

// readEnvelopeWith reads raw with enmime: as sent (rawContent), with a
// guess of every text part's charset (detect), or else with a guess only
// for the parts that declare none and whose Content-Type is in guess, the
// other text parts that declare none taken to be UTF-8.
func readEnvelopeWith(raw []byte, rawContent, detect bool, guess map[string]bool) (env *enmime.Envelope, err error) {
	defer func() {
		if r := recover(); r != nil {
			env, err = nil, fmt.Errorf("mime parser panicked: %v", r)
		}
	}()
	opts := []enmime.Option{
		enmime.SkipMalformedParts(true),
		enmime.MultipartWOBoundaryAsSinglePart(true),
		enmime.SetReadPartErrorPolicy(enmime.AllowCorruptTextPartErrorPolicy),
		enmime.MaxStoredPartErrors(8),
		enmime.RawContent(rawContent),
		enmime.DisableTextConversion(rawContent),
		enmime.DisableCharacterDetection(!detect),
	}
	if !detect && !rawContent {
		// enmime parses each media type two or three times in a
		// reading (the part's, then to tell text from files); the
		// parse is kept for the reading, its parameters copied out.
		type parsedType struct {
			mtype   string
			params  map[string]string
			invalid []string
			err     error
		}
		seen := map[string]parsedType{}
		opts = append(opts, enmime.SetCustomParseMediaType(func(ctype string) (string, map[string]string, []string, error) {
			t, ok := seen[ctype]
			if !ok {
				t.mtype, t.params, t.invalid, t.err = assumeUTF8(ctype, guess)
				seen[ctype] = t
			}
			return t.mtype, maps.Clone(t.params), slices.Clone(t.invalid), t.err
		}))
	}
	p := enmime.NewParser(opts...)
	env, err = p.ReadEnvelope(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("read MIME structure: %w", err)
	}
	return env, nil
}

// assumeUTF8 parses a media type as enmime does, and gives a text type
// other than HTML that names no charset the charset UTF-8, unless the
// Content-Type is one to guess.
func assumeUTF8(ctype string, guess map[string]bool) (string, map[string]string, []string, error) {
	mtype, params, invalid, err := mediatype.Parse(ctype)
	if err == nil && strings.HasPrefix(mtype, "text/") && mtype != "text/html" && params["charset"] == "" && !guess[ctype] {
		if params == nil {
			params = map[string]string{}
		}
		params["charset"] = "utf-8"
	}
	return mtype, params, invalid, err
}

// toGuess lists the text parts, read without enmime's guess, that might
// read otherwise with it: one declared (or taken to be) UTF-8 whose bytes
// are not UTF-8 or hold an escape (the 7-bit ISO-2022 charsets are valid
// UTF-8 but for their escapes), or one declared otherwise whose text is not
// plain ASCII. A UTF-8 declaration borne out by valid UTF-8 is kept: bytes
// that are not UTF-8 seldom pass for it, and chardet, given a short text
// with a few accented letters, may call it Windows-1252 and garble it. An
// all-ASCII text reads the same in every charset mail uses.
//
// It returns the Content-Types of those that declare no charset, and all
// set when one of them declares a charset or has no Content-Type of its
// own (then every part is guessed).
func toGuess(root *enmime.Part) (guess map[string]bool, all bool) {
	for _, p := range root.DepthMatchAll(func(p *enmime.Part) bool {
		return p.Charset != "" && strings.HasPrefix(p.ContentType, "text/")
	}) {
		if !needsGuess(p) {
			continue
		}
		ctype := headerGet(p.Header, "Content-Type")
		if ctype == "" {
			return nil, true
		}
		if _, params, _, err := mediatype.Parse(ctype); err != nil || params["charset"] != "" {
			return nil, true
		}
		if guess == nil {
			guess = map[string]bool{}
		}
		guess[ctype] = true
	}
	return guess, false
}

func needsGuess(p *enmime.Part) bool {
	if strings.EqualFold(p.Charset, "utf-8") {
		return !utf8.Valid(p.Content) || bytes.IndexByte(p.Content, 0x1b) >= 0
	}
	for _, b := range p.Content {
		if b >= 0x80 || b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f' {
			return true
		}
	}
	return false
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

func bufioReader(b []byte) *bufio.Reader {
	return bufio.NewReader(bytes.NewReader(b))
}
