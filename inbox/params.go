// Header parameters: splitting structured header values into parameters and
// decoding RFC 2231 values (charsets, percent-encoding, continuations).

package inbox

import (
	"slices"
	"strconv"
	"strings"
)

// paramValue returns the decoded value of parameter key in a header value such
// as `attachment; filename*0*=utf-8'en'a%20b; filename*1=".pdf"`. Extended (RFC
// 2231) forms win over the plain one. RFC 2047 encoded words found in any
// form are decoded too, after the continuations are joined, because mailers
// put them there and split them across segments
// (`filename*0="=?UTF-8?Q?Antwort=5F"; filename*1="LXP7.pdf?="`); the value
// is for display only.
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
		return decodeWords(decodeCharset(charset, percentDecode(value)))
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
		return decodeWords(decodeCharset(charset, buf))
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
