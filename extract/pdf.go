package extract

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/ledongthuc/pdf"
)

// The PDF text layer is read with github.com/ledongthuc/pdf (BSD-3-Clause;
// a maintained fork of the Go team's rsc.io/pdf, no dependencies). It was
// chosen over pdfcpu (Apache-2.0), which validates and edits PDFs well but
// gives content streams, not text, and over go-pdfium, which needs the
// PDFium library. Its limits, and what this file does about them:
//
//   - It reports malformed input by panicking. Every call into it is
//     behind a recover in readPDF, so a damaged file is StatusUnreadable.
//   - It re-reads objects from the file on every access and has loops that
//     a hostile file can make endless (a /Prev chain of cross-reference
//     sections that points back, a page tree that contains itself). Every
//     read goes through deadlineReader, which fails once Timeout has
//     passed; the library turns a failed read into a panic, which ends the
//     loop. The page tree is walked here, not by the library, with a depth
//     and a page limit; object streams that /Extends others are refused,
//     as the library follows that chain without end.
//   - It sizes its cross-reference table from numbers in the file (/Size,
//     /Index, the subsections of an xref table), so checkXref refuses a
//     file that names more than maxObjects objects before the library
//     allocates for them.
//   - It reads only PDF 1.0 to 1.7 headers at byte 0 and wants %%EOF in the
//     last 100 bytes: a 2.0 header is read as 1.7 (the syntax is the same
//     for text), and junk before the header or after the last %%EOF, which
//     mail gateways add, is cut off.
//   - Encrypted files open only when the user password is empty (the usual
//     case: "no copying" permissions with an owner password); others are
//     unreadable with that reason.
//   - Text comes from Tj/TJ/'/" operators, decoded by the font's ToUnicode
//     map, WinAnsi, MacRoman or PDFDoc encoding; a font with a custom
//     encoding and no ToUnicode map gives wrong letters, and text drawn as
//     outlines or images is not text at all (no OCR). Word order follows
//     the content stream, not the layout.
const (
	maxPages      = 5000
	maxTreeDepth  = 64
	maxFormDepth  = 8
	maxPageStream = 16 << 20  // inflated content of one page, forms included
	maxAllStreams = 256 << 20 // inflated content of the whole file
	maxObjects    = 4 << 20
)

var errTimeout = errors.New("took longer than the time allowed")

// deadlineReader fails every read once its deadline has passed.
type deadlineReader struct {
	r        *bytes.Reader
	deadline time.Time
	timeout  time.Duration
}

func (d *deadlineReader) ReadAt(p []byte, off int64) (int, error) {
	if time.Now().After(d.deadline) {
		return 0, errTimeout
	}
	return d.r.ReadAt(p, off)
}

// readPDF writes the text of each page, pages separated by a form feed, and
// returns the number of pages and, if the file could not be read to the
// end, why.
func readPDF(data []byte, w *textWriter, timeout time.Duration) (pages int, reason string) {
	data, reason = normalizePDF(data)
	if reason != "" {
		return 0, reason
	}
	if reason := checkXref(data); reason != "" {
		return 0, reason
	}
	rd := &deadlineReader{r: bytes.NewReader(data), deadline: time.Now().Add(timeout), timeout: timeout}
	r, err := openPDF(rd, int64(len(data)))
	if err != nil {
		return 0, pdfReason(err, rd)
	}
	x := &pdfText{w: w, left: maxAllStreams}
	defer func() {
		if v := recover(); v != nil {
			pages, reason = x.pages, pdfReason(fmt.Errorf("%v", v), rd)
			if x.pages > 0 {
				reason = fmt.Sprintf("page %d: %s", x.pages, reason)
			}
		}
	}()
	root := r.Trailer().Key("Root").Key("Pages")
	if root.IsNull() {
		return 0, "a PDF without a page tree"
	}
	if err := x.walk(root, pdf.Value{}, 0); err != nil {
		return x.pages, pdfReason(err, rd)
	}
	return x.pages, ""
}

func openPDF(rd io.ReaderAt, n int64) (r *pdf.Reader, err error) {
	defer func() {
		if v := recover(); v != nil {
			r, err = nil, fmt.Errorf("%v", v)
		}
	}()
	return pdf.NewReader(rd, n)
}

// pdfReason words a library error for the user.
func pdfReason(err error, rd *deadlineReader) string {
	if time.Now().After(rd.deadline) {
		return fmt.Sprintf("reading it took longer than %s (a damaged or hostile file?)", rd.timeout)
	}
	s := err.Error()
	switch {
	case errors.Is(err, pdf.ErrInvalidPassword), s == pdf.ErrInvalidPassword.Error():
		return "an encrypted PDF that needs a password to open"
	case len(s) > 300:
		s = s[:300] + "..."
	}
	return "damaged PDF: " + s
}

// normalizePDF cuts off what mail systems put before the header or after
// the last %%EOF, and reads a PDF 2.0 header as 1.7, so that the library
// (which knows only 1.x headers at byte 0) can open the file. It copies
// data only when it changes a byte.
func normalizePDF(data []byte) ([]byte, string) {
	i := bytes.Index(data[:min(len(data), 1024)], []byte("%PDF-"))
	if i < 0 {
		return nil, "not a PDF: no %PDF- header"
	}
	data = data[i:]
	if j := bytes.LastIndex(data, []byte("%%EOF")); j > 0 {
		data = data[:j+5]
	} else {
		return nil, "a truncated PDF: no %%EOF at the end"
	}
	if len(data) < 10 {
		return nil, "a truncated PDF"
	}
	if data[5] == '2' || data[8] != '\r' && data[8] != '\n' {
		c := bytes.Clone(data)
		if c[5] == '2' {
			c[5], c[7] = '1', '7'
		}
		if c[8] != '\r' && c[8] != '\n' {
			c[8] = '\n'
		}
		data = c
	}
	return data, ""
}

// checkXref refuses a file whose cross-reference data names more objects
// than maxObjects, or that extends object streams (see the package notes).
func checkXref(data []byte) string {
	if bytes.Contains(data, []byte("/Extends")) {
		return "damaged PDF: uses object streams that extend others, which foi does not follow"
	}
	tooMany := func(n int64) string {
		return fmt.Sprintf("damaged PDF: its cross-reference table names %d objects, more than the %d foi reads", n, maxObjects)
	}
	for _, key := range []string{"/Size", "/Index"} {
		for rest := data; ; {
			i := bytes.Index(rest, []byte(key))
			if i < 0 {
				break
			}
			rest = rest[i+len(key):]
			// /Size N, or /Index [a b c d ...]: each start + count.
			toks := pdfInts(rest, 64)
			if key == "/Size" && len(toks) > 0 && toks[0] > maxObjects {
				return tooMany(toks[0])
			}
			for k := 0; key == "/Index" && k+1 < len(toks); k += 2 {
				if toks[k]+toks[k+1] > maxObjects {
					return tooMany(toks[k] + toks[k+1])
				}
			}
		}
	}
	// xref tables: "xref" then subsections "start count" of count entries.
	for rest := data; ; {
		i := bytes.Index(rest, []byte("xref"))
		if i < 0 {
			break
		}
		start := i > 0 && bytes.HasSuffix(rest[:i], []byte("start"))
		rest = rest[i+4:]
		if start {
			continue
		}
		f := fieldsUntil(rest, "trailer", 3*maxObjects)
		for k := 0; k+1 < len(f); {
			a, err1 := strconv.ParseInt(f[k], 10, 64)
			b, err2 := strconv.ParseInt(f[k+1], 10, 64)
			if err1 != nil || err2 != nil {
				break
			}
			if a < 0 || b < 0 || a+b > maxObjects {
				return tooMany(a + b)
			}
			k += 2 + 3*int(b)
		}
	}
	return ""
}

// pdfInts reads up to n integers from the start of b, skipping white
// space and a '[', stopping at anything else.
func pdfInts(b []byte, n int) []int64 {
	var out []int64
	for len(out) < n {
		b = bytes.TrimLeft(b, " \t\r\n\f\x00[")
		j := 0
		for j < len(b) && j < 19 && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j == 0 {
			break
		}
		v, _ := strconv.ParseInt(string(b[:j]), 10, 64)
		out = append(out, v)
		b = b[j:]
	}
	return out
}

// fieldsUntil splits b at white space up to the word stop, at most n fields.
func fieldsUntil(b []byte, stop string, n int) []string {
	var out []string
	for len(out) < n {
		b = bytes.TrimLeft(b, " \t\r\n\f\x00")
		j := bytes.IndexAny(b, " \t\r\n\f\x00")
		if j < 0 {
			j = len(b)
		}
		if j == 0 || string(b[:j]) == stop {
			break
		}
		out = append(out, string(b[:j]))
		b = b[j:]
	}
	return out
}

// pdfText collects the text of a PDF's pages.
type pdfText struct {
	w     *textWriter
	pages int
	left  int64 // inflated content still allowed for the file
	// per page
	pageLeft int64
	sep      bool // the last thing written was white space
}

// walk visits a page tree node: its kids if it has any, else it is a page.
// Resources are inherited down the tree (PDF 32000-1 §7.7.3.4).
func (x *pdfText) walk(node, res pdf.Value, depth int) error {
	if depth > maxTreeDepth {
		return fmt.Errorf("the page tree is more than %d levels deep", maxTreeDepth)
	}
	if r := node.Key("Resources"); !r.IsNull() {
		res = r
	}
	kids := node.Key("Kids")
	if node.Key("Type").Name() == "Pages" || kids.Kind() == pdf.Array {
		for i := 0; i < kids.Len(); i++ {
			if err := x.walk(kids.Index(i), res, depth+1); err != nil {
				return err
			}
			if x.w.Full() {
				return nil
			}
		}
		return nil
	}
	if x.pages >= maxPages {
		return fmt.Errorf("more than %d pages", maxPages)
	}
	x.pages++
	if x.pages > 1 {
		x.w.WriteString("\n\f")
		x.sep = true
	}
	x.pageLeft = maxPageStream
	return x.content(node.Key("Contents"), res, 0)
}

// content interprets one content stream (or array of them, or a form
// XObject) for its text, after checking its inflated size.
func (x *pdfText) content(strm, res pdf.Value, depth int) error {
	if strm.IsNull() {
		return nil
	}
	if n, err := x.measure(strm); err != nil {
		return err
	} else if n > x.pageLeft || n > x.left {
		return fmt.Errorf("page %d: more than %s of content", x.pages, size(min(x.pageLeft, x.left)))
	} else {
		x.pageLeft -= n
		x.left -= n
	}
	fonts := map[string]*pdf.Font{}
	var enc pdf.TextEncoding
	font := func(name string) pdf.TextEncoding {
		f, ok := fonts[name]
		if !ok {
			v := res.Key("Font").Key(name)
			if v.IsNull() {
				return nil
			}
			f = &pdf.Font{V: v}
			fonts[name] = f
		}
		return f.Encoder()
	}
	var ty float64 // the y of the last text matrix, to tell lines apart
	var inner error
	pdf.Interpret(strm, func(stk *pdf.Stack, op string) {
		args := make([]pdf.Value, stk.Len())
		for i := len(args) - 1; i >= 0; i-- {
			args[i] = stk.Pop()
		}
		if x.w.Full() || inner != nil {
			return
		}
		switch op {
		case "Tf":
			if len(args) == 2 {
				enc = font(args[0].Name())
			}
		case "BT":
			x.space(" ")
		case "T*":
			x.space("\n")
		case "Td", "TD":
			if len(args) == 2 {
				if args[1].Float64() != 0 {
					x.space("\n")
				} else {
					x.space(" ")
				}
			}
		case "Tm":
			if len(args) == 6 {
				if y := args[5].Float64(); y != ty {
					ty = y
					x.space("\n")
				} else {
					x.space(" ")
				}
			}
		case "'", "\"":
			x.space("\n")
			if len(args) > 0 {
				x.show(enc, args[len(args)-1].RawString())
			}
		case "Tj":
			if len(args) == 1 {
				x.show(enc, args[0].RawString())
			}
		case "TJ":
			if len(args) == 1 {
				a := args[0]
				for i := 0; i < a.Len(); i++ {
					switch v := a.Index(i); v.Kind() {
					case pdf.String:
						x.show(enc, v.RawString())
					case pdf.Integer, pdf.Real:
						// A move left of more than about a fifth of an em
						// is a space between words.
						if v.Float64() < -180 {
							x.space(" ")
						}
					}
				}
			}
		case "Do":
			if len(args) == 1 && depth < maxFormDepth {
				xo := res.Key("XObject").Key(args[0].Name())
				if xo.Key("Subtype").Name() == "Form" {
					fres := xo.Key("Resources")
					if fres.IsNull() {
						fres = res
					}
					inner = x.content(xo, fres, depth+1)
				}
			}
		}
	})
	return inner
}

// measure inflates a content stream (or each of an array of them) to
// count its bytes, stopping past the page's allowance.
func (x *pdfText) measure(strm pdf.Value) (int64, error) {
	limit := min(x.pageLeft, x.left) + 1
	count := func(v pdf.Value) (int64, error) {
		if v.Kind() != pdf.Stream {
			return 0, nil
		}
		rc := v.Reader()
		defer rc.Close()
		return io.Copy(io.Discard, io.LimitReader(rc, limit))
	}
	if strm.Kind() != pdf.Array {
		return count(strm)
	}
	var total int64
	for i := 0; i < strm.Len() && total < limit; i++ {
		n, err := count(strm.Index(i))
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

func (x *pdfText) show(enc pdf.TextEncoding, raw string) {
	var s string
	if enc == nil {
		s = raw
	} else {
		s = enc.Decode(raw)
	}
	if s == "" {
		return
	}
	x.w.WriteString(s)
	last := s[len(s)-1]
	x.sep = last == ' ' || last == '\n' || last == '\t'
}

func (x *pdfText) space(s string) {
	if x.sep {
		return
	}
	x.w.WriteString(s)
	x.sep = true
}
