// TNEF (winmail.dat) support. The decoder used trusts its input, so the
// attribute stream is checked here first and any panic is recovered.

package inbox

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/teamwork/tnef"
)

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
