// Outlook .msg files attached to a reply (an officer forwarding the
// colleague's answer "as an attachment" from Outlook). A .msg is a Compound
// File Binary (MS-CFB) holding one message as MAPI properties (MS-OXMSG):
//
//   - each property is a stream "__substg1.0_IIIITTTT" in the storage of the
//     object it belongs to, IIII the property ID and TTTT its type (001F a
//     UTF-16LE string, 001E an 8-bit string, 0102 binary);
//   - the message's own properties are in the root storage: the subject
//     (0x0037), the sender's name (0x0C1A), address (0x0C1F, or the SMTP
//     address 0x5D01), the plain body (0x1000);
//   - each attachment is a storage "__attach_version1.0_#0000000N" with its
//     long file name (0x3707), short name (0x3704), MIME type (0x370E) and
//     data (0x3701, binary); an attached message is a sub-storage 3701000D,
//     listed but not opened.
//
// The CFB container is read with github.com/richardlehane/mscfb (Apache
// 2.0, maintained; it reads only, which is all that is needed here). The
// .msg is kept as it came; its subject, sender and text become the
// Attachment's Message, and its files follow it with Source SourceMSG. A
// .msg that cannot be read is flagged "msg-malformed" and kept as a file.

package inbox

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"

	"github.com/richardlehane/mscfb"
)

// cfbSignature opens every Compound File Binary.
var cfbSignature = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// Limits on what is read out of one .msg.
const (
	maxMSGEntries = 4096     // directory entries walked
	maxMSGBytes   = 64 << 20 // bytes read from its streams, all together
	maxMSGFiles   = 200      // attachments listed
)

// isMSG reports whether a file is an Outlook message: named .msg or typed
// so, and a CFB.
func isMSG(ctype, name string, data []byte) bool {
	if !bytes.HasPrefix(data, cfbSignature) {
		return false
	}
	return ctype == "application/vnd.ms-outlook" || strings.HasSuffix(strings.ToLower(name), ".msg")
}

// msgFile is one attachment of a .msg.
type msgFile struct {
	name, ctype string
	data        []byte
	embedded    bool // an attached message (not opened)
}

// outlookMessage is what is read out of a .msg.
type outlookMessage struct {
	subject, senderName, senderAddr, body string
	files                                 []msgFile
}

// addMSG lists the files inside the .msg at index parent and records its
// subject, sender and text.
func (c *collector) addMSG(parent int, data []byte, partID string) {
	om, err := readMSG(data)
	if err != nil {
		c.m.flag("msg-malformed", fmt.Sprintf("Outlook message at part %s: %v", partID, err), false)
		return
	}
	c.m.Attachments[parent].Message = &Message{
		Subject: cleanLine(om.subject, 0),
		From:    Address{Name: cleanLine(om.senderName, 0), Addr: cleanLine(om.senderAddr, 0)},
		Text:    cleanText(om.body),
	}
	for i, f := range om.files {
		if f.embedded {
			c.m.flag("msg-embedded-message", fmt.Sprintf("Outlook message at part %s holds an attached message %q: kept inside the .msg, not listed", partID, cleanLine(f.name, 80)), false)
			continue
		}
		name := SanitizeName(f.name)
		if name == "" {
			name = fmt.Sprintf("msg-file-%d.bin", i+1)
		}
		ctype := strings.ToLower(strings.TrimSpace(f.ctype))
		if ctype == "" || !strings.Contains(ctype, "/") || strings.ContainsAny(ctype, " ;") {
			ctype = contentTypeFor(name)
		}
		c.m.addFile(Attachment{
			Parent:      parent,
			Source:      SourceMSG,
			PartID:      fmt.Sprintf("%s/msg.%d", partID, i+1),
			Name:        name,
			ContentType: ctype,
		}, f.data)
	}
}

// readMSG reads a .msg. The CFB reader is given bytes it can trust no more
// than any other part of a message: its panics become errors, and the
// streams read are bounded.
func readMSG(data []byte) (om *outlookMessage, err error) {
	defer func() {
		if r := recover(); r != nil {
			om, err = nil, fmt.Errorf("CFB reader panicked: %v", r)
		}
	}()
	r, err := mscfb.New(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("read compound file: %w", err)
	}
	om = &outlookMessage{}
	type attach struct {
		long, short, mime string
		data              []byte
		embedded          bool
	}
	attachments := map[string]*attach{}
	var order []string
	budget := maxMSGBytes
	read := func(f *mscfb.File) ([]byte, error) {
		if f.Size < 0 || f.Size > int64(budget) {
			return nil, fmt.Errorf("stream %s of %d bytes is over the limit", f.Name, f.Size)
		}
		b, err := io.ReadAll(io.LimitReader(f, f.Size))
		budget -= len(b)
		return b, err
	}
	n := 0
	for f, ferr := r.Next(); ferr == nil; f, ferr = r.Next() {
		if n++; n > maxMSGEntries {
			return nil, fmt.Errorf("more than %d entries", maxMSGEntries)
		}
		// Only the root's and the attachments' own properties: the
		// contents of an attached message (a deeper storage) are left.
		var owner string
		switch {
		case len(f.Path) == 0:
		case len(f.Path) == 1 && strings.HasPrefix(f.Path[0], "__attach_version1.0_#"):
			owner = f.Path[0]
		case len(f.Path) == 2 && strings.HasPrefix(f.Path[0], "__attach_version1.0_#") && strings.HasPrefix(f.Path[1], "__substg1.0_3701000D"):
			continue
		default:
			continue
		}
		if owner == "" && strings.HasPrefix(f.Name, "__attach_version1.0_#") {
			if attachments[f.Name] == nil && len(order) < maxMSGFiles {
				attachments[f.Name] = &attach{}
				order = append(order, f.Name)
			}
			continue
		}
		id, typ, ok := propertyStream(f.Name)
		if !ok {
			continue
		}
		if owner != "" {
			a := attachments[owner]
			if a == nil {
				if len(order) >= maxMSGFiles {
					continue
				}
				a = &attach{}
				attachments[owner] = a
				order = append(order, owner)
			}
			if id == 0x3701 && typ == 0x000D {
				a.embedded = true
				continue
			}
			if !isStreamProp(typ) {
				continue
			}
			b, err := read(f)
			if err != nil {
				return nil, err
			}
			switch id {
			case 0x3707:
				a.long = propString(b, typ)
			case 0x3704:
				a.short = propString(b, typ)
			case 0x370E:
				a.mime = propString(b, typ)
			case 0x3701:
				a.data = b
			}
			continue
		}
		switch id {
		case 0x0037, 0x0C1A, 0x0C1F, 0x5D01, 0x0065, 0x1000:
		default:
			continue
		}
		if !isStreamProp(typ) || typ == 0x0102 {
			continue
		}
		b, err := read(f)
		if err != nil {
			return nil, err
		}
		v := propString(b, typ)
		switch id {
		case 0x0037:
			om.subject = v
		case 0x0C1A:
			om.senderName = v
		case 0x5D01:
			om.senderAddr = v // the SMTP address wins over an Exchange one
		case 0x0C1F, 0x0065:
			if om.senderAddr == "" || !strings.Contains(om.senderAddr, "@") {
				om.senderAddr = v
			}
		case 0x1000:
			om.body = v
		}
	}
	if om.subject == "" && om.senderAddr == "" && om.body == "" && len(order) == 0 {
		return nil, errors.New("no message properties: not an Outlook message")
	}
	for _, key := range order {
		a := attachments[key]
		name := a.long
		if name == "" {
			name = a.short
		}
		om.files = append(om.files, msgFile{name: name, ctype: a.mime, data: a.data, embedded: a.embedded})
	}
	return om, nil
}

// propertyStream reads the property ID and type from a stream name
// "__substg1.0_IIIITTTT".
func propertyStream(name string) (id, typ uint16, ok bool) {
	const prefix = "__substg1.0_"
	if !strings.HasPrefix(name, prefix) || len(name) != len(prefix)+8 {
		return 0, 0, false
	}
	var v uint32
	if _, err := fmt.Sscanf(name[len(prefix):], "%08X", &v); err != nil {
		return 0, 0, false
	}
	return uint16(v >> 16), uint16(v), true
}

// isStreamProp reports whether a property of this type is stored as a
// stream of its own (strings and binary).
func isStreamProp(typ uint16) bool { return typ == 0x001F || typ == 0x001E || typ == 0x0102 }

// propString decodes a string property: UTF-16LE (0x001F), or 8-bit text
// in an unknown code page (0x001E), read as UTF-8 or Windows-1252.
func propString(b []byte, typ uint16) string {
	switch typ {
	case 0x001F:
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = binary.LittleEndian.Uint16(b[2*i:])
		}
		return strings.TrimRight(string(utf16.Decode(u)), "\x00")
	case 0x001E:
		return strings.TrimRight(toUTF8(string(b)), "\x00")
	}
	return ""
}
