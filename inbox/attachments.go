// Attachments: collecting every file from enmime's part tree, re-reading text
// files undecoded, descending into embedded message/rfc822 parts, TNEF
// winmail.dat (tnef.go) and Outlook .msg files (msg.go), and naming and
// typing the files.

package inbox

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"mime/quotedprintable"
	"path"
	"strings"

	"github.com/jhillyerd/enmime/v2"
)

// collector gathers the files of one message level.
type collector struct {
	m        *Message
	raw      []byte // this level's raw bytes, for re-reading text files undecoded
	depth    int
	idPrefix string
	parts    *int                    // the message's budget of MIME parts, shared with embedded messages
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
	if ctype == "application/octet-stream" && isMSG(ctype, name, data) {
		ctype = "application/vnd.ms-outlook" // an Outlook message sent as bytes
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
			inner = parseLevel(data, c.depth+1, a.PartID+"/", c.parts)
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
	if idx < 0 {
		return
	}

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
	case isMSG(ctype, name, data):
		c.addMSG(idx, data, a.PartID)
	}
}

// addFile appends a to m.Attachments with its index, size and hash set, and
// returns its index; -1, and a flag, once the message has maxFiles files.
func (m *Message) addFile(a Attachment, data []byte) int {
	if len(m.Attachments) >= maxFiles {
		m.flag("too-many-files", fmt.Sprintf("more than %d files: the rest are only in the raw message", maxFiles), true)
		return -1
	}
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
// again without that, unless the conversion left its bytes as they were
// (sentAsIs).
func (c *collector) undecodedText(p *enmime.Part) []byte {
	if sentAsIs(p) {
		return p.Content
	}
	return c.reread(p)
}

// reread returns text part p's bytes from the message read again without
// charset conversion.
func (c *collector) reread(p *enmime.Part) []byte {
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

// sentAsIs reports whether enmime's content of text part p is the bytes as
// sent: the part was read without a fault, its transfer encoding is one
// enmime and undecodedText remove alike on well-formed input (none, 7bit,
// 8bit, binary, base64; not quoted-printable, whose faults they mend
// differently), and its charset conversion was no conversion: UTF-8 as
// declared (readEnvelope keeps a declaration the bytes bear out), or ASCII
// text in a charset that reads ASCII as ASCII.
func sentAsIs(p *enmime.Part) bool {
	if len(p.Errors) > 0 {
		return false
	}
	switch strings.ToLower(strings.TrimSpace(headerGet(p.Header, "Content-Transfer-Encoding"))) {
	case "", "7bit", "8bit", "binary", "base64":
	default:
		return false
	}
	cs := strings.ToLower(p.Charset)
	if cs == "utf-8" && p.OrigCharset == "" {
		return true
	}
	if !(cs == "utf-8" || cs == "us-ascii" || cs == "ascii" || strings.HasPrefix(cs, "iso-8859-") || strings.HasPrefix(cs, "windows-125")) {
		return false
	}
	for _, b := range p.Content {
		if b >= 0x80 {
			return false
		}
	}
	return true
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
