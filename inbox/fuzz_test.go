package inbox

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseAndMatch runs the whole reading of a message — Parse, Match,
// Classify, ClassifyWith, TakeUnmatched, and ParseHeader — on arbitrary
// bytes. None of it may panic, and what Parse returns must hold together
// (checkInvariants). Seeds: the corpus (uuencoded bodies, an Outlook .msg,
// RFC 2047 inside RFC 2231 names, gateway bounces and auto-replies among
// them), the TNEF and .msg files alone, the decoders' own inputs (uuencoded
// blocks, encoded words), and hand-made hostile inputs in
// testdata/fuzz/FuzzParseAndMatch (nested messages, broken TNEF, odd DSNs,
// file-name parameters, truncated .msg, damaged uuencoding), where any
// crasher found later is kept too.
func FuzzParseAndMatch(f *testing.F) {
	paths, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.eml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	tnef, err := os.ReadFile(filepath.Join("testdata", "files", "winmail.dat"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(append([]byte("From: a@b.example\r\nContent-Type: application/ms-tnef; name=winmail.dat\r\nContent-Transfer-Encoding: binary\r\n\r\n"), tnef...))
	f.Add([]byte("From: a@b.example\r\nSubject: [LXP7-001]\r\n\r\nOur ref: FOI/23/0456\r\n"))
	msg, err := os.ReadFile(filepath.Join("testdata", "files", "reply.msg"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(append([]byte("From: a@b.example\r\nContent-Type: application/vnd.ms-outlook; name=r.msg\r\nContent-Transfer-Encoding: binary\r\n\r\n"), msg...))
	f.Add([]byte("From: a@b.example\r\nSubject: RE: LXP7 004\r\n\r\nbegin 644 a.txt\r\n#86)C\r\n`\r\nend\r\nbegin-base64 600 b.bin\r\nYWJj\r\n====\r\n"))
	f.Add([]byte("From: a@b.example\r\nContent-Type: text/plain; name*0=\"=?UTF-8?Q?M=C3\"; name*1=\"=BC?=\"\r\nContent-Disposition: attachment; filename==?utf-8?b?w6k?=\r\n\r\nx"))

	idx := newTestIndex()
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, _ := Parse(raw)
		checkInvariants(t, m)
		r := Match(m, idx)
		if r.Ref != "" && !idx.IsRef(r.Ref) {
			t.Errorf("Match gave %q, which the Index does not know", r.Ref)
		}
		Classify(m)
		ClassifyWith(m, []string{m.Text, m.Subject})
		TakeUnmatched(m, r, idx)

		h, _ := ParseHeader(bytes.NewReader(raw))
		if h == nil {
			t.Fatal("ParseHeader returned nil")
		}
		Match(h, idx)
		Classify(h)
	})
}
