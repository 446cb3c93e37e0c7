// Charsets: RFC 2047 encoded words, MIME charset names and conversion to
// UTF-8 (undeclared 8-bit text is read as Windows-1252).

package inbox

import (
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jhillyerd/enmime/v2"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
)

// decodeWords decodes RFC 2047 encoded words ("=?UTF-8?Q?M=C3=BCller?="), in
// any charset x/text knows, for display. It is lenient where mailers are
// broken, as names in the wild are:
//
//   - words longer than RFC 2047's 75 characters, words inside quoted
//     strings and parameter values, and words glued to plain text
//     ("=?utf-8?Q?R=C3=A9ponse?=.pdf") are decoded;
//   - the white space between two adjacent encoded words is dropped (RFC
//     2047 section 6.2), and adjacent words in the same charset are joined
//     before conversion, so a character split across two words (as
//     over-long names folded by a mailer are) comes out whole;
//   - Q text with literal spaces or stray "=", and B text with missing
//     padding, line breaks or junk, are decoded as far as they go; a word
//     left unterminated at the end of the value is decoded to the end.
//
// Unknown charsets leave the bytes read as UTF-8 or Windows-1252. Text that
// is not an encoded word is returned as it is; bytes that are not UTF-8 are
// read as Windows-1252.
func decodeWords(s string) string {
	if !strings.Contains(s, "=?") {
		return toUTF8(s)
	}
	var out strings.Builder
	var pendCharset string
	var pend []byte
	flush := func() {
		if pend != nil {
			out.WriteString(decodeCharset(pendCharset, pend))
			pend, pendCharset = nil, ""
		}
	}
	// Past the last "?=" no word can end, and only the last "=?" can start
	// one left unterminated: text between is copied in one go.
	lastClose, lastOpen := strings.LastIndex(s, "?="), strings.LastIndex(s, "=?")
	rest := s
	for rest != "" {
		i := strings.Index(rest, "=?")
		if i < 0 {
			flush()
			out.WriteString(toUTF8(rest))
			break
		}
		if abs := len(s) - len(rest) + i; abs > lastClose && abs < lastOpen {
			flush()
			cut := lastOpen - (len(s) - len(rest))
			out.WriteString(toUTF8(rest[:cut]))
			rest = rest[cut:]
			continue
		}
		charset, raw, n, ok := encodedWord(rest[i:])
		if !ok {
			flush()
			out.WriteString(toUTF8(rest[:i+2]))
			rest = rest[i+2:]
			continue
		}
		between := rest[:i]
		if pend != nil && strings.TrimSpace(between) == "" {
			between = "" // white space between encoded words is not text
		}
		if between != "" {
			flush()
			out.WriteString(toUTF8(between))
		}
		if pend != nil && !strings.EqualFold(pendCharset, charset) {
			flush()
		}
		if pend == nil {
			pend, pendCharset = []byte{}, charset
		}
		pend = append(pend, raw...)
		rest = rest[i+n:]
	}
	flush()
	return out.String()
}

// maxWordLen bounds the length of one encoded word that is decoded.
const maxWordLen = 4096

// encodedWord reads one encoded word at the start of s ("=?cs?Q?text?="),
// returning its charset (without an RFC 2231 language suffix), its decoded
// bytes and its length in s.
func encodedWord(s string) (charset string, data []byte, n int, ok bool) {
	if !strings.HasPrefix(s, "=?") {
		return "", nil, 0, false
	}
	q1 := strings.IndexByte(s[2:], '?')
	if q1 <= 0 || q1 > 64 {
		return "", nil, 0, false
	}
	charset = s[2 : 2+q1]
	if strings.ContainsAny(charset, " \t\r\n\"=") {
		return "", nil, 0, false
	}
	if i := strings.IndexByte(charset, '*'); i >= 0 {
		charset = charset[:i]
	}
	p := 2 + q1 + 1
	if p+1 >= len(s) || s[p+1] != '?' {
		return "", nil, 0, false
	}
	enc := s[p] | 0x20
	if enc != 'q' && enc != 'b' {
		return "", nil, 0, false
	}
	body := s[p+2:]
	// Encoded text holds no "?" (RFC 2047 section 2): the first "?" ends
	// the word, as "?=", or there is no word. So the end is found at the
	// next "?", and text full of word starts costs linear time.
	q := strings.IndexByte(body, '?')
	switch {
	case q >= 0 && q+1 < len(body) && body[q+1] == '=':
		n = p + 2 + q + 2
		body = body[:q]
	case q >= 0:
		return "", nil, 0, false
	default:
		// Unterminated at the end of the value: decode to the end.
		n = len(s)
	}
	if len(body) > maxWordLen {
		return "", nil, 0, false
	}
	if enc == 'b' {
		data = decodeB(body)
	} else {
		data = decodeQ(body)
	}
	return charset, data, n, true
}

// decodeQ decodes RFC 2047 "Q" text: "_" is a space, "=XX" a byte; anything
// else, a stray "=" included, is taken as it is.
func decodeQ(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '_':
			out = append(out, ' ')
		case c == '=' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			out = append(out, c)
		}
	}
	return out
}

// decodeB decodes RFC 2047 "B" text, skipping characters that are not
// base64 and tolerating missing padding.
func decodeB(s string) []byte {
	clean := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' {
			clean = append(clean, c)
		}
	}
	if r := len(clean) % 4; r == 1 {
		clean = clean[:len(clean)-1]
	}
	out, _ := base64.RawStdEncoding.DecodeString(string(clean))
	return out
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
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

// falseCharsetAlarms are the charset-declaration warnings of enmime that
// are no mismatch (issue 14, finding 8): enmime guesses each text part's
// charset and warns whenever its guess differs from the declaration, so a
// plain UTF-8 or US-ASCII reply whose text is all ASCII is "detected" as
// ISO-8859-1. A warning is a false alarm when
//
//  1. the part's text is all ASCII: every charset mail uses reads those
//     bytes alike, so the declaration cannot be wrong; or
//  2. ISO-8859-1 was declared and Windows-1252 found: the WHATWG Encoding
//     Standard reads the label iso-8859-1 as windows-1252, as mail readers
//     do (https://encoding.spec.whatwg.org/#names-and-labels).
//
// It returns them by identity, for the caller to leave out of the flags.
func falseCharsetAlarms(root *enmime.Part) map[*enmime.Error]bool {
	out := map[*enmime.Error]bool{}
	var walk func(p *enmime.Part)
	walk = func(p *enmime.Part) {
		for ; p != nil; p = p.NextSibling {
			for _, e := range p.Errors {
				if e != nil && e.Name == enmime.ErrorCharsetDeclaration && sameText(p) {
					out[e] = true
				}
			}
			walk(p.FirstChild)
		}
	}
	walk(root)
	return out
}

// sameText reports whether the part's declared and detected charsets read
// its text alike (falseCharsetAlarms).
func sameText(p *enmime.Part) bool {
	ascii := true
	for _, b := range p.Content {
		if b >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return true
	}
	declared, detected := strings.ToLower(p.OrigCharset), strings.ToLower(p.Charset)
	latin1 := declared == "iso-8859-1" || declared == "latin1" || declared == "iso8859-1"
	return latin1 && detected == "windows-1252"
}
