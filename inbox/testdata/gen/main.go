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
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf16"
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
	// Round 2 (issue 13): a CSV large enough to need regular CFB sectors,
	// and an Outlook .msg holding it and the response letter.
	var large bytes.Buffer
	large.WriteString("Team,Band,Post,WTE\r\n")
	for i := 1; large.Len() < 6000; i++ {
		fmt.Fprintf(&large, "Team %03d,%d,Lived Experience Practitioner,%d.%d\r\n", i, 6+i%2, i%3, i%10)
	}
	files["staffing-large.csv"] = large.Bytes()
	files["not-held-letter.pdf"] = pdf("Dear Requester. The Trust does not hold the information you requested.")
	files["reply.msg"] = outlookMSG("RE: Freedom of Information request [LXP7-051]: Band 7 LXP roles",
		"Jo Bloggs", "jo.bloggs@trust-051.nhs.example",
		"Dear Requester,\r\n\r\nPlease find attached the Trust's response to your request, and the staffing table.\r\n\r\nJo Bloggs\r\nWorkforce Information\r\n",
		[]msgAttachment{
			{"FOI LXP7-051 response.pdf", "application/pdf", files["response.pdf"]},
			{"staffing-large.csv", "text/csv", files["staffing-large.csv"]},
		})
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			log.Fatal(err)
		}
	}

	// Corpus messages that carry these files in the ways issue 13 names.
	corpus := map[string]string{
		"49-uuencoded-body.eml": "Received: from gw.trust-049.example ([203.0.113.49])\r\n" +
			"\tby mx.campaign.example.org (Postfix) with ESMTP id 49UuEnC\r\n" +
			"\tfor <campaign@campaign.example.org>; Tue,  3 Mar 2026 09:12:40 +0000 (GMT)\r\n" +
			"From: FOI Office <trust049.foi@nhs.net>\r\n" +
			"To: campaign@campaign.example.org\r\n" +
			"Subject: RE: Freedom of Information request LXP7-49\r\n" +
			"Date: Tue, 3 Mar 2026 09:12:31 +0000\r\n" +
			"Message-ID: <uu.0049.20260303@gw.trust-049.example>\r\n" +
			"X-Mailer: Internet Mail Service (5.5.2653.19)\r\n" +
			"\r\n" +
			"Dear Requester,\r\n\r\n" +
			"Please find attached the information requested: the job description and\r\nthe staffing table.\r\n\r\n" +
			uuencode("job-description.pdf", files["job-description.pdf"]) + "\r\n" +
			uuencode(`C:\FOI\Out\LXP roles.csv`, files["lxp-roles.csv"]) + "\r\n" +
			"Kind regards,\r\nInformation Governance\r\n",
		"51-outlook-msg-attachment.eml": "Received: from mail.trust-051.nhs.example ([203.0.113.51])\r\n" +
			"\tby mx.campaign.example.org (Postfix) with ESMTPS id 51MsGaT\r\n" +
			"\tfor <campaign@campaign.example.org>; Tue,  3 Mar 2026 11:02:10 +0000 (GMT)\r\n" +
			"From: FOI <foi@trust-051.nhs.example>\r\n" +
			"To: campaign@campaign.example.org\r\n" +
			"Subject: FW: FOI request - Band 7 LXP roles\r\n" +
			"Date: Tue, 3 Mar 2026 11:02:04 +0000\r\n" +
			"Message-ID: <DB9PR01MB0051.20260303110204@trust-051.nhs.example>\r\n" +
			"MIME-Version: 1.0\r\n" +
			"Content-Type: multipart/mixed; boundary=\"_004_msg_\"\r\n" +
			"\r\n" +
			"--_004_msg_\r\n" +
			"Content-Type: text/plain; charset=\"us-ascii\"\r\n" +
			"\r\n" +
			"Please see the attached email from our Workforce team.\r\n\r\nFOI Team\r\n\r\n" +
			"--_004_msg_\r\n" +
			"Content-Type: application/octet-stream; name=\"RE Freedom of Information request LXP7-051.msg\"\r\n" +
			"Content-Disposition: attachment; filename=\"RE Freedom of Information request LXP7-051.msg\"\r\n" +
			"Content-Transfer-Encoding: base64\r\n" +
			"\r\n" +
			b64lines(files["reply.msg"]) +
			"--_004_msg_--\r\n",
	}
	for name, text := range corpus {
		if err := os.WriteFile(filepath.Join("testdata", "corpus", name), []byte(text), 0o644); err != nil {
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

// Compound File Binary (MS-CFB), version 3: 512-byte sectors, 64-byte mini
// sectors for streams under 4096 bytes. Written from the specification:
// a header, the FAT, the directory, the mini FAT, the mini stream (the root
// entry's stream), then the large streams.
const (
	cfbFree       = 0xFFFFFFFF
	cfbEndOfChain = 0xFFFFFFFE
	cfbFATSect    = 0xFFFFFFFD
	cfbNoStream   = 0xFFFFFFFF
	cfbSector     = 512
	cfbMini       = 64
	cfbCutoff     = 4096
)

// cfbNode is a storage (children) or a stream (data).
type cfbNode struct {
	name     string
	storage  bool
	data     []byte
	children []*cfbNode
}

func cfbStream(name string, data []byte) *cfbNode { return &cfbNode{name: name, data: data} }
func cfbStorage(name string, children ...*cfbNode) *cfbNode {
	return &cfbNode{name: name, storage: true, children: children}
}

// cfbLess is the directory's order: shorter names first, then by upper case.
func cfbLess(a, b string) bool {
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	if len(ua) != len(ub) {
		return len(ua) < len(ub)
	}
	return strings.ToUpper(a) < strings.ToUpper(b)
}

func cfbOf(root []*cfbNode) []byte {
	type entry struct {
		node               *cfbNode
		typ                byte
		left, right, child uint32
		start              uint32
		size               uint64
	}
	entries := []*entry{{node: &cfbNode{name: "Root Entry", storage: true, children: root}, typ: 5, left: cfbNoStream, right: cfbNoStream, child: cfbNoStream}}
	// Number the entries depth first; each storage's children form a chain
	// of right siblings in directory order (a valid, if unbalanced, tree
	// whose nodes are all black).
	var number func(e *entry)
	number = func(e *entry) {
		kids := append([]*cfbNode{}, e.node.children...)
		for i := range kids {
			for j := i + 1; j < len(kids); j++ {
				if cfbLess(kids[j].name, kids[i].name) {
					kids[i], kids[j] = kids[j], kids[i]
				}
			}
		}
		var prev *entry
		for _, k := range kids {
			ke := &entry{node: k, typ: 2, left: cfbNoStream, right: cfbNoStream, child: cfbNoStream}
			if k.storage {
				ke.typ = 1
			}
			id := uint32(len(entries))
			entries = append(entries, ke)
			if prev == nil {
				e.child = id
			} else {
				prev.right = id
			}
			prev = ke
			if k.storage {
				number(ke)
			}
		}
	}
	number(entries[0])

	// The mini stream and the mini FAT.
	var mini []byte
	var miniFAT []uint32
	var large []*entry
	for _, e := range entries[1:] {
		if e.typ != 2 {
			continue
		}
		e.size = uint64(len(e.node.data))
		if len(e.node.data) >= cfbCutoff {
			large = append(large, e)
			continue
		}
		if len(e.node.data) == 0 {
			e.start = cfbEndOfChain
			continue
		}
		e.start = uint32(len(mini) / cfbMini)
		n := (len(e.node.data) + cfbMini - 1) / cfbMini
		for i := 0; i < n; i++ {
			next := uint32(len(miniFAT) + 1)
			if i == n-1 {
				next = cfbEndOfChain
			}
			miniFAT = append(miniFAT, next)
		}
		mini = append(mini, e.node.data...)
		for len(mini)%cfbMini != 0 {
			mini = append(mini, 0)
		}
	}

	sectors := func(n int) int { return (n + cfbSector - 1) / cfbSector }
	dirSectors := sectors(len(entries) * 128)
	miniFATSectors := sectors(len(miniFAT) * 4)
	miniSectors := sectors(len(mini))
	largeSectors := 0
	for _, e := range large {
		largeSectors += sectors(len(e.node.data))
	}
	fatSectors := 1
	for (fatSectors+dirSectors+miniFATSectors+miniSectors+largeSectors+127)/128 > fatSectors {
		fatSectors++
	}
	if fatSectors > 109 {
		log.Fatal("cfb: file too large for a header-only DIFAT")
	}
	var fat []uint32
	chain := func(n int) uint32 {
		if n == 0 {
			return cfbEndOfChain
		}
		first := uint32(len(fat))
		for i := 0; i < n; i++ {
			next := uint32(len(fat) + 1)
			if i == n-1 {
				next = cfbEndOfChain
			}
			fat = append(fat, next)
		}
		return first
	}
	for i := 0; i < fatSectors; i++ {
		fat = append(fat, cfbFATSect)
	}
	dirStart := chain(dirSectors)
	miniFATStart := chain(miniFATSectors)
	miniStart := chain(miniSectors)
	for _, e := range large {
		e.start = chain(sectors(len(e.node.data)))
	}
	entries[0].start, entries[0].size = miniStart, uint64(len(mini))
	if len(mini) == 0 {
		entries[0].start = cfbEndOfChain
	}
	for len(fat)%128 != 0 {
		fat = append(fat, cfbFree)
	}

	var b bytes.Buffer
	le16 := func(v uint16) { binary.Write(&b, binary.LittleEndian, v) }
	le32 := func(v uint32) { binary.Write(&b, binary.LittleEndian, v) }
	pad := func() {
		for b.Len()%cfbSector != 0 {
			b.WriteByte(0)
		}
	}
	// Header.
	b.Write([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	b.Write(make([]byte, 16)) // CLSID
	le16(0x003E)              // minor version
	le16(0x0003)              // major version 3
	le16(0xFFFE)              // byte order: little-endian
	le16(9)                   // sector shift: 512
	le16(6)                   // mini sector shift: 64
	b.Write(make([]byte, 6))  // reserved
	le32(0)                   // directory sectors (0 in version 3)
	le32(uint32(fatSectors))
	le32(dirStart)
	le32(0) // transaction signature
	le32(cfbCutoff)
	le32(miniFATStart)
	le32(uint32(miniFATSectors))
	le32(cfbEndOfChain) // first DIFAT sector: none
	le32(0)             // DIFAT sectors
	for i := 0; i < 109; i++ {
		if i < fatSectors {
			le32(uint32(i))
		} else {
			le32(cfbFree)
		}
	}
	// FAT.
	for _, v := range fat {
		le32(v)
	}
	// Directory.
	for _, e := range entries {
		name := utf16.Encode([]rune(e.node.name))
		var nb [64]byte
		for i, u := range name {
			binary.LittleEndian.PutUint16(nb[2*i:], u)
		}
		b.Write(nb[:])
		le16(uint16(2 * (len(name) + 1)))
		b.WriteByte(e.typ)
		b.WriteByte(1) // black
		le32(e.left)
		le32(e.right)
		le32(e.child)
		b.Write(make([]byte, 16)) // CLSID
		le32(0)                   // state bits
		b.Write(make([]byte, 16)) // creation and modification times
		le32(e.start)
		binary.Write(&b, binary.LittleEndian, e.size)
	}
	for b.Len()%cfbSector != 0 {
		// Unused entries: empty, no siblings.
		b.Write(make([]byte, 64))
		le16(0)
		b.WriteByte(0)
		b.WriteByte(0)
		le32(cfbNoStream)
		le32(cfbNoStream)
		le32(cfbNoStream)
		b.Write(make([]byte, 36))
		le32(0)
		b.Write(make([]byte, 8))
	}
	// Mini FAT, mini stream, large streams.
	for _, v := range miniFAT {
		le32(v)
	}
	if len(miniFAT) > 0 {
		for b.Len()%cfbSector != 0 {
			le32(cfbFree)
		}
	}
	b.Write(mini)
	pad()
	for _, e := range large {
		b.Write(e.node.data)
		pad()
	}
	return b.Bytes()
}

// Outlook message (MS-OXMSG): properties as "__substg1.0_IIIITTTT" streams.
func utf16z(s string) []byte {
	var out []byte
	for _, u := range utf16.Encode([]rune(s)) {
		out = binary.LittleEndian.AppendUint16(out, u)
	}
	return out
}

func msgProp(id, typ uint16, data []byte) *cfbNode {
	return cfbStream(fmt.Sprintf("__substg1.0_%04X%04X", id, typ), data)
}

type msgAttachment struct {
	name, mime string
	data       []byte
}

// outlookMSG returns a .msg holding one message with the given attachments.
func outlookMSG(subject, senderName, senderAddr, body string, files []msgAttachment) []byte {
	// The properties stream of the top-level message: a 32-byte header
	// (reserved, next recipient ID, next attachment ID, recipient count,
	// attachment count, reserved), then fixed-size properties (none here
	// besides the counts).
	props := make([]byte, 32)
	binary.LittleEndian.PutUint32(props[8:], 1)
	binary.LittleEndian.PutUint32(props[12:], uint32(len(files)))
	binary.LittleEndian.PutUint32(props[16:], 1)
	binary.LittleEndian.PutUint32(props[20:], uint32(len(files)))
	root := []*cfbNode{
		cfbStream("__properties_version1.0", props),
		msgProp(0x001A, 0x001F, utf16z("IPM.Note")),
		msgProp(0x0037, 0x001F, utf16z(subject)),
		msgProp(0x0C1A, 0x001F, utf16z(senderName)),
		msgProp(0x0C1F, 0x001F, utf16z(senderAddr)),
		msgProp(0x5D01, 0x001F, utf16z(senderAddr)),
		msgProp(0x1000, 0x001F, utf16z(body)),
		cfbStorage("__nameid_version1.0",
			cfbStream("__substg1.0_00020102", nil),
			cfbStream("__substg1.0_00030102", nil),
			cfbStream("__substg1.0_00040102", nil)),
		cfbStorage("__recip_version1.0_#00000000",
			cfbStream("__properties_version1.0", make([]byte, 8)),
			msgProp(0x3001, 0x001F, utf16z("FOI Team")),
			msgProp(0x39FE, 0x001F, utf16z("foi@trust-051.nhs.example"))),
	}
	for i, f := range files {
		// PidTagAttachMethod (0x3705, PtypInteger32) = 1, by value, as a
		// fixed-size property: tag, flags, value, padding.
		aprops := make([]byte, 8, 24)
		aprops = binary.LittleEndian.AppendUint32(aprops, 0x37050003)
		aprops = binary.LittleEndian.AppendUint32(aprops, 0x6)
		aprops = binary.LittleEndian.AppendUint32(aprops, 1)
		aprops = binary.LittleEndian.AppendUint32(aprops, 0)
		short := f.name
		if len(short) > 12 {
			short = short[:8] + short[len(short)-4:]
		}
		root = append(root, cfbStorage(fmt.Sprintf("__attach_version1.0_#%08X", i),
			cfbStream("__properties_version1.0", aprops),
			msgProp(0x3707, 0x001F, utf16z(f.name)),
			msgProp(0x3704, 0x001F, utf16z(short)),
			msgProp(0x370E, 0x001F, utf16z(f.mime)),
			msgProp(0x3701, 0x0102, f.data)))
	}
	return cfbOf(root)
}

// uuencode encodes data the historical way (POSIX uuencode without -m):
// lines of up to 45 bytes, "`" for zero, a zero-length line and "end".
func uuencode(name string, data []byte) string {
	var b strings.Builder
	fmt.Fprintf(&b, "begin 644 %s\r\n", name)
	enc := func(v byte) byte {
		if v == 0 {
			return '`'
		}
		return v + ' '
	}
	for i := 0; i < len(data); i += 45 {
		line := data[i:min(i+45, len(data))]
		b.WriteByte(enc(byte(len(line))))
		for j := 0; j < len(line); j += 3 {
			var g [3]byte
			copy(g[:], line[j:])
			b.WriteByte(enc(g[0] >> 2))
			b.WriteByte(enc((g[0]<<4 | g[1]>>4) & 63))
			b.WriteByte(enc((g[1]<<2 | g[2]>>6) & 63))
			b.WriteByte(enc(g[2] & 63))
		}
		b.WriteString("\r\n")
	}
	b.WriteString("`\r\nend\r\n")
	return b.String()
}

// b64lines is base64 in lines of 76 characters.
func b64lines(data []byte) string {
	s := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	b.WriteString(s + "\r\n")
	return b.String()
}
