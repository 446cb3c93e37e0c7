package extract_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"foi/extract"
	"foi/extract/extracttest"
)

const eia = "The decision was subject to an Equality Impact Assessment (EIA)."

func TestText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, ctype string
		data        []byte
		status      extract.Status
		format      string
		want        []string // substrings of the text
	}{
		{"reply.txt", "text/plain", []byte("Dear requester,\r\n" + eia + "\r\n"), extract.StatusOK, "txt", []string{eia}},
		{"data.csv", "application/octet-stream", []byte("trust,answer\nNorth,\"yes, Band 7\"\n"), extract.StatusOK, "csv", []string{"yes, Band 7"}},
		{"latin1.txt", "text/plain", []byte("Caf\xe9 \x93quoted\x94"), extract.StatusOK, "txt", []string{"Café “quoted”"}},
		{"utf16.txt", "text/plain", []byte("\xff\xfeO\x00K\x00 \x00\xac\x20"), extract.StatusOK, "txt", []string{"OK €"}},
		{"response.pdf", "application/pdf", extracttest.PDF(false, "Dear requester,\n"+eia, "Page two (with brackets)"), extract.StatusOK, "pdf", []string{eia, "Page two (with brackets)"}},
		{"compressed.pdf", "application/octet-stream", extracttest.PDF(true, eia), extract.StatusOK, "pdf", []string{eia}},
		{"scan.pdf", "application/pdf", extracttest.ImagePDF(), extract.StatusNoText, "pdf", nil},
		{"letter.docx", "application/octet-stream", extracttest.DOCX("Dear requester,", eia), extract.StatusOK, "docx", []string{"Dear requester,\n" + eia}},
		{"answers.xlsx", "", extracttest.XLSX("Answers", []string{"Question", "Answer"}, []string{"EIA done?", "Yes"}), extract.StatusOK, "xlsx", []string{"Answers\nQuestion\tAnswer\nEIA done?\tYes"}},
		{"letter.odt", "", extracttest.ODT("Dear requester,", eia), extract.StatusOK, "odt", []string{eia}},
		{"letter.htm", "application/octet-stream", []byte("<html><head><style>p{color:red}</style></head><body><p>Dear requester,</p><p>The decision was subject to an <b>Equality Impact Assessment</b> (EIA).</p></body></html>"), extract.StatusOK, "html", []string{"Dear requester,", "subject to an Equality Impact Assessment"}},
		{"photo.jpg", "image/jpeg", []byte("\xff\xd8\xff\xe0 not really"), extract.StatusUnsupported, "", nil},
		{"old.doc", "application/msword", []byte("\xd0\xcf\x11\xe0"), extract.StatusUnsupported, "", nil},
		{"empty.txt", "text/plain", nil, extract.StatusNoText, "txt", nil},
		{"broken.pdf", "application/pdf", []byte("%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"), extract.StatusUnreadable, "pdf", nil},
		{"truncated.pdf", "application/pdf", extracttest.PDF(false, eia)[:200], extract.StatusUnreadable, "pdf", nil},
		{"broken.docx", "", []byte("PK\x03\x04 not a zip at all"), extract.StatusUnreadable, "docx", nil},
		{"nodoc.docx", "", extracttest.Zip(map[string]string{"a.txt": "x"}), extract.StatusUnreadable, "docx", nil},
	}
	for _, tt := range tests {
		res, err := extract.Text(tt.name, tt.ctype, tt.data)
		if res.Status != tt.status || res.Format != tt.format {
			t.Errorf("Text(%s) = %s/%q (%s), want %s/%q", tt.name, res.Status, res.Format, res.Reason, tt.status, tt.format)
			continue
		}
		if (err != nil) != (tt.status == extract.StatusUnreadable) || err != nil && !errors.Is(err, extract.ErrUnreadable) {
			t.Errorf("Text(%s) error = %v with status %s", tt.name, err, res.Status)
		}
		if tt.status != extract.StatusOK && res.Reason == "" {
			t.Errorf("Text(%s): status %s without a reason", tt.name, res.Status)
		}
		for _, w := range tt.want {
			if !strings.Contains(res.Text, w) {
				t.Errorf("Text(%s) text = %q, want it to contain %q", tt.name, res.Text, w)
			}
		}
	}
}

func TestPDFPagesAndReason(t *testing.T) {
	t.Parallel()
	res, _ := extract.Text("a.pdf", "", extracttest.PDF(true, "one", "two", "three"))
	if res.Pages != 3 || !strings.Contains(res.Text, "one") || !strings.Contains(res.Text, "three") {
		t.Errorf("3 pages: got %d pages, text %q", res.Pages, res.Text)
	}
	res, _ = extract.Text("scan.pdf", "", extracttest.ImagePDF())
	if !strings.Contains(res.Reason, "scanned") || res.Status.Describe() != "no text layer" {
		t.Errorf("scan: reason %q, describe %q", res.Reason, res.Status.Describe())
	}
	// PDF 2.0 header, junk before the header and after %%EOF (gateways).
	p := extracttest.PDF(false, eia)
	p20 := append([]byte("X-Junk: 1\r\n"), bytes.Replace(p, []byte("%PDF-1.4"), []byte("%PDF-2.0"), 1)...)
	p20 = append(p20, bytes.Repeat([]byte("-- scanned by gateway --\n"), 10)...)
	if res, _ := extract.Text("v2.pdf", "", p20); res.Status != extract.StatusOK || !strings.Contains(res.Text, eia) {
		t.Errorf("PDF 2.0 with junk: %s %q %q", res.Status, res.Reason, res.Text)
	}
}

// A hostile PDF: a cross-reference table naming billions of objects must be
// refused before anything is allocated for them.
func TestPDFHugeXref(t *testing.T) {
	t.Parallel()
	p := extracttest.PDF(false, "x")
	for _, evil := range [][]byte{
		bytes.Replace(p, []byte("/Size 7"), []byte("/Size 900000000000"), 1),
		bytes.Replace(p, []byte("xref\n0 7"), []byte("xref\n4000000000 7"), 1),
	} {
		start := time.Now()
		res, _ := extract.Text("evil.pdf", "", evil)
		if res.Status != extract.StatusUnreadable || !strings.Contains(res.Reason, "objects") {
			t.Errorf("huge xref: %s %q", res.Status, res.Reason)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("huge xref took %s", d)
		}
	}
}

// A page tree that contains itself ends, and says why.
func TestPDFCyclicPageTree(t *testing.T) {
	t.Parallel()
	p := extracttest.PDF(false, "x")
	evil := bytes.Replace(p, []byte("/Kids [5 0 R]"), []byte("/Kids [2 0 R]"), 1)
	res, _ := extract.Text("cycle.pdf", "", evil)
	if res.Status != extract.StatusUnreadable || !strings.Contains(res.Reason, "deep") {
		t.Errorf("cyclic page tree: %s %q", res.Status, res.Reason)
	}
}

func TestZipBomb(t *testing.T) {
	t.Parallel()
	// 200 MB of zeros in word/document.xml: deflates to about 200 KB.
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("word/document.xml")
	zero := make([]byte, 1<<20)
	for i := 0; i < 200; i++ {
		w.Write(zero)
	}
	zw.Close()
	start := time.Now()
	res, err := extract.Text("bomb.docx", "", b.Bytes())
	if res.Status != extract.StatusUnreadable || err == nil || !strings.Contains(res.Reason, "zip bomb") {
		t.Errorf("zip bomb: %s %q %v", res.Status, res.Reason, err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("zip bomb took %s", d)
	}
	// A header that lies about the size is caught while inflating.
	data := b.Bytes()
	lied := bytes.Clone(data)
	// Patch the declared uncompressed size (local header offset 22, and the
	// central directory's copy) to 1000 bytes.
	patchSizes(lied)
	res, _ = extract.Text("lied.docx", "", lied)
	if res.Status != extract.StatusUnreadable {
		t.Errorf("lying zip: %s %q", res.Status, res.Reason)
	}
}

// patchSizes sets every declared uncompressed size in a zip to 1000.
func patchSizes(z []byte) {
	for i := 0; i+4 < len(z); i++ {
		switch {
		case bytes.Equal(z[i:i+4], []byte("PK\x03\x04")) && i+26 < len(z):
			copy(z[i+22:], []byte{0xe8, 0x03, 0, 0})
		case bytes.Equal(z[i:i+4], []byte("PK\x01\x02")) && i+28 < len(z):
			copy(z[i+24:], []byte{0xe8, 0x03, 0, 0})
		}
	}
}

func TestTextCapped(t *testing.T) {
	t.Parallel()
	big := bytes.Repeat([]byte("Equality Impact Assessment. "), extract.MaxText/20)
	res, _ := extract.Text("big.txt", "text/plain", big)
	if !res.Truncated || len(res.Text) > extract.MaxText || res.Status != extract.StatusOK {
		t.Errorf("big text: truncated %v, %d bytes, %s", res.Truncated, len(res.Text), res.Status)
	}
	res, err := extract.Text("huge.txt", "text/plain", make([]byte, extract.MaxInput+1))
	if res.Status != extract.StatusUnreadable || err == nil || !strings.Contains(res.Reason, "larger than") {
		t.Errorf("huge input: %s %q", res.Status, res.Reason)
	}
}

func FuzzText(f *testing.F) {
	seeds := [][]byte{
		extracttest.PDF(false, eia, "two"),
		extracttest.PDF(true, eia),
		extracttest.ImagePDF(),
		wordProcessorPDF("EIA done"),
		extracttest.DOCX("a", eia),
		extracttest.XLSX("S", []string{"a", "b"}),
		extracttest.ODT(eia),
		[]byte("plain text\n"),
		[]byte("<html><body><p>a <b>b</b></p><table><tr><td>c</td></tr></table></body></html>"),
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, name := range []string{"f.pdf", "f.docx", "f.xlsx", "f.odt", "f.txt", "f.html"} {
			start := time.Now()
			res, err := extract.Text(name, "", data)
			if d := time.Since(start); d > 3*time.Second {
				t.Fatalf("%s: took %s", name, d)
			}
			if (err != nil) != (res.Status == extract.StatusUnreadable) {
				t.Fatalf("%s: status %s, error %v", name, res.Status, err)
			}
			if len(res.Text) > extract.MaxText {
				t.Fatalf("%s: %d bytes of text", name, len(res.Text))
			}
		}
	})
}

// A cross-reference table whose /Prev points back at itself makes the
// library loop; the deadline ends it, and the reason says so.
func TestPDFPrevCycleStopsAtDeadline(t *testing.T) {
	t.Parallel()
	p := extracttest.PDF(false, "x")
	i := bytes.LastIndex(p, []byte("startxref\n"))
	off := strings.TrimSpace(string(p[i+len("startxref\n"):]))
	off = strings.TrimSuffix(off, "%%EOF")
	off = strings.TrimSpace(off)
	evil := bytes.Replace(p, []byte("/Root 1 0 R >>"), []byte("/Root 1 0 R /Prev "+off+" >>"), 1)
	start := time.Now()
	res, err := extract.TextWithin("loop.pdf", "", evil, 300*time.Millisecond)
	d := time.Since(start)
	if res.Status != extract.StatusUnreadable || err == nil || !strings.Contains(res.Reason, "took longer than 300ms") {
		t.Errorf("Prev cycle: %s %q", res.Status, res.Reason)
	}
	if d > 3*time.Second {
		t.Errorf("Prev cycle took %s, want about 300ms", d)
	}
}

// The shape word processors write: a Type0 font with Identity-H codes and
// a ToUnicode map, words placed by TJ with kerning instead of space glyphs,
// and part of the page in a form XObject.
func TestPDFWordProcessorShape(t *testing.T) {
	t.Parallel()
	words := "Equality Impact Assessment"
	res, err := extract.Text("word.pdf", "application/pdf", wordProcessorPDF(words))
	if err != nil || res.Status != extract.StatusOK {
		t.Fatalf("Text = %s %q %v", res.Status, res.Reason, err)
	}
	if got := strings.Join(strings.Fields(res.Text), " "); got != words+" Annex B: staffing" {
		t.Errorf("text = %q, want %q (words apart, inherited resources, the form's text)", got, words+" Annex B: staffing")
	}
}

func wordProcessorPDF(words string) []byte {
	codes := map[rune]int{}
	var bfchar strings.Builder
	var tj strings.Builder
	tj.WriteString("[<")
	for _, r := range words {
		if r == ' ' {
			tj.WriteString("> -280 <") // a move left between words, no space glyph
			continue
		}
		c, ok := codes[r]
		if !ok {
			c = len(codes) + 3
			codes[r] = c
			fmt.Fprintf(&bfchar, "<%04X> <%04X>\n", c, r)
		}
		fmt.Fprintf(&tj, "%04X", c)
	}
	tj.WriteString(">] TJ")
	cmap := "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n" +
		"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n" +
		fmt.Sprintf("%d beginbfchar\n%sendbfchar\n", len(codes), bfchar.String()) +
		"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
	content := "BT /F1 11 Tf 1 0 0 1 72 700 Tm " + tj.String() + " ET\nq /Fm1 Do Q\n"
	form := "BT /F2 9 Tf 72 100 Td (Annex B: staffing) Tj ET"
	return extracttest.Objects(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 /Resources << /Font << /F1 5 0 R /F2 8 0 R >> /XObject << /Fm1 7 0 R >> >> >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
		extracttest.Stream("", []byte(content), true),
		"<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+Calibri /Encoding /Identity-H /DescendantFonts [] /ToUnicode 6 0 R >>",
		extracttest.Stream("", []byte(cmap), true),
		extracttest.Stream("/Type /XObject /Subtype /Form /BBox [0 0 612 792]", []byte(form), false),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	)
}
