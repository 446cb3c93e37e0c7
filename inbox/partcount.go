// Counting MIME parts before parsing: a cheap line scan that lets Parse refuse
// a message with more parts than it is worth parsing (a message of 100,000
// tiny parts costs enmime minutes and hundreds of megabytes, and would write
// as many files), and a prefix of such a message that can still be read for
// its text.

package inbox

import "bytes"

// partScan is what countParts found.
type partScan struct {
	parts int  // lines opening a part of a declared boundary
	over  bool // more parts, or more declared boundaries, than the limit
	// cut is the offset of the line that opens part prefixParts+1 (0 when
	// there is none), and cutBoundary its boundary: raw[:cut] and a closing
	// delimiter make a short message of the first parts only.
	cut         int
	cutBoundary string
}

// prefixParts is how many parts of an over-limit message are read for its
// text.
const prefixParts = 20

// maxBoundaryLen bounds a boundary (RFC 2046 allows 70 characters).
const maxBoundaryLen = 200

// countParts scans raw line by line: it collects every boundary declared by
// a boundary= parameter and counts the lines that open a part of one
// ("--boundary", not the closing "--boundary--"), stopping as soon as the
// count, or the number of boundaries, passes limit. Parts of embedded
// message/rfc822 parts are counted with the rest, and again when the embedded
// message is parsed (a generous bound needs no exact count); those inside an
// encoded embedded message are counted only then.
func countParts(raw []byte, limit int) partScan {
	var s partScan
	boundaries := map[string]bool{}
	pending := false // the previous line ended with "boundary=": the value is on this one
	for pos := 0; pos < len(raw) && !s.over; {
		start, end := pos, len(raw)
		if i := bytes.IndexByte(raw[pos:], '\n'); i >= 0 {
			end = pos + i
			pos = end + 1
		} else {
			pos = end
		}
		line := bytes.TrimRight(raw[start:end], " \t\r")
		if pending {
			pending = false
			if v := boundaryValue(bytes.TrimLeft(line, " \t")); len(v) > 0 && len(v) <= maxBoundaryLen {
				boundaries[string(v)] = true
			}
		}
		// boundaryParam needs an '='; looking for one first is fast
		// (most lines of a large message are base64 with none).
		if bytes.IndexByte(line, '=') < 0 {
			// no parameter on this line
		} else if v, ok := boundaryParam(line); ok {
			switch {
			case len(v) == 0:
				pending = true
			case len(v) <= maxBoundaryLen:
				boundaries[string(v)] = true
			}
			if len(boundaries) > limit {
				s.over = true
			}
		}
		if len(line) > 2 && line[0] == '-' && line[1] == '-' && boundaries[string(line[2:])] {
			s.parts++
			if s.parts == prefixParts+1 {
				s.cut, s.cutBoundary = start, string(line[2:])
			}
			if s.parts > limit {
				s.over = true
			}
		}
	}
	return s
}

// boundaryParam finds a boundary parameter in a header line and returns its
// value ("" when the value is on the next line).
func boundaryParam(line []byte) ([]byte, bool) {
	i := indexFold(line, "boundary")
	if i < 0 {
		return nil, false
	}
	rest := bytes.TrimLeft(line[i+len("boundary"):], " \t")
	if len(rest) == 0 || rest[0] != '=' {
		return nil, false
	}
	return boundaryValue(bytes.TrimLeft(rest[1:], " \t")), true
}

// boundaryValue reads a parameter value, quoted or a token.
func boundaryValue(s []byte) []byte {
	if len(s) > 0 && s[0] == '"' {
		if j := bytes.IndexByte(s[1:], '"'); j >= 0 {
			return s[1 : 1+j]
		}
		return s[1:]
	}
	if j := bytes.IndexAny(s, "; \t"); j >= 0 {
		return s[:j]
	}
	return s
}

// indexFold is the index of the ASCII word w (lower case) in s, ignoring
// case, or -1.
func indexFold(s []byte, w string) int {
	for i := 0; i+len(w) <= len(s); i++ {
		j := 0
		for j < len(w) && s[i+j]|0x20 == w[j] {
			j++
		}
		if j == len(w) {
			return i
		}
	}
	return -1
}
