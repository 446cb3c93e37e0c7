// Package extracttest builds small, valid documents for tests: PDFs with
// and without a text layer, docx, xlsx and odt files, written here from the
// formats' specifications (PDF 32000-1, ECMA-376, OASIS ODF 1.2), not taken
// from anywhere. It is used by tests only.
package extracttest

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"fmt"
	"sort"
	"strings"
)

// PDF returns a PDF of one page per string, each drawn in Helvetica with
// Tj, one line per "\n"; if compress is set the content streams are
// FlateDecode-compressed, as most producers write them.
func PDF(compress bool, pages ...string) []byte {
	var contents []string
	for _, p := range pages {
		var b strings.Builder
		b.WriteString("BT /F1 12 Tf 72 720 Td 14 TL\n")
		for i, line := range strings.Split(p, "\n") {
			if i > 0 {
				b.WriteString("T*\n")
			}
			fmt.Fprintf(&b, "(%s) Tj\n", pdfEscape(line))
		}
		b.WriteString("ET\n")
		contents = append(contents, b.String())
	}
	return buildPDF(contents, compress, false)
}

// ImagePDF returns a PDF of one page that shows only an image (a 2x2 grey
// bitmap), as a scanner makes: no text layer.
func ImagePDF() []byte {
	return buildPDF([]string{"q 200 0 0 200 72 500 cm /Im1 Do Q\n"}, false, true)
}

func pdfEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`)
	return r.Replace(s)
}

// Objects returns a PDF of the given objects, numbered from 1 (object 1
// must be the catalog), with the xref table at their exact offsets: for
// tests that need a structure PDF and ImagePDF do not make.
func Objects(objs ...string) []byte {
	var out bytes.Buffer
	out.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = out.Len()
		fmt.Fprintf(&out, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return out.Bytes()
}

// Stream is a PDF stream object holding data, FlateDecode-compressed if
// compress is set.
func Stream(dict string, data []byte, compress bool) string {
	filter := ""
	if compress {
		var z bytes.Buffer
		zw := zlib.NewWriter(&z)
		zw.Write(data)
		zw.Close()
		data, filter = z.Bytes(), " /Filter /FlateDecode"
	}
	return fmt.Sprintf("<< %s /Length %d%s >>\nstream\n%s\nendstream", dict, len(data), filter, data)
}

// buildPDF writes the objects: 1 catalog, 2 page tree, 3 font, 4 image,
// then a page and its content per page, and the xref table with the exact
// byte offsets.
func buildPDF(contents []string, compress, image bool) []byte {
	var objs []string
	n := len(contents)
	kids := make([]string, n)
	for i := range contents {
		kids[i] = fmt.Sprintf("%d 0 R", 5+2*i)
	}
	objs = append(objs,
		"<< /Type /Catalog /Pages 2 0 R >>",
		fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), n),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		"<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length 4 >>\nstream\n\x00\x80\x80\xff\nendstream",
	)
	for i, c := range contents {
		res := "/Font << /F1 3 0 R >>"
		if image {
			res = "/XObject << /Im1 4 0 R >>"
		}
		objs = append(objs, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << %s >> /Contents %d 0 R >>", res, 6+2*i))
		data, filter := []byte(c), ""
		if compress {
			var z bytes.Buffer
			zw := zlib.NewWriter(&z)
			zw.Write(data)
			zw.Close()
			data, filter = z.Bytes(), " /Filter /FlateDecode"
		}
		objs = append(objs, fmt.Sprintf("<< /Length %d%s >>\nstream\n%s\nendstream", len(data), filter, data))
	}
	return Objects(objs...)
}

// DOCX returns a Word document with one paragraph per string.
func DOCX(paras ...string) []byte {
	var body strings.Builder
	for _, p := range paras {
		fmt.Fprintf(&body, `<w:p><w:r><w:t xml:space="preserve">%s</w:t></w:r></w:p>`, xmlEscape(p))
	}
	return Zip(map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`,
		"_rels/.rels": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`,
		"word/document.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body.String() + `</w:body></w:document>`,
	})
}

// XLSX returns a workbook of one sheet named name; each row's cells are
// written as shared strings.
func XLSX(name string, rows ...[]string) []byte {
	var shared []string
	index := map[string]int{}
	var sheet strings.Builder
	for r, row := range rows {
		fmt.Fprintf(&sheet, `<row r="%d">`, r+1)
		for c, cell := range row {
			i, ok := index[cell]
			if !ok {
				i = len(shared)
				index[cell] = i
				shared = append(shared, cell)
			}
			fmt.Fprintf(&sheet, `<c r="%c%d" t="s"><v>%d</v></c>`, 'A'+c, r+1, i)
		}
		sheet.WriteString(`</row>`)
	}
	var sst strings.Builder
	for _, s := range shared {
		fmt.Fprintf(&sst, `<si><t>%s</t></si>`, xmlEscape(s))
	}
	const ns = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	return Zip(map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>`,
		"xl/workbook.xml": `<?xml version="1.0" encoding="UTF-8"?><workbook ` + ns + ` xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="` +
			xmlEscape(name) + `" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
		"xl/sharedStrings.xml":       `<?xml version="1.0" encoding="UTF-8"?><sst ` + ns + `>` + sst.String() + `</sst>`,
		"xl/worksheets/sheet1.xml":   `<?xml version="1.0" encoding="UTF-8"?><worksheet ` + ns + `><sheetData>` + sheet.String() + `</sheetData></worksheet>`,
	})
}

// ODT returns an OpenDocument text with one paragraph per string.
func ODT(paras ...string) []byte {
	var body strings.Builder
	for _, p := range paras {
		fmt.Fprintf(&body, `<text:p>%s</text:p>`, xmlEscape(p))
	}
	return Zip(map[string]string{
		"mimetype": "application/vnd.oasis.opendocument.text",
		"content.xml": `<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>` +
			body.String() + `</office:text></office:body></office:document-content>`,
	})
}

// Zip returns a zip of the given files, deflated ("mimetype" stored first,
// as ODF asks).
func Zip(files map[string]string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	if m, ok := files["mimetype"]; ok {
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: "mimetype", Method: zip.Store})
		w.Write([]byte(m))
	}
	var names []string
	for n := range files {
		if n != "mimetype" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		w, _ := zw.Create(n)
		w.Write([]byte(files[n]))
	}
	zw.Close()
	return b.Bytes()
}

func xmlEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
