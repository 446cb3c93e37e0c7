package inbox

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"foi/extract"
	"foi/extract/extracttest"
	"foi/localmail"
)

// replyWithFile is a reply to request i whose body says only that the
// answer is attached.
func replyWithFile(w *world, i int, name, ctype string, data []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: <%s>\r\nTo: campaign@foi.test\r\nSubject: RE: request\r\nMessage-ID: <att-%d-%s@nhs.test>\r\n"+
		"In-Reply-To: <%s>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XYZ\r\n\r\n"+
		"--XYZ\r\nContent-Type: text/plain\r\n\r\nPlease find our response attached.\r\n"+
		"--XYZ\r\nContent-Type: %s\r\nContent-Disposition: attachment; filename=\"%s\"\r\n"+
		"Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--XYZ--\r\n",
		w.reqs[i].ToAddress, i, name, w.reqs[i].MessageID, ctype, name, base64.StdEncoding.EncodeToString(data))
	return b.Bytes()
}

// TestFilingReadsAttachmentTextOnce: the text of a reply's files is read
// when it is filed, stored by the file's SHA-256 with its status, and used
// to classify a reply whose body says only "please find our response
// attached"; the same file in a second reply is not stored twice.
func TestFilingReadsAttachmentTextOnce(t *testing.T) {
	w := newWorld(t, localmail.Options{})
	ctx := context.Background()
	p := &Processor{Store: w.st}
	letter := extracttest.PDF(true, "Dear requester,\nWe do not hold the information you asked for.")
	out, err := p.Process(ctx, replyWithFile(w, 0, "response.pdf", "application/pdf", letter), "INBOX", 1, false)
	if err != nil || !out.Taken {
		t.Fatalf("Process = %+v, %v", out, err)
	}
	atts, _ := w.st.Attachments(ctx, out.ID)
	if len(atts) != 1 {
		t.Fatalf("attachments = %+v", atts)
	}
	ft, err := w.st.FileTextOf(ctx, atts[0].SHA256)
	if err != nil || ft.Status != "ok" || ft.Format != "pdf" || ft.Pages != 1 || !strings.Contains(ft.Text, "We do not hold the information") {
		t.Fatalf("stored text = %+v, %v", ft, err)
	}
	m, _ := w.st.MessageByID(ctx, out.ID)
	if m.Verdict == nil || m.Verdict.Outcome != OutcomeNotHeld {
		t.Errorf("verdict of a reply whose letter is attached = %+v, want outcome %s from the PDF's text", m.Verdict, OutcomeNotHeld)
	}
	// The same file again, and a scan.
	if _, err := p.Process(ctx, replyWithFile(w, 1, "copy.pdf", "application/pdf", letter), "INBOX", 2, false); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Process(ctx, replyWithFile(w, 2, "scan.pdf", "application/pdf", extracttest.ImagePDF()), "INBOX", 3, false); err != nil {
		t.Fatal(err)
	}
	var n int
	w.st.DB().QueryRow(`SELECT count(*) FROM file_texts`).Scan(&n)
	if n != 2 {
		t.Errorf("%d file texts stored, want 2 (the same PDF twice is read once)", n)
	}
	unread, err := w.st.UnreadFiles(ctx, "")
	if err != nil || len(unread) != 1 || unread[0].Name != "scan.pdf" || unread[0].Status != "no-text" {
		t.Errorf("unread = %+v, %v; want scan.pdf with no text layer", unread, err)
	}
	res, err := w.st.Search(ctx, "information", "")
	if err != nil || len(res.Hits) != 2 {
		t.Errorf("search information: %+v, %v; want both PDFs", res.Hits, err)
	}
	// Lost texts come back with Reindex.
	w.st.DB().Exec(`DELETE FROM file_texts`)
	rep, err := Reindex(ctx, w.st, false, p.now, p.log())
	if err != nil || rep.Files != 2 || rep.Read != 2 || len(rep.Unread) != 1 {
		t.Errorf("Reindex = %+v, %v", rep, err)
	}
	if res, _ := w.st.Search(ctx, "information", ""); len(res.Hits) != 2 {
		t.Errorf("after reindex: %d hits, want 2", len(res.Hits))
	}
}

// BenchmarkSyncWithFiles measures what reading the text of files adds to
// filing: 100 replies, each with a different 20-page PDF letter (text
// layer) or a file of the same size that is not read (random bytes):
//
//	go test ./inbox -run '^$' -bench SyncWithFiles -benchtime 3x
func BenchmarkSyncWithFiles(b *testing.B) {
	line := "The Trust did not apply for the funding; an Equality Impact Assessment was not carried out."
	for _, kind := range []string{"pdf", "unread"} {
		b.Run(kind, func(b *testing.B) {
			w := benchWorld(b, 300)
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				if err := w.srv.RecreateFolder("INBOX"); err != nil {
					b.Fatal(err)
				}
				for j := 0; j < 100; j++ {
					var pages []string
					for p := 0; p < 20; p++ {
						pages = append(pages, strings.Repeat(fmt.Sprintf("%d-%d-%d ", i, j, p)+line+"\n", 45))
					}
					data := extracttest.PDF(true, pages...)
					name := "response.pdf"
					if kind == "unread" {
						data = bytes.Repeat([]byte(fmt.Sprintf("%08d", i*1000+j)), len(data)/8)
						name = "response.bin"
					}
					w.deliver(replyWithFile(w, j, name, "application/octet-stream", data))
				}
				b.StartTimer()
				st, err := w.watcher().Sync(context.Background())
				if err != nil {
					b.Fatal(err)
				}
				if st.Filed != 100 {
					b.Fatalf("filed %d of 100: %+v", st.Filed, st)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/sync")
		})
	}
}

// A file read once is taken from the cache the next time, under its hash
// and the kind it is read as; what could not be read is not kept; the
// cache empties itself rather than grow past its bounds.
func TestTextCache(t *testing.T) {
	t.Parallel()
	csv := []byte("post,decision\r\nBand 7,declined\r\n")
	sum := fmt.Sprintf("%x", sha256.Sum256(csv))
	att := func(name string) Attachment {
		return Attachment{Name: name, ContentType: "text/csv", Data: csv, SHA256: sum}
	}
	var c textCache
	first := readTexts(&Message{Attachments: []Attachment{att("posts.csv")}}, &c)
	if len(c.m) != 1 || first[0].Status != extract.StatusOK {
		t.Fatalf("after one read: %d cached, status %s", len(c.m), first[0].Status)
	}
	// The cached result is what a fresh read gives, and is what is used.
	key := sum + "/csv"
	marked := c.m[key]
	marked.Reason = "from the cache"
	c.m[key] = marked
	again := readTexts(&Message{Attachments: []Attachment{att("posts.csv"), att("posts.txt")}}, &c)
	if again[0].Reason != "from the cache" || again[0].Text != first[0].Text {
		t.Errorf("second read of posts.csv = %+v, want the cached result", again[0])
	}
	if again[1].Format != "txt" || len(c.m) != 2 {
		t.Errorf("the same bytes named .txt: format %q, %d cached; want their own entry", again[1].Format, len(c.m))
	}
	c.put("bad", extract.Result{Status: extract.StatusUnreadable})
	if _, ok := c.get("bad"); ok {
		t.Error("an unreadable result was kept")
	}
	for i := range maxCachedTexts + 5 {
		c.put(fmt.Sprint(i), extract.Result{Status: extract.StatusOK, Text: "x"})
	}
	if len(c.m) > maxCachedTexts {
		t.Errorf("cache holds %d entries, over %d", len(c.m), maxCachedTexts)
	}
	c.put("big", extract.Result{Status: extract.StatusOK, Text: strings.Repeat("x", maxCachedTextBytes/2+1)})
	c.put("big2", extract.Result{Status: extract.StatusOK, Text: strings.Repeat("y", maxCachedTextBytes/2+1)})
	if c.bytes > maxCachedTextBytes {
		t.Errorf("cache holds %d bytes of text, over %d", c.bytes, maxCachedTextBytes)
	}
	var none *textCache
	none.put("k", first[0])
	if _, ok := none.get("k"); ok {
		t.Error("a nil cache returned something")
	}
}
