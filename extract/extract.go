// Package extract reads the plain text of an attachment, so that replies
// can be searched and classified by what their attached letters say.
//
// One function, Text, takes a file's name, its declared content type and
// its bytes, and returns a Result: the text and a Status saying whether the
// text could be read (StatusOK), the file has no text to read (StatusNoText:
// a scanned PDF, an empty sheet), foi does not read this kind of file
// (StatusUnsupported: images, archives, ...), or the file is damaged or
// beyond the limits (StatusUnreadable, with the reason). Nothing about the
// file is ever a panic; every outcome is a Status that the caller stores, so
// that a file that could not be read is listed as such, never skipped.
//
// How a file is read:
//  1. The kind is decided from the bytes first (a PDF header, a zip holding
//     word/document.xml, ...), then from the name's extension, then from the
//     content type: mail gateways often send everything as
//     application/octet-stream.
//  2. txt and csv: decoded as UTF-8 (or, if not valid UTF-8, as
//     Windows-1252, which is what old office software writes); html (a
//     letter saved as a web page) the same, then made text by
//     github.com/inbucket/html2text, as the mail parser does for bodies.
//  3. docx, xlsx and odt: the zip is read through zipLimits (entry count,
//     each entry's declared and actual uncompressed size, the total), so
//     that a zip bomb is refused rather than inflated; then the XML parts
//     are streamed for their text runs.
//  4. PDF: the text layer, page by page, through github.com/ledongthuc/pdf
//     (BSD-3-Clause, the Go team's rsc.io/pdf maintained by its fork). A
//     PDF whose pages carry no text (a scan) is StatusNoText; there is no
//     OCR. See pdf.go for the library's limits and how they are contained.
//
// Every reader is bounded: the input by MaxInput, the text by MaxText
// (longer text is cut, Result.Truncated says so), and the time by Timeout.
// Text is safe for concurrent use; the package has no state.
package extract

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/inbucket/html2text"
	"golang.org/x/text/encoding/charmap"
)

// Status says what could be done with a file.
type Status string

// The outcomes of reading a file.
const (
	StatusOK          Status = "ok"
	StatusNoText      Status = "no-text"
	StatusUnsupported Status = "unsupported"
	StatusUnreadable  Status = "unreadable"
)

// Describe is the status in words, as a user reads it after the file's
// name: "report.pdf: no text layer".
func (s Status) Describe() string {
	switch s {
	case StatusOK:
		return "text read"
	case StatusNoText:
		return "no text layer"
	case StatusUnsupported:
		return "not a kind of file foi reads"
	case StatusUnreadable:
		return "could not be read"
	}
	return string(s)
}

// Limits. An attachment larger than MaxInput is not read at all; text past
// MaxText is cut; a file that takes longer than Timeout is given up.
const (
	MaxInput = 64 << 20
	MaxText  = 2 << 20
	Timeout  = 20 * time.Second
)

// Version numbers the extraction rules. A stored text made by an older
// version can be made again by `foi reindex`.
const Version = 1

// Result is what Text read from one file.
type Result struct {
	Status Status `json:"status"`
	// Format is the kind of file as read: "txt", "csv", "docx", "xlsx",
	// "odt", "ods", "html", "pdf", or "" when unsupported.
	Format string `json:"format,omitempty"`
	Text   string `json:"text,omitempty"`
	// Reason says why the status is not ok, in words for the user
	// ("page 3: malformed content stream", "encrypted PDF").
	Reason string `json:"reason,omitempty"`
	// Truncated: the text was longer than MaxText and was cut.
	Truncated bool `json:"truncated,omitempty"`
	// Pages is the number of pages of a PDF (0 for other kinds).
	Pages int `json:"pages,omitempty"`
}

// ErrUnreadable is wrapped by the error Text returns with StatusUnreadable.
var ErrUnreadable = errors.New("extract: file could not be read")

// Text reads the plain text of a file. The Result is always filled in and
// is to be stored whatever it says; err is non-nil exactly when the status
// is StatusUnreadable, and then wraps ErrUnreadable and repeats the reason
// (so a caller that only wants text can test err). Text never panics.
func Text(name, contentType string, data []byte) (Result, error) {
	return textWithin(name, contentType, data, Timeout)
}

// textWithin is Text with another time limit (tests).
func textWithin(name, contentType string, data []byte, timeout time.Duration) (Result, error) {
	res := read(name, contentType, data, timeout)
	if res.Status == StatusUnreadable {
		return res, fmt.Errorf("%w: %s: %s", ErrUnreadable, safeName(name), res.Reason)
	}
	return res, nil
}

func read(name, contentType string, data []byte, timeout time.Duration) (res Result) {
	format := Detect(name, contentType, data)
	res.Format = format
	if len(data) > MaxInput {
		res.Status, res.Reason = StatusUnreadable, fmt.Sprintf("the file is %s, larger than the %s that foi reads", size(int64(len(data))), size(MaxInput))
		return res
	}
	defer func() {
		// The readers are written not to panic; this is the last guard, so
		// that a fault in foi or a library is one file's status.
		if r := recover(); r != nil {
			res = Result{Format: format, Status: StatusUnreadable, Reason: fmt.Sprintf("the %s reader failed: %v", format, r)}
		}
	}()
	var w textWriter
	switch format {
	case "txt", "csv":
		w.WriteString(decodeText(data))
	case "docx":
		res.Reason = readDOCX(data, &w)
	case "xlsx":
		res.Reason = readXLSX(data, &w)
	case "odt", "ods":
		res.Reason = readODF(data, &w)
	case "html":
		res.Reason = readHTML(data, &w)
	case "pdf":
		res.Pages, res.Reason = readPDF(data, &w, timeout)
	default:
		res.Status, res.Format = StatusUnsupported, ""
		if res.Reason = kindOf(name, contentType); res.Reason == "" {
			res.Reason = "foi reads text from txt, csv, html, docx, xlsx, odt and PDF files"
		}
		return res
	}
	res.Text, res.Truncated = w.result()
	switch {
	case res.Reason != "":
		res.Status = StatusUnreadable
		if strings.TrimSpace(res.Text) != "" {
			// Part was read before the fault: keep it, and the reason.
			res.Status = StatusOK
			res.Reason = "partly read: " + res.Reason
		}
	case strings.TrimSpace(res.Text) == "":
		res.Status, res.Text = StatusNoText, ""
		if format == "pdf" {
			res.Reason = "a scanned or image-only PDF; foi does no OCR"
		} else {
			res.Reason = "the file holds no text"
		}
	default:
		res.Status = StatusOK
	}
	return res
}

// Detect names the kind of file, from its bytes first, then its name's
// extension, then its content type: "txt", "csv", "docx", "xlsx", "odt",
// "ods", "html", "pdf", or "" for a kind that Text does not read.
func Detect(name, contentType string, data []byte) string {
	ext := strings.ToLower(path.Ext(strings.ReplaceAll(name, `\`, "/")))
	mt, _, _ := mime.ParseMediaType(contentType)
	mt = strings.ToLower(mt)
	head := data
	if len(head) > 1024 {
		head = head[:1024]
	}
	switch {
	case bytes.Contains(head, []byte("%PDF-")):
		return "pdf"
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return zipKind(data, ext, mt)
	}
	switch ext {
	case ".txt", ".text", ".log", ".md":
		return "txt"
	case ".htm", ".html":
		return "html"
	case ".csv", ".tsv":
		return "csv"
	case ".pdf", ".docx", ".xlsx", ".odt", ".ods":
		// Named so but not the bytes of one: read as that kind, so that the
		// reason names what is wrong with it.
		return ext[1:]
	}
	switch mt {
	case "text/plain":
		return "txt"
	case "text/html":
		return "html"
	case "text/csv", "text/tab-separated-values":
		return "csv"
	case "application/pdf":
		return "pdf"
	case "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
		return "docx"
	case "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
		return "xlsx"
	case "application/vnd.oasis.opendocument.text":
		return "odt"
	case "application/vnd.oasis.opendocument.spreadsheet":
		return "ods"
	}
	return ""
}

// kindOf is the reason given for a file that Text does not read.
func kindOf(name, contentType string) string {
	ext := strings.ToLower(path.Ext(name))
	switch ext {
	case ".doc", ".xls", ".ppt", ".rtf":
		return "an old Microsoft Office file (" + ext + "); foi reads docx and xlsx, not the old binary formats"
	case ".png", ".jpg", ".jpeg", ".gif", ".tif", ".tiff", ".bmp", ".heic":
		return "an image; foi does no OCR"
	case ".zip", ".7z", ".rar", ".gz":
		return "an archive; foi does not unpack archives"
	case ".msg", ".eml":
		return "an attached email"
	case ".pptx", ".odp":
		return "a presentation; foi reads documents and spreadsheets"
	}
	if strings.HasPrefix(strings.ToLower(contentType), "image/") {
		return "an image; foi does no OCR"
	}
	return ""
}

// decodeText turns a text file's bytes into UTF-8: as UTF-8 (a byte-order
// mark dropped) when they are valid, else as Windows-1252. UTF-16 with a
// byte-order mark is decoded too (Excel's "Unicode text").
func decodeText(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\xef\xbb\xbf")):
		b = b[3:]
	case bytes.HasPrefix(b, []byte("\xff\xfe")), bytes.HasPrefix(b, []byte("\xfe\xff")):
		return utf16Text(b)
	}
	if utf8.Valid(b) {
		return string(b)
	}
	s, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(s)
}

func utf16Text(b []byte) string {
	big := b[0] == 0xfe
	b = b[2:]
	var sb strings.Builder
	var units []uint16
	for i := 0; i+1 < len(b); i += 2 {
		if big {
			units = append(units, uint16(b[i])<<8|uint16(b[i+1]))
		} else {
			units = append(units, uint16(b[i+1])<<8|uint16(b[i]))
		}
	}
	for i := 0; i < len(units); i++ {
		u := units[i]
		switch {
		case u >= 0xd800 && u < 0xdc00 && i+1 < len(units) && units[i+1] >= 0xdc00 && units[i+1] < 0xe000:
			sb.WriteRune(rune(u-0xd800)<<10 | rune(units[i+1]-0xdc00) + 0x10000)
			i++
		case u >= 0xd800 && u < 0xe000:
			sb.WriteRune(utf8.RuneError)
		default:
			sb.WriteRune(rune(u))
		}
	}
	return sb.String()
}

// maxHTML bounds an HTML file: its parse tree takes several times its size.
const maxHTML = 8 << 20

func readHTML(data []byte, w *textWriter) string {
	if len(data) > maxHTML {
		return fmt.Sprintf("an HTML file of %s, larger than the %s foi reads", size(int64(len(data))), size(maxHTML))
	}
	s, err := html2text.FromString(decodeText(data), html2text.Options{OmitLinks: true, TextOnly: true})
	if err != nil {
		return "damaged HTML: " + err.Error()
	}
	w.WriteString(s)
	return ""
}

// textWriter collects text up to MaxText bytes, cut at a rune boundary.
type textWriter struct {
	b    strings.Builder
	full bool
}

func (w *textWriter) WriteString(s string) {
	if w.full {
		return
	}
	if room := MaxText - w.b.Len(); len(s) > room {
		for room > 0 && !utf8.RuneStart(s[room]) {
			room--
		}
		s, w.full = s[:room], true
	}
	w.b.WriteString(s)
}

// Full reports whether MaxText is reached: readers stop early.
func (w *textWriter) Full() bool { return w.full }

func (w *textWriter) result() (string, bool) {
	return strings.ToValidUTF8(w.b.String(), "\uFFFD"), w.full
}

// safeName is a file name fit for an error message: one line, not too long.
func safeName(name string) string {
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(name, "?"))
	if len(name) > 120 {
		cut := 120
		for cut > 0 && !utf8.RuneStart(name[cut]) {
			cut--
		}
		name = name[:cut] + "..."
	}
	if name == "" {
		return "(no name)"
	}
	return name
}

func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
