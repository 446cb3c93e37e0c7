package extract_test

import (
	"fmt"
	"strings"
	"testing"

	"foi/extract"
	"foi/extract/extracttest"
)

// Typical replies' files: a 20-page letter as PDF (compressed, 45 lines a
// page), a 300-paragraph docx and a 2,000-row spreadsheet. What one costs
// is what filing a reply with it costs on top of parsing:
//
//	go test ./extract -run '^$' -bench . -benchmem
func BenchmarkText(b *testing.B) {
	line := "The Trust did not apply for the funding; an Equality Impact Assessment was not carried out."
	var pages []string
	for p := 0; p < 20; p++ {
		pages = append(pages, strings.Repeat(line+"\n", 45))
	}
	var paras []string
	for i := 0; i < 300; i++ {
		paras = append(paras, fmt.Sprintf("%d. %s", i, line))
	}
	var rows [][]string
	for i := 0; i < 2000; i++ {
		rows = append(rows, []string{fmt.Sprintf("Trust %d", i), "Band 7", fmt.Sprint(i % 13), "no EIA"})
	}
	files := []struct {
		name string
		data []byte
	}{
		{"letter20.pdf", extracttest.PDF(true, pages...)},
		{"letter.docx", extracttest.DOCX(paras...)},
		{"sheet.xlsx", extracttest.XLSX("Trusts", rows...)},
		{"scan.pdf", extracttest.ImagePDF()},
	}
	for _, f := range files {
		b.Run(f.name, func(b *testing.B) {
			b.SetBytes(int64(len(f.data)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if res, _ := extract.Text(f.name, "", f.data); res.Status != extract.StatusOK && res.Status != extract.StatusNoText {
					b.Fatalf("%s: %s %s", f.name, res.Status, res.Reason)
				}
			}
		})
	}
}
