package extract

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Zip limits, so that an office file cannot make foi inflate without end
// (a zip bomb) or hold a huge part in memory. XML parts are streamed, never
// held whole, but a spreadsheet's shared strings are kept while its sheets
// are read: they count against the total like everything else.
const (
	maxZipEntries = 10000
	// maxPart is the most one part may declare or inflate to.
	maxPart = 64 << 20
	// maxInflated is the most all parts read from one file may inflate to.
	maxInflated = 128 << 20
	// maxRatio is the most a part may inflate per compressed byte: office
	// XML compresses 10 to 30 times, a bomb thousands of times.
	maxRatio = 200
	// maxSheets and maxSharedStrings bound a spreadsheet.
	maxSheets        = 500
	maxSharedStrings = 2_000_000
)

var errInflated = errors.New("more than the limit of inflated data (a zip bomb?)")

// zipDoc is an office file opened for reading within the limits.
type zipDoc struct {
	files map[string]*zip.File
	left  int64 // inflated bytes still allowed
}

// openZip opens data as a zip within the limits; reason is "" on success.
func openZip(data []byte) (*zipDoc, string) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, "not a valid zip container: " + err.Error()
	}
	if len(zr.File) > maxZipEntries {
		return nil, fmt.Sprintf("the zip holds %d entries, more than the %d foi reads", len(zr.File), maxZipEntries)
	}
	z := &zipDoc{files: make(map[string]*zip.File, len(zr.File)), left: maxInflated}
	for _, f := range zr.File {
		z.files[strings.TrimPrefix(f.Name, "/")] = f
	}
	return z, ""
}

// open returns a reader of one part that stops at the limits; ok is false
// when there is no such part.
func (z *zipDoc) open(name string) (io.ReadCloser, bool, error) {
	f, ok := z.files[name]
	if !ok {
		return nil, false, nil
	}
	if f.UncompressedSize64 > maxPart {
		return nil, true, fmt.Errorf("declares %s inflated, more than the %s foi reads (a zip bomb?)", size(int64(min(f.UncompressedSize64, 1<<62))), size(maxPart))
	}
	if f.CompressedSize64 > 0 && f.UncompressedSize64/f.CompressedSize64 > maxRatio {
		return nil, true, fmt.Errorf("inflates %d times (a zip bomb?)", f.UncompressedSize64/f.CompressedSize64)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, true, err
	}
	return &limitedPart{rc: rc, z: z, left: maxPart}, true, nil
}

// limitedPart counts what it inflates against the part's and the file's
// limits, whatever the zip's headers claim (archive/zip also refuses a part
// longer than its declared size).
type limitedPart struct {
	rc   io.ReadCloser
	z    *zipDoc
	left int64
}

func (p *limitedPart) Read(b []byte) (int, error) {
	if p.left <= 0 || p.z.left <= 0 {
		return 0, errInflated
	}
	if int64(len(b)) > p.left {
		b = b[:p.left]
	}
	if int64(len(b)) > p.z.left {
		b = b[:p.z.left]
	}
	n, err := p.rc.Read(b)
	p.left -= int64(n)
	p.z.left -= int64(n)
	return n, err
}

func (p *limitedPart) Close() error { return p.rc.Close() }

// zipKind tells the office formats apart by their parts.
func zipKind(data []byte, ext, mt string) string {
	z, reason := openZip(data)
	if reason != "" {
		// Damaged: still read as the kind its name says, so that the
		// reason is given.
		switch ext {
		case ".docx", ".xlsx", ".odt", ".ods":
			return ext[1:]
		}
		return ""
	}
	switch {
	case z.files["word/document.xml"] != nil:
		return "docx"
	case z.files["xl/workbook.xml"] != nil:
		return "xlsx"
	case z.files["mimetype"] != nil && z.files["content.xml"] != nil:
		switch {
		case ext == ".ods", strings.Contains(mt, "spreadsheet"):
			return "ods"
		case ext == ".odt", strings.Contains(mt, "opendocument.text"):
			return "odt"
		}
		// The mimetype entry names the kind; it is stored, a few bytes.
		if rc, ok, err := z.open("mimetype"); ok && err == nil {
			b, _ := io.ReadAll(io.LimitReader(rc, 200))
			rc.Close()
			switch strings.TrimSpace(string(b)) {
			case "application/vnd.oasis.opendocument.text":
				return "odt"
			case "application/vnd.oasis.opendocument.spreadsheet":
				return "ods"
			}
		}
	}
	switch ext {
	case ".docx", ".xlsx", ".odt", ".ods":
		// Named so but without its parts: read as that kind, to say so.
		return ext[1:]
	}
	return ""
}

// readDOCX writes the text of a Word document: the body, then footnotes,
// endnotes, headers and footers (where a letter's "Our ref" often is).
// Paragraphs end in a newline, tabs and breaks are kept; deleted tracked
// changes (w:delText) and field codes (w:instrText) are not text.
func readDOCX(data []byte, w *textWriter) string {
	z, reason := openZip(data)
	if reason != "" {
		return reason
	}
	parts := []string{"word/document.xml", "word/footnotes.xml", "word/endnotes.xml"}
	var extra []string
	for name := range z.files {
		if strings.HasPrefix(name, "word/header") || strings.HasPrefix(name, "word/footer") {
			if strings.HasSuffix(name, ".xml") && !strings.Contains(name[5:], "/") {
				extra = append(extra, name)
			}
		}
	}
	sort.Strings(extra)
	parts = append(parts, extra...)
	for i, name := range parts {
		rc, ok, err := z.open(name)
		if !ok {
			if i == 0 {
				return "a docx without word/document.xml"
			}
			continue
		}
		if err == nil {
			err = docxText(rc, w)
			rc.Close()
		}
		if err != nil {
			return fmt.Sprintf("%s: %v", name, err)
		}
		if w.Full() {
			break
		}
	}
	return ""
}

func docxText(r io.Reader, w *textWriter) error {
	d := xml.NewDecoder(r)
	inText := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "t":
				inText = true
			case "tab", "ptab":
				w.WriteString("\t")
			case "br", "cr":
				w.WriteString("\n")
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				w.WriteString("\n")
			case "tc":
				w.WriteString("\t")
			}
		case xml.CharData:
			if inText {
				w.WriteString(string(t))
			}
		}
		if w.Full() {
			return nil
		}
	}
}

// readXLSX writes each sheet of a workbook: a line with the sheet's name,
// then one line per row with its cells separated by tabs. Strings come from
// the shared-strings table or inline; numbers and formula results as stored.
func readXLSX(data []byte, w *textWriter) string {
	z, reason := openZip(data)
	if reason != "" {
		return reason
	}
	shared, err := sharedStrings(z)
	if err != nil {
		return "xl/sharedStrings.xml: " + err.Error()
	}
	sheets, err := sheetList(z)
	if err != nil {
		return err.Error()
	}
	if len(sheets) > maxSheets {
		sheets = sheets[:maxSheets]
	}
	for _, sh := range sheets {
		rc, ok, err := z.open(sh.part)
		if !ok {
			continue
		}
		if sh.name != "" {
			w.WriteString(sh.name + "\n")
		}
		if err == nil {
			err = sheetText(rc, shared, w)
			rc.Close()
		}
		if err != nil {
			return fmt.Sprintf("%s: %v", sh.part, err)
		}
		w.WriteString("\n")
		if w.Full() {
			break
		}
	}
	return ""
}

// sharedStrings reads xl/sharedStrings.xml: each <si> is one string, the
// concatenation of its <t> elements, phonetic runs (<rPh>) left out.
func sharedStrings(z *zipDoc) ([]string, error) {
	rc, ok, err := z.open("xl/sharedStrings.xml")
	if !ok || err != nil {
		return nil, err
	}
	defer rc.Close()
	d := xml.NewDecoder(rc)
	var list []string
	var cur strings.Builder
	inT, inPh := false, false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return list, nil
		}
		if err != nil {
			return list, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "si":
				cur.Reset()
			case "t":
				inT = true
			case "rPh":
				inPh = true
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "si":
				if len(list) >= maxSharedStrings {
					return list, fmt.Errorf("more than %d shared strings", maxSharedStrings)
				}
				list = append(list, cur.String())
			case "t":
				inT = false
			case "rPh":
				inPh = false
			}
		case xml.CharData:
			if inT && !inPh && cur.Len() < 1<<20 {
				cur.Write(t)
			}
		}
	}
}

type sheet struct{ name, part string }

// sheetList names the worksheets in workbook order, from xl/workbook.xml
// and its relationships; a workbook whose relationships cannot be followed
// gets its worksheets in file order, unnamed.
func sheetList(z *zipDoc) ([]sheet, error) {
	type rel struct {
		ID     string `xml:"Id,attr"`
		Target string `xml:"Target,attr"`
	}
	var rels struct {
		List []rel `xml:"Relationship"`
	}
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	decode := func(name string, v any) error {
		rc, ok, err := z.open(name)
		if !ok {
			return fmt.Errorf("%s is missing", name)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		defer rc.Close()
		if err := xml.NewDecoder(rc).Decode(v); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return nil
	}
	var list []sheet
	if decode("xl/workbook.xml", &wb) == nil && decode("xl/_rels/workbook.xml.rels", &rels) == nil {
		target := map[string]string{}
		for _, r := range rels.List {
			t := r.Target
			if strings.HasPrefix(t, "/") {
				t = strings.TrimPrefix(t, "/")
			} else {
				t = path.Join("xl", t)
			}
			target[r.ID] = t
		}
		for _, s := range wb.Sheets {
			if t, ok := target[s.RID]; ok && z.files[t] != nil {
				list = append(list, sheet{name: s.Name, part: t})
			}
		}
	}
	if len(list) > 0 {
		return list, nil
	}
	for name := range z.files {
		if strings.HasPrefix(name, "xl/worksheets/") && strings.HasSuffix(name, ".xml") && !strings.Contains(name[len("xl/worksheets/"):], "/") {
			list = append(list, sheet{part: name})
		}
	}
	sort.Slice(list, func(i, j int) bool { return sheetNum(list[i].part) < sheetNum(list[j].part) })
	return list, nil
}

func sheetNum(part string) int {
	s := strings.TrimSuffix(strings.TrimPrefix(part, "xl/worksheets/sheet"), ".xml")
	n, err := strconv.Atoi(s)
	if err != nil {
		return 1 << 30
	}
	return n
}

// sheetText writes one worksheet's rows. A cell of type "s" holds an index
// into the shared strings; "inlineStr" its text in <is>; anything else
// (numbers, booleans, formula results) its <v> as stored.
func sheetText(r io.Reader, shared []string, w *textWriter) error {
	d := xml.NewDecoder(r)
	var cellType string
	var val strings.Builder
	inV, inIs, inT := false, false, false
	cells := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "row":
				cells = 0
			case "c":
				cellType = ""
				for _, a := range t.Attr {
					if a.Name.Local == "t" {
						cellType = a.Value
					}
				}
				val.Reset()
			case "v":
				inV = true
			case "is":
				inIs = true
			case "t":
				inT = true
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "row":
				w.WriteString("\n")
			case "c":
				s := val.String()
				if cellType == "s" {
					s = ""
					if i, err := strconv.Atoi(strings.TrimSpace(val.String())); err == nil && i >= 0 && i < len(shared) {
						s = shared[i]
					}
				}
				if s != "" {
					if cells > 0 {
						w.WriteString("\t")
					}
					w.WriteString(s)
					cells++
				}
			case "v":
				inV = false
			case "is":
				inIs = false
			case "t":
				inT = false
			}
		case xml.CharData:
			if (inV || inIs && inT) && val.Len() < 1<<20 {
				val.Write(t)
			}
		}
		if w.Full() {
			return nil
		}
	}
}

// readODF writes the text of an OpenDocument text or spreadsheet
// (content.xml): paragraphs and headings end in a newline, <text:s/>,
// <text:tab/> and <text:line-break/> are kept, table cells are separated by
// tabs and rows by newlines. Annotations are left out.
func readODF(data []byte, w *textWriter) string {
	z, reason := openZip(data)
	if reason != "" {
		return reason
	}
	rc, ok, err := z.open("content.xml")
	if !ok {
		return "an OpenDocument file without content.xml"
	}
	if err != nil {
		return "content.xml: " + err.Error()
	}
	defer rc.Close()
	d := xml.NewDecoder(rc)
	inBody, skip, cell := false, 0, 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return ""
		}
		if err != nil {
			return "content.xml: " + err.Error()
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "body":
				inBody = true
			case "annotation":
				skip++
			case "table-cell":
				cell++
			case "s":
				n := 1
				for _, a := range t.Attr {
					if a.Name.Local == "c" {
						if c, err := strconv.Atoi(a.Value); err == nil && c > 0 && c < 100 {
							n = c
						}
					}
				}
				w.WriteString(strings.Repeat(" ", n))
			case "tab":
				w.WriteString("\t")
			case "line-break":
				w.WriteString("\n")
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "body":
				inBody = false
			case "annotation":
				skip--
			case "p", "h":
				switch {
				case skip > 0:
				case cell > 0:
					w.WriteString(" ")
				default:
					w.WriteString("\n")
				}
			case "table-cell":
				cell--
				w.WriteString("\t")
			case "table-row":
				w.WriteString("\n")
			}
		case xml.CharData:
			if inBody && skip == 0 {
				w.WriteString(string(t))
			}
		}
		if w.Full() {
			return ""
		}
	}
}
