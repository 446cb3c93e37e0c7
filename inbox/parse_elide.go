// Large base64 files are decoded here rather than by enmime: enmime's part
// reader looks for the next boundary a byte at a time, which made a 30 MB
// reply cost half a second, and reading a sync's attached CSVs a quarter of
// its CPU (issue 12).
//
// Before enmime sees a message, the middle of each long run of base64 lines
// that opens the body of a leaf part is replaced by a placeholder: the
// base64 of a token no part can otherwise hold. A run is taken from a part
// that is not text, or from a text part other than HTML that declares
// UTF-8 or no charset (which readEnvelope reads as UTF-8, its bytes as
// sent). The first elideHead and last elideTail bytes of the run stay, and
// the middle holds a multiple of four base64 characters, as the placeholder
// does. enmime then reads the same bytes up to the middle and the same
// bytes after it, in the same state:
//
//   - the middle, and the placeholder, hold base64 characters, blanks and
//     line ends only: no '-', so no boundary can start in them, and every
//     boundary check enmime makes there (a look for "--boundary" in the
//     next few bytes, at a line end or in a part's first read) fails
//     alike; its base64 cleaner drops their blanks silently;
//   - the tail is longer than any look enmime makes from inside the middle
//     (at most the boundary's length and six bytes, and never more than
//     its reader's 4096), so no such look reaches past the run, where it
//     could see the part's delimiter early, or the end of input, and
//     report a missing boundary;
//   - enmime checks every byte, not only line ends, for a delimiter in the
//     first read of a part (4096 bytes). The short part may end inside
//     that read where the whole one did not, so the bytes after the run
//     are checked too in the short message: that changes nothing when
//     every "--" within 4096 bytes after the run opens a line, as a
//     delimiter does (a line end is checked in either mode). Otherwise the
//     tail is kept at 4096 bytes and more, so that the first read ends
//     before the middle in both. That read also looks for the end of input
//     at every byte: the short message reports a missing boundary wherever
//     the whole one does, and may report one it does not (an end of input
//     just after the run), so a short message that reports one is read
//     again with long tails.
//
// So the parse differs in one thing only: the content of the part that
// decoded the middle (and the body text, when that part is the text body).
// That part is found by the token at the offset where the middle began, its
// content checked against the run's head and tail decoded here, and the
// middle decoded here is put in place of the token. A token not so found
// (the run was inside an embedded message, a preamble, a part enmime read
// otherwise) has its run put back and the message is parsed again; if that
// fails too, the original message is parsed whole. A text part whose bytes
// then want enmime's charset guess (toGuess), or that was not read as sent,
// has its run put back too, so that the guess sees the whole text.

package inbox

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"slices"
	"strings"

	"github.com/jhillyerd/enmime/v2"
	"github.com/jhillyerd/enmime/v2/mediatype"
)

// minElide is the shortest middle worth replacing (a variable so that tests
// can make enmime read every run itself, or replace the shortest middles).
var minElide = 256

// elideHead and elideTail are how many bytes of a run are kept before and
// after its middle: the head to check that the part found is the run's, the
// tail more than enmime's boundary reader can peek ahead (4096 bytes, its
// bufio.Reader's size; a peek is at most the boundary's length and six).
// The tail is shorter, elideTailMin and more than the longest Content-Type
// field can hold of a boundary, when shortTailSafe allows it.
const (
	elideHead    = 64
	elideTail    = 4096 + 128
	elideTailMin = 128
)

// b64Class classifies bytes of a base64 body as enmime reads them: 2 for
// the alphabet, 1 for bytes its cleaner drops silently ('=', space, tab,
// CR; LF ends lines), 0 for the rest (dropped with a warning, or a possible
// boundary such as '-', or read as their low seven bits: a run stops before
// a line holding one).
var b64Class = func() (t [256]byte) {
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/" {
		t[c] = 2
	}
	for _, c := range "= \t\r" {
		t[c] = 1
	}
	return t
}()

// b64Run is a run of base64 lines, raw[start:end], whose middle
// raw[mid:midEnd] is replaced; text when it is the body of a text part.
type b64Run struct {
	start, end, mid, midEnd int
	text                    bool
	shortTail               bool // the tail kept is shorter than elideTail
}

// findB64Runs lists the runs of raw worth replacing: each the body of a part
// (or of the message) whose header declares base64 and a leaf type that
// base64LeafHeader accepts, from the blank line ending that header up to the
// first line with a byte of class 0.
func findB64Runs(raw []byte) []b64Run {
	var runs []b64Run
	pos, header := 0, true
	shortTail := -1 // the tail kept when shortTailSafe, once known
	for pos < len(raw) {
		if header {
			header = false
			if body, text, ok := base64LeafHeader(raw, pos); ok {
				end, alpha := scanB64Run(raw, body)
				tail := elideTail
				if end-body > elideHead+elideTail && shortTailSafe(raw, end) {
					if shortTail < 0 {
						shortTail = min(elideTail, max(elideTailMin, longestContentType(raw)+16))
					}
					tail = shortTail
				}
				if r, ok := splitB64Run(raw, body, end, alpha, tail); ok {
					r.text, r.shortTail = text, tail < elideTail
					runs = append(runs, r)
				}
				pos = end
				continue
			}
		}
		end := len(raw)
		if i := bytes.IndexByte(raw[pos:], '\n'); i >= 0 {
			end = pos + i + 1
		}
		if end-pos >= 2 && raw[pos] == '-' && raw[pos+1] == '-' {
			header = true // a possible delimiter: a part's header follows
		}
		pos = end
	}
	return runs
}

// base64LeafHeader reads a header block at raw[pos:] and reports where its
// body starts, when the block is one whose body findB64Runs may replace:
// base64, of a type that is not multipart or message, and when text, not
// HTML and of charset UTF-8 or none (text reports that it is text).
func base64LeafHeader(raw []byte, pos int) (body int, text, ok bool) {
	var ctype, cte string
	var last *string // the field a continuation line extends
	for n := 0; n < 100 && pos < len(raw); n++ {
		end := bytes.IndexByte(raw[pos:], '\n')
		if end < 0 {
			return 0, false, false
		}
		line := bytes.TrimSuffix(raw[pos:pos+end], []byte("\r"))
		pos += end + 1
		switch {
		case len(line) == 0:
			mt := strings.ToLower(strings.TrimSpace(strings.SplitN(ctype, ";", 2)[0]))
			if !strings.EqualFold(strings.TrimSpace(cte), "base64") || mt == "" ||
				strings.HasPrefix(mt, "multipart/") || strings.HasPrefix(mt, "message/") {
				return 0, false, false
			}
			if strings.HasPrefix(mt, "text/") {
				pt, params, _, err := mediatype.Parse(strings.TrimSpace(ctype))
				if err != nil || pt != mt || mt == "text/html" ||
					params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8") {
					return 0, false, false
				}
				return pos, true, true
			}
			return pos, false, true
		case line[0] == ' ' || line[0] == '\t':
			if last != nil {
				*last += " " + string(line)
			}
		default:
			i := bytes.IndexByte(line, ':')
			if i <= 0 {
				return 0, false, false
			}
			name := string(bytes.TrimSpace(line[:i]))
			last = nil
			switch {
			case strings.EqualFold(name, "Content-Type"):
				if ctype != "" {
					return 0, false, false // repeated: left to enmime
				}
				ctype = string(line[i+1:]) + " "
				last = &ctype
			case strings.EqualFold(name, "Content-Transfer-Encoding"):
				if cte != "" {
					return 0, false, false
				}
				cte = string(line[i+1:]) + " "
				last = &cte
			}
		}
	}
	return 0, false, false
}

// scanB64Run reads lines of bytes of class 1 and 2 from raw[body:]: end is
// the start of the first other line (len(raw) when there is none), alpha the
// count of alphabet bytes before it.
func scanB64Run(raw []byte, body int) (end, alpha int) {
	pos := body
	for pos < len(raw) {
		eol := len(raw)
		if i := bytes.IndexByte(raw[pos:], '\n'); i >= 0 {
			eol = pos + i
		}
		n := 0
		for _, c := range raw[pos:eol] {
			switch b64Class[c] {
			case 0:
				return pos, alpha
			case 2:
				n++
			}
		}
		alpha += n
		pos = eol + 1
	}
	return len(raw), alpha
}

// splitB64Run picks the middle of the run raw[start:end] (alpha alphabet
// bytes): elideHead bytes in, moved on until the head holds a multiple of
// four alphabet bytes, to tail bytes before the end, moved back until the
// middle does too.
func splitB64Run(raw []byte, start, end, alpha, tail int) (b64Run, bool) {
	r := b64Run{start: start, end: end, mid: start + elideHead, midEnd: end - tail}
	if r.midEnd-r.mid < minElide {
		return r, false
	}
	head := alphaCount(raw[start:r.mid])
	for head%4 != 0 && r.mid < r.midEnd {
		if b64Class[raw[r.mid]] == 2 {
			head++
		}
		r.mid++
	}
	middle := alpha - head - alphaCount(raw[r.midEnd:end])
	for middle%4 != 0 && r.midEnd > r.mid {
		r.midEnd--
		if b64Class[raw[r.midEnd]] == 2 {
			middle--
		}
	}
	return r, r.midEnd > r.mid
}

// shortTailSafe reports whether every "--" in the 4096 bytes after a run
// that ends at end opens a line, or closes a line that opens with one (a
// closing delimiter): then a read of them that checks every byte for a
// delimiter finds what a read that checks line ends finds, as long as no
// boundary holds a line end (see shortTailDoubt).
func shortTailSafe(raw []byte, end int) bool {
	stop := min(len(raw), end+4096+elideTailMin)
	lineStart := end // raw[end] opens a line: the run ended with one
	for i := end; i < stop; {
		j := bytes.Index(raw[i:stop], []byte("--"))
		if j < 0 {
			return true
		}
		i += j
		if k := bytes.LastIndexByte(raw[lineStart:i], '\n'); k >= 0 {
			lineStart += k + 1
		}
		opens := i == lineStart
		closes := bytes.HasPrefix(raw[lineStart:], []byte("--")) && (i+2 == len(raw) || raw[i+2] == '\r' || raw[i+2] == '\n')
		if !opens && !closes {
			return false
		}
		i += 2
	}
	return true
}

// shortTailDoubt reports whether a message read with short tails must be
// read again with long ones: enmime found a boundary not closed (the end of
// input may have been seen early), dropped a part it could not read (whose
// boundary is then unknown), or read a boundary with a byte RFC 2046 does
// not allow in one (a line end in it would make shortTailSafe wrong).
func shortTailDoubt(env *enmime.Envelope) bool {
	for _, e := range env.Errors {
		if e != nil && (e.Name == enmime.ErrorMissingBoundary || e.Name == enmime.ErrorMalformedChildPart) {
			return true
		}
	}
	for _, p := range env.Root.DepthMatchAll(func(p *enmime.Part) bool { return p.Boundary != "" }) {
		for _, c := range []byte(p.Boundary) {
			if !bchar[c] {
				return true
			}
		}
	}
	return false
}

// bchar is RFC 2046's bchars, the bytes a boundary may hold.
var bchar = func() (t [256]bool) {
	for _, c := range "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'()+_,-./:=? " {
		t[c] = true
	}
	return t
}()

// longestContentType is the length of the longest Content-Type field in
// raw, with its continuation lines and any following lines that hold no
// colon (which a lenient reader might join to it): more than any boundary
// enmime can read from it.
func longestContentType(raw []byte) int {
	longest, field := 0, -1 // field: length of the Content-Type field being read
	for pos := 0; pos < len(raw); {
		end := len(raw)
		if i := bytes.IndexByte(raw[pos:], '\n'); i >= 0 {
			end = pos + i + 1
		}
		line := raw[pos:end]
		pos = end
		switch {
		case field >= 0 && len(bytes.TrimSpace(line)) > 0 && (line[0] == ' ' || line[0] == '\t' || bytes.IndexByte(line, ':') < 0):
			field += len(line)
		case len(line) >= len("content-type") && bytes.EqualFold(line[:len("content-type")], []byte("content-type")):
			field = len(line)
		default:
			field = -1
		}
		longest = max(longest, field)
	}
	return longest
}

func alphaCount(b []byte) int {
	n := 0
	for _, c := range b {
		if b64Class[c] == 2 {
			n++
		}
	}
	return n
}

// decodeB64 decodes b as enmime does (the bytes of class 1 and line feeds
// dropped, the rest read as unpadded base64) into dst, which must be large
// enough; it returns the bytes written.
func decodeB64(dst, b []byte) (int, bool) {
	// Most runs hold the alphabet and line ends only, which the decoder
	// itself skips.
	if n, err := base64.RawStdEncoding.Decode(dst, b); err == nil {
		return n, true
	}
	var chunk [4096]byte
	n, o := 0, 0
	for _, c := range b {
		if b64Class[c] != 2 {
			continue
		}
		chunk[n] = c
		n++
		if n == len(chunk) {
			w, err := base64.RawStdEncoding.Decode(dst[o:], chunk[:n])
			if err != nil {
				return 0, false
			}
			o, n = o+w, 0
		}
	}
	w, err := base64.RawStdEncoding.Decode(dst[o:], chunk[:n])
	return o + w, err == nil
}

// decodeB64Bytes is decodeB64 into a new slice; nil when b does not decode.
func decodeB64Bytes(b []byte) []byte {
	dst := make([]byte, base64.RawStdEncoding.DecodedLen(alphaCount(b)))
	n, ok := decodeB64(dst, b)
	if !ok {
		return nil
	}
	return dst[:n]
}

// readEnvelopeFast is readEnvelope(raw, false) with the middles of the runs
// of findB64Runs decoded here. It also returns the bytes to read again for
// undecoded text files: the short message when one was used (its text parts
// are those of raw, or read as sent), else raw.
func readEnvelopeFast(raw []byte) (*enmime.Envelope, []byte, error) {
	runs := findB64Runs(raw)
	var nonce [16]byte
	if len(runs) > 0 {
		if _, err := rand.Read(nonce[:]); err != nil {
			runs = nil
		}
	}
	for try := 0; try < 3 && len(runs) > 0; try++ {
		short, tokens := elideRuns(raw, runs, nonce)
		text := slices.ContainsFunc(runs, func(r b64Run) bool { return r.text })
		var env *enmime.Envelope
		var err error
		if text {
			// Read without the guess: whether a text wants it is known
			// only once its middle is back.
			env, err = readEnvelopeWith(short, false, false, nil)
		} else {
			env, err = readEnvelope(short, false)
		}
		if err != nil {
			break
		}
		if slices.ContainsFunc(runs, func(r b64Run) bool { return r.shortTail }) && shortTailDoubt(env) {
			runs = longTails(raw, runs)
			continue
		}
		found := findTokens(env.Root, raw, runs, tokens)
		if len(found) < len(runs) {
			var kept []b64Run
			for i, r := range runs {
				if found[i].part != nil {
					kept = append(kept, r)
				}
			}
			runs = kept
			continue
		}
		ok := putMiddles(env, raw, runs, found, tokens)
		if ok && text {
			// readEnvelope's second reading, when a text wants the guess:
			// on the short message too, unless the guess would be made
			// of a text read here.
			guess, all := toGuess(env.Root)
			ok = !all && !guessesRun(guess, runs, found)
			if ok && len(guess) > 0 {
				if env, err = readEnvelopeWith(short, false, false, guess); err != nil {
					break
				}
				found = findTokens(env.Root, raw, runs, tokens)
				if len(found) < len(runs) || !putMiddles(env, raw, runs, found, tokens) {
					break
				}
			}
		}
		if !ok {
			if !text {
				break
			}
			runs = slices.DeleteFunc(runs, func(r b64Run) bool { return r.text })
			continue
		}
		return env, short, nil
	}
	env, err := readEnvelope(raw, false)
	return env, raw, err
}

// longTails is runs with the tail of each elideTail bytes long, those
// whose middle is then too short left out.
func longTails(raw []byte, runs []b64Run) []b64Run {
	var out []b64Run
	for _, r := range runs {
		if !r.shortTail {
			out = append(out, r)
			continue
		}
		if l, ok := splitB64Run(raw, r.start, r.end, alphaCount(raw[r.start:r.end]), elideTail); ok {
			l.text = r.text
			out = append(out, l)
		}
	}
	return out
}

// guessesRun reports whether a text run's part is one whose charset the
// guess of readEnvelopeWith would guess.
func guessesRun(guess map[string]bool, runs []b64Run, found map[int]tokenPart) bool {
	for i, r := range runs {
		if r.text && guess[headerGet(found[i].part.Header, "Content-Type")] {
			return true
		}
	}
	return false
}

// putMiddles puts each run's middle, decoded, in place of its token in the
// content of the part found for it, and, for a text part, in the body text
// when that holds the token. It reports false when a middle does not decode
// as counted, or a text part was not read as sent (sentAsIs) or is in the
// body text other than once; env is then half done and must be dropped.
func putMiddles(env *enmime.Envelope, raw []byte, runs []b64Run, found map[int]tokenPart, tokens [][]byte) bool {
	for i, r := range runs {
		f := found[i]
		mid := base64.RawStdEncoding.DecodedLen(alphaCount(raw[r.mid:r.midEnd]))
		c := f.part.Content
		out := make([]byte, f.head+mid+len(c)-f.head-tokenLen)
		copy(out, c[:f.head])
		n, good := decodeB64(out[f.head:], raw[r.mid:r.midEnd])
		if !good || n != mid {
			return false
		}
		copy(out[f.head+n:], c[f.head+tokenLen:])
		f.part.Content = out
		if !r.text {
			continue
		}
		if !sentAsIs(f.part) || strings.Contains(env.HTML, string(tokens[i])) {
			return false
		}
		switch strings.Count(env.Text, string(tokens[i])) {
		case 0:
		case 1:
			env.Text = strings.Replace(env.Text, string(tokens[i]), string(out[f.head:f.head+n]), 1)
		default:
			return false
		}
	}
	return true
}

// tokenLen is a token's length: a multiple of 3, so that its base64 holds
// whole groups of four, as the middle it replaces does.
const tokenLen = 33

// elideRuns returns raw with the middle of each run replaced by the base64
// of its token, and the tokens.
func elideRuns(raw []byte, runs []b64Run, nonce [16]byte) ([]byte, [][]byte) {
	size := len(raw)
	for _, r := range runs {
		size -= r.midEnd - r.mid
	}
	short := make([]byte, 0, size+len(runs)*base64.RawStdEncoding.EncodedLen(tokenLen))
	tokens := make([][]byte, len(runs))
	prev := 0
	for i, r := range runs {
		t := make([]byte, tokenLen)
		copy(t, nonce[:])
		binary.BigEndian.PutUint64(t[16:], uint64(i))
		tokens[i] = t
		short = append(short, raw[prev:r.mid]...)
		short = base64.RawStdEncoding.AppendEncode(short, t)
		prev = r.midEnd
	}
	return append(short, raw[prev:]...), tokens
}

// tokenPart is where a run's token was found: the part, and the length of
// the run's head decoded (the token's offset in the part's content).
type tokenPart struct {
	part *enmime.Part
	head int
}

// findTokens finds, for each run, the leaf part whose content is the run's
// head decoded, its token, and its tail decoded (a text part read as UTF-8
// for a text run, a part that is not text for the others); a run whose part
// is not found, or found twice, is left out.
func findTokens(root *enmime.Part, raw []byte, runs []b64Run, tokens [][]byte) map[int]tokenPart {
	heads := make([][]byte, len(runs))
	tails := make([][]byte, len(runs))
	for i, r := range runs {
		heads[i] = decodeB64Bytes(raw[r.start:r.mid])
		tails[i] = decodeB64Bytes(raw[r.midEnd:r.end])
	}
	found := map[int]tokenPart{}
	seen := map[int]int{}
	for _, p := range root.DepthMatchAll(func(*enmime.Part) bool { return true }) {
		if p.FirstChild != nil || strings.HasPrefix(p.ContentType, "multipart/") || strings.HasPrefix(p.ContentType, "message/") {
			continue
		}
		isText := strings.HasPrefix(p.ContentType, "text/")
		if isText && (p.ContentType == "text/html" || !strings.EqualFold(p.Charset, "utf-8") || p.OrigCharset != "") {
			continue
		}
		c := p.Content
		for i, r := range runs {
			if r.text != isText {
				continue
			}
			h, t := heads[i], tails[i]
			if h == nil || t == nil || len(c) != len(h)+tokenLen+len(t) ||
				!bytes.Equal(c[len(h):len(h)+tokenLen], tokens[i]) || !bytes.Equal(c[:len(h)], h) || !bytes.Equal(c[len(h)+tokenLen:], t) {
				continue
			}
			seen[i]++
			found[i] = tokenPart{part: p, head: len(h)}
		}
	}
	for i, n := range seen {
		if n != 1 {
			delete(found, i)
		}
	}
	return found
}
