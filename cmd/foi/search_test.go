package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"foi/extract/extracttest"
)

// eiaLetter asks the campaign's question: our own letters hold the words
// searched for, and must not be found.
const eiaLetter = `Dear {{.Authority.Name}},

Was the decision subject to an Equality Impact Assessment?

Please quote our reference {{.Request.Ref}}.

Yours faithfully,
{{.Requester.Name}}
`

// file is an attachment of a reply built by replyWith.
type file struct {
	name, ctype string
	data        []byte
}

// replyWith builds an authority's answer to a sent letter, with files.
func replyWith(t *testing.T, sent []byte, n int, body string, files ...file) []byte {
	to := strings.Trim(header(t, sent, "To"), "<>")
	id := header(t, sent, "Message-Id")
	var b strings.Builder
	fmt.Fprintf(&b, "From: FOI Officer <%s>\r\nTo: campaign@foi.test\r\nSubject: RE: your request %d\r\n"+
		"Message-ID: <search-%d-%d@nhs.test>\r\nIn-Reply-To: %s\r\nDate: Tue, 3 Mar 2026 10:00:00 +0000\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n"+
		"--b0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", to, n, n, time.Now().UnixNano(), id, body)
	for _, f := range files {
		fmt.Fprintf(&b, "--b0\r\nContent-Type: %s\r\nContent-Disposition: attachment; filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n", f.ctype, f.name)
		enc := base64.StdEncoding.EncodeToString(f.data)
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc + "\r\n")
	}
	b.WriteString("--b0--\r\n")
	return []byte(b.String())
}

// TestSearchFindsRepliesAndFiles (issue 11, acceptance): replies filed
// through the real inbox, from an in-process IMAP server, with PDF, DOCX,
// XLSX and scanned-PDF attachments; `foi search "Equality Impact
// Assessment"` finds the reply and the PDF and DOCX that hold the words,
// and nothing else (not our letters, not a reply with only some of the
// words, not a reply that only quotes our question); the scanned PDF is
// reported as having no text layer. foi reindex reads everything again and
// finds the same.
func TestSearchFindsRepliesAndFiles(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.must("authorities", "import", e.writeFile("trusts.csv", trustsCSV(5)))
	e.must("campaign", "new", "LXP7", "--title", "Band 7 roles", "--letter", e.writeFile("letter.txt", eiaLetter), "--authorities", "all")
	e.must("send", "LXP7")
	sent := e.mail.Received()
	if len(sent) != 5 {
		t.Fatalf("%d letters sent, want 5", len(sent))
	}
	refOf := func(i int) string { return fmt.Sprintf("LXP7-%03d", i+1) }
	// Which letter went to which request: by the reference in its subject.
	byRef := map[string][]byte{}
	for _, m := range sent {
		for i := range 5 {
			if strings.Contains(header(t, m.Data, "Subject"), "["+refOf(i)+"]") {
				byRef[refOf(i)] = m.Data
			}
		}
	}
	eia := "The decision was subject to an Equality Impact Assessment, completed in May 2025."
	replies := []struct {
		ref   string
		body  string
		files []file
	}{
		{"LXP7-001", "Dear requester,\r\n\r\nYes. " + eia + "\r\n\r\nFOI Team", nil},
		{"LXP7-002", "Please find our response attached.", []file{
			{"response.pdf", "application/pdf", extracttest.PDF(true, "Freedom of Information response", "Question 2. "+eia)},
			{"logo.png", "image/png", []byte("\x89PNG\r\n\x1a\nnot really")}}},
		{"LXP7-003", "Please find our response attached.", []file{
			{"letter.docx", "application/octet-stream", extracttest.DOCX("Dear requester,", eia)},
			{"figures.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", extracttest.XLSX("Posts", []string{"Band", "Posts"}, []string{"7", "2"})}}},
		{"LXP7-004", "Our response is attached.\r\n\r\nOn 2 Mar 2026, LXP wrote:\r\n> Was the decision subject to an Equality Impact Assessment?", []file{{"scan.pdf", "application/pdf", extracttest.ImagePDF()}}},
		{"LXP7-005", "There was no assessment of the impact on equality: see attached.", []file{
			{"note.pdf", "application/pdf", extracttest.PDF(false, "Equality matters. Impact unknown.")}}},
	}
	for i, r := range replies {
		e.mail.Deliver("INBOX", replyWith(t, byRef[r.ref], i, r.body, r.files...), time.Now())
	}
	start := time.Now()
	e.must("sync")
	t.Logf("sync of %d replies with %d files: %s", len(replies), 7, time.Since(start))

	check := func(when string) {
		t.Helper()
		var res struct {
			Hits []struct {
				Ref, File, From, Subject string
				Snippet                  []struct {
					Text  string
					Match bool
				}
			}
			Unread []struct{ Ref, Name, Status, Reason string }
		}
		if err := json.Unmarshal([]byte(e.must("search", "Equality Impact Assessment", "--json")), &res); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range res.Hits {
			got = append(got, h.Ref+" "+h.File)
			var marked []string
			for _, p := range h.Snippet {
				if p.Match {
					marked = append(marked, p.Text)
				}
			}
			if strings.Join(marked, " ") != "Equality Impact Assessment" {
				t.Errorf("%s: %s %s: marked %q in %+v, want the three words", when, h.Ref, h.File, marked, h.Snippet)
			}
		}
		want := []string{"LXP7-001 ", "LXP7-002 response.pdf", "LXP7-003 letter.docx"}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s: search found %q, want %q", when, got, want)
		}
		var unread []string
		for _, u := range res.Unread {
			unread = append(unread, u.Ref+" "+u.Name+" "+u.Status)
		}
		wantUnread := []string{"LXP7-002 logo.png unsupported", "LXP7-004 scan.pdf no-text"}
		if strings.Join(unread, "|") != strings.Join(wantUnread, "|") {
			t.Errorf("%s: unread %q, want %q", when, unread, wantUnread)
		}
	}
	check("after sync")

	out := e.must("search", "Equality Impact Assessment")
	for _, want := range []string{
		`3 results for "Equality Impact Assessment"`,
		"LXP7-001", "RE: your request 0",
		"«Equality» «Impact» «Assessment»",
		"file response.pdf, attached to reply",
		"file letter.docx, attached to reply",
		"2 files could not be read",
		"scan.pdf: no text layer",
		"LXP7-002   logo.png: an image, and foi does no OCR",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("foi search output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "LXP7-005") {
		t.Errorf("LXP7-005 (the words, not the phrase) found:\n%s", out)
	}
	// Words given apart are found anywhere: LXP7-005's body too (its PDF
	// lacks "assessment").
	if out := e.must("search", "equality", "impact", "assessment", "--campaign", "lxp7"); !strings.Contains(out, "4 results") || !strings.Contains(out, "LXP7-005") {
		t.Errorf("three words apart:\n%s", out)
	}
	if out := e.must("search", "posts"); !strings.Contains(out, "file figures.xlsx") {
		t.Errorf("search posts:\n%s", out)
	}
	if code, _, stderr := e.foi("search", "x", "--campaign", "NOPE"); code != 1 || !strings.Contains(stderr, "no campaign") {
		t.Errorf("unknown campaign: %d %q", code, stderr)
	}
	if code, _, _ := e.foi("search", `""`); code != 2 {
		t.Errorf("empty query: exit %d, want 2", code)
	}

	// Rebuilt from the stored files: the same results.
	st := openStore(t, e)
	if _, err := st.DB().Exec(`DELETE FROM file_texts`); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if out := e.must("search", "Equality Impact Assessment"); !strings.Contains(out, "not read yet") {
		t.Errorf("after the texts were lost, search does not say so:\n%s", out)
	}
	out = e.must("reindex")
	if !strings.Contains(out, "Read 6 files") || !strings.Contains(out, "scan.pdf: no text layer") {
		t.Errorf("reindex:\n%s", out)
	}
	check("after reindex")
}
