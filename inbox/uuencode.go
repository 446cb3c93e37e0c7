// Uuencoded files inside a text body, as old mail gateways (and some
// case-management systems) still send them: a "begin 644 name" line, lines
// of encoded data, a zero-length line and "end". The format is the one
// POSIX specifies for uuencode/uudecode (the historical algorithm, and
// "begin-base64" for -m).
//
// Each well-formed block becomes a file (SourceUUEncode) and is replaced in
// the text by a one-line note naming it, so the letter around it reads as
// it was written. A block that cannot be decoded is left in the text and
// flagged "uuencode-malformed"; a block without its "end" line is decoded as
// far as it goes and flagged. Neither stops parsing.

package inbox

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"path"
	"regexp"
	"strings"
)

// uuBegin matches the first line of a block: the mode (octal) and the name.
var uuBegin = regexp.MustCompile(`^begin(-base64)? +([0-7]{3,4}) +(\S.*?)\s*$`)

// maxUUBytes bounds the decoded size of all the uuencoded files of one
// message (the message itself is bounded by the mailbox size limit).
const maxUUBytes = 64 << 20

// uuFile is one decoded block.
type uuFile struct {
	name string
	data []byte
}

// extractUU finds the uuencoded blocks in text. It returns the text with
// each decoded block replaced by a note, the files, and flags for blocks
// that were damaged.
func extractUU(text string) (string, []uuFile, []Flag) {
	if !strings.Contains(text, "begin ") && !strings.Contains(text, "begin-base64 ") {
		return text, nil, nil
	}
	lines := strings.Split(text, "\n")
	var out []string
	var files []uuFile
	var flags []Flag
	total := 0
	for i := 0; i < len(lines); i++ {
		sm := uuBegin.FindStringSubmatch(strings.TrimRight(lines[i], "\r"))
		if sm == nil || i+1 >= len(lines) {
			out = append(out, lines[i])
			continue
		}
		b64 := sm[1] != ""
		if !b64 && !uuLineValid(strings.TrimRight(lines[i+1], "\r")) {
			out = append(out, lines[i]) // prose that happens to start with "begin"
			continue
		}
		name := uuName(sm[3])
		data, end, complete, err := decodeUUBlock(lines[i+1:], b64)
		if err != nil || total+len(data) > maxUUBytes {
			if err == nil {
				err = fmt.Errorf("more than %d bytes of uuencoded files", maxUUBytes)
			}
			flags = append(flags, Flag{Code: "uuencode-malformed", Detail: fmt.Sprintf("uuencoded file %q at line %d not extracted: %v; left in the text", name, i+1, err)})
			out = append(out, lines[i])
			continue
		}
		if !complete {
			flags = append(flags, Flag{Code: "uuencode-malformed", Detail: fmt.Sprintf("uuencoded file %q at line %d has no end line: %d bytes decoded, the file may be cut short", name, i+1, len(data))})
		}
		total += len(data)
		files = append(files, uuFile{name: name, data: data})
		out = append(out, fmt.Sprintf("[uuencoded file %s: %d bytes, listed with the attachments]", name, len(data)))
		i += end
	}
	if len(files) == 0 {
		return text, nil, flags
	}
	return strings.Join(out, "\n"), files, flags
}

// uuName makes the display name of a block from its begin line: the last
// element of whatever path the sender's system wrote.
func uuName(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexAny(s, `/\`); i >= 0 && i < len(s)-1 {
		s = s[i+1:]
	}
	return s
}

// uuLineValid reports whether line is a uuencoded data line: a length
// character and at least as many encoded characters as that length needs
// (some encoders drop trailing spaces, so a line may be up to a group
// short), all in the range the encoding uses.
func uuLineValid(line string) bool {
	if line == "" {
		return false
	}
	for i := 0; i < len(line); i++ {
		if line[i] < ' ' || line[i] > '`' {
			return false
		}
	}
	n := int(line[0]-' ') & 63
	need := (n + 2) / 3 * 4
	have := len(line) - 1
	return have+4 >= need && have <= need+4
}

// decodeUUBlock decodes the data lines after a begin line. end is the
// number of lines consumed, the "end" (or "====") line included; complete
// is false when the text ran out first.
func decodeUUBlock(lines []string, b64 bool) (data []byte, end int, complete bool, err error) {
	if b64 {
		var enc strings.Builder
		for i, l := range lines {
			l = strings.TrimSpace(l)
			if l == "====" {
				out, err := base64.StdEncoding.DecodeString(enc.String())
				if err != nil {
					return nil, 0, false, fmt.Errorf("line %d of the block: %v", i+1, err)
				}
				return out, i + 1, true, nil
			}
			enc.WriteString(l)
			if enc.Len() > maxUUBytes*4/3+4 {
				return nil, 0, false, fmt.Errorf("block longer than %d bytes", maxUUBytes)
			}
		}
		out, err := base64.StdEncoding.DecodeString(enc.String())
		if err != nil {
			return nil, 0, false, fmt.Errorf("no ==== line, and %v", err)
		}
		return out, len(lines), false, nil
	}
	var buf bytes.Buffer
	for i, l := range lines {
		l = strings.TrimRight(l, "\r")
		if l == "end" || strings.TrimSpace(l) == "end" {
			return buf.Bytes(), i + 1, true, nil
		}
		if l == "" {
			// A zero-length line whose space a mailer stripped, then "end";
			// or a block without "end": stop at the first blank line.
			if i+1 < len(lines) && strings.TrimSpace(lines[i+1]) == "end" {
				return buf.Bytes(), i + 2, true, nil
			}
			return buf.Bytes(), i, false, nil
		}
		if !uuLineValid(l) {
			return nil, 0, false, fmt.Errorf("line %d of the block is not uuencoded data: %q", i+1, cleanLine(l, 40))
		}
		n := int(l[0]-' ') & 63
		if n == 0 {
			continue // the zero-length line before "end"
		}
		enc := l[1:]
		for len(enc) < (n+2)/3*4 {
			enc += "`"
		}
		for j := 0; j+4 <= len(enc) && n > 0; j += 4 {
			c0, c1, c2, c3 := uuVal(enc[j]), uuVal(enc[j+1]), uuVal(enc[j+2]), uuVal(enc[j+3])
			group := []byte{c0<<2 | c1>>4, c1<<4 | c2>>2, c2<<6 | c3}
			k := min(3, n)
			buf.Write(group[:k])
			n -= k
		}
		if buf.Len() > maxUUBytes {
			return nil, 0, false, fmt.Errorf("block longer than %d bytes", maxUUBytes)
		}
	}
	return buf.Bytes(), len(lines), false, nil
}

func uuVal(c byte) byte { return (c - ' ') & 63 }

// extractUU takes the uuencoded files out of m's text and lists them after
// its other files.
func (m *Message) extractUU(idPrefix string) {
	text, files, flags := extractUU(m.Text)
	m.Text = text
	m.addFlags(flags)
	m.addUUFiles(files, idPrefix)
}

// addUUFiles lists files found in the text of m after its other files.
func (m *Message) addUUFiles(files []uuFile, idPrefix string) {
	for i, f := range files {
		name := SanitizeName(toUTF8(f.name))
		id := fmt.Sprintf("%suu%d", idPrefix, i+1)
		if name == "" {
			name = "uuencoded-" + fmt.Sprint(i+1) + ".bin"
		}
		ctype := contentTypeFor(name)
		if path.Ext(name) == "" {
			ctype = "application/octet-stream"
		}
		m.addFile(Attachment{Parent: -1, Source: SourceUUEncode, PartID: id, Name: name, ContentType: ctype}, f.data)
	}
}
