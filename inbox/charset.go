// Charsets: RFC 2047 encoded words, MIME charset names and conversion to
// UTF-8 (undeclared 8-bit text is read as Windows-1252).

package inbox

import (
	"fmt"
	"io"
	"mime"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/transform"
)

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
