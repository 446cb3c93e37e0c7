//go:build ignore

// Command main writes the attachment files of the inbox test corpus into
// testdata/files: tiny but well-formed PDFs, a CSV in UTF-8 and one in
// ISO-8859-1, an .xlsx, a .zip, a PNG and a TNEF winmail.dat holding two of
// them. The output is deterministic; the corpus .eml files embed these bytes
// (base64) and the tests compare what Parse extracts against them.
//
// Run from the inbox directory: go run ./testdata/gen/main.go
package main

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log"
	"os"
	"path/filepath"
	"time"
)

func main() {
	dir := filepath.Join("testdata", "files")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		log.Fatal(err)
	}
	summaryCSV := []byte("Question,Answer\r\n1. Band 7 LXP posts,4\r\n2. Band 6 LXP posts,9\r\n3. Vacancies,1\r\n")
	files := map[string][]byte{
		"response.pdf":        pdf("Response to FOI request FOI/23/0456"),
		"lxp-posts.pdf":       pdf("Lived experience practitioner posts 2025"),
		"job-description.pdf": pdf("Job description: Band 7 Lived Experience Practitioner"),
		"lxp-roles.csv":       []byte("Team,Band,WTE,Annual cost\nCommunity East,7,1.0,£52809\nCrisis Team,6,2.0,£87460\nInpatient Ward 3,7,0.6,£31685\n"),
		// The pound sign is the single byte 0xA3 in ISO-8859-1.
		"costs-latin1.csv": []byte("Service,Cost\r\nPeer support,\xa3120000\r\nTraining,\xa34500\r\n"),
		"tnef-summary.csv": summaryCSV,
		"lxp-roles.xlsx":   xlsx(),
		"logo.png":         pngPixel(),
	}
	files["documents.zip"] = zipOf(map[string][]byte{
		"job-description.pdf": files["job-description.pdf"],
		"readme.txt":          []byte("Documents released under FOI request FOI/24/0315.\n"),
	})
	files["winmail.dat"] = tnefOf([]tnefFile{
		{"tnef-summary.csv", summaryCSV},
		{"response.pdf", files["response.pdf"]},
	}, "Please find attached the Trust's response to your request.\r\n")
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

// pdf returns a one-page PDF showing text, with a correct cross-reference table.
func pdf(text string) []byte {
	stream := fmt.Sprintf("BT /F1 12 Tf 72 770 Td (%s) Tj ET", text)
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

var fixedTime = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// zipOf returns a zip archive of files, in name order, with fixed times.
func zipOf(files map[string][]byte) []byte {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, name := range sortedKeys(files) {
		f, err := w.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: fixedTime})
		if err != nil {
			log.Fatal(err)
		}
		if _, err := f.Write(files[name]); err != nil {
			log.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	return b.Bytes()
}

func sortedKeys(m map[string][]byte) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	for i := range keys {
		for j := i + 1; j < len(keys); j++ {
			if keys[j] < keys[i] {
				keys[i], keys[j] = keys[j], keys[i]
			}
		}
	}
	return keys
}

// xlsx returns a minimal Office Open XML workbook with one sheet.
func xlsx() []byte {
	cell := func(ref, s string) string {
		return fmt.Sprintf(`<c r="%s" t="inlineStr"><is><t>%s</t></is></c>`, ref, s)
	}
	num := func(ref, n string) string { return fmt.Sprintf(`<c r="%s"><v>%s</v></c>`, ref, n) }
	sheet := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
		`<row r="1">` + cell("A1", "Team") + cell("B1", "Band") + cell("C1", "WTE") + `</row>` +
		`<row r="2">` + cell("A2", "Community East") + num("B2", "7") + num("C2", "1") + `</row>` +
		`<row r="3">` + cell("A3", "Crisis Team") + num("B3", "6") + num("C3", "2") + `</row>` +
		`</sheetData></worksheet>`
	return zipOf(map[string][]byte{
		"[Content_Types].xml": []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
			`</Types>`),
		"_rels/.rels": []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>` +
			`</Relationships>`),
		"xl/workbook.xml": []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			`<sheets><sheet name="LXP roles" sheetId="1" r:id="rId1"/></sheets></workbook>`),
		"xl/_rels/workbook.xml.rels": []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
			`</Relationships>`),
		"xl/worksheets/sheet1.xml": []byte(sheet),
	})
}

func pngPixel() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 1, 1))
	img.Set(0, 0, color.RGBA{R: 0, G: 94, B: 184, A: 255}) // NHS blue
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		log.Fatal(err)
	}
	return b.Bytes()
}

// TNEF (MS-OXTNEF): a signature, a key, then attributes, each
//
//	level (1 byte: 1 message, 2 attachment)
//	id (uint32: low word attribute, high word type)
//	length (uint32), data, checksum (uint16: sum of the data bytes)
const (
	lvlMessage    = 1
	lvlAttachment = 2

	attTnefVersion     = 0x00089006
	attOemCodepage     = 0x00069007
	attMessageClass    = 0x00078008
	attMAPIProps       = 0x00069003
	attAttachRendData  = 0x00069002
	attAttachTitle     = 0x00018010
	attAttachData      = 0x0006800f
	attAttachment      = 0x00069005
	ptString8          = 0x001e
	prBody             = 0x1000
	prAttachLongFile   = 0x3707
	tnefSignatureBytes = 0x223e9f78
)

type tnefFile struct {
	name string
	data []byte
}

func tnefOf(files []tnefFile, body string) []byte {
	var b bytes.Buffer
	le32 := func(v uint32) { binary.Write(&b, binary.LittleEndian, v) }
	le16 := func(v uint16) { binary.Write(&b, binary.LittleEndian, v) }
	attr := func(level byte, id uint32, data []byte) {
		b.WriteByte(level)
		le32(id)
		le32(uint32(len(data)))
		b.Write(data)
		var sum uint16
		for _, c := range data {
			sum += uint16(c)
		}
		le16(sum)
	}
	u32 := func(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

	le32(tnefSignatureBytes)
	le16(0x0001) // legacy key
	attr(lvlMessage, attTnefVersion, u32(0x00010000))
	attr(lvlMessage, attOemCodepage, append(u32(1252), u32(0)...))
	attr(lvlMessage, attMessageClass, []byte("IPM.Microsoft Mail.Note\x00"))
	attr(lvlMessage, attMAPIProps, mapiStrings(map[uint16]string{prBody: body}))
	for _, f := range files {
		rend := []byte{}
		rend = binary.LittleEndian.AppendUint16(rend, 1)          // file attachment
		rend = binary.LittleEndian.AppendUint32(rend, 0xffffffff) // position
		rend = binary.LittleEndian.AppendUint16(rend, 32)         // render width
		rend = binary.LittleEndian.AppendUint16(rend, 32)         // render height
		rend = binary.LittleEndian.AppendUint32(rend, 0)          // flags
		attr(lvlAttachment, attAttachRendData, rend)
		attr(lvlAttachment, attAttachTitle, []byte(f.name+"\x00"))
		attr(lvlAttachment, attAttachData, f.data)
		attr(lvlAttachment, attAttachment, mapiStrings(map[uint16]string{prAttachLongFile: f.name}))
	}
	return b.Bytes()
}

// mapiStrings encodes a MAPI property block of PT_STRING8 properties.
func mapiStrings(props map[uint16]string) []byte {
	var b []byte
	b = binary.LittleEndian.AppendUint32(b, uint32(len(props)))
	for id, v := range props {
		data := append([]byte(v), 0)
		b = binary.LittleEndian.AppendUint16(b, ptString8)
		b = binary.LittleEndian.AppendUint16(b, id)
		b = binary.LittleEndian.AppendUint32(b, 1) // one value
		b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))
		b = append(b, data...)
		for len(b)%4 != 0 {
			b = append(b, 0)
		}
	}
	return b
}
