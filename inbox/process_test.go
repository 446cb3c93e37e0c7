package inbox

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"foi/lifecycle"
	"foi/localmail"
)

// bigReply is a reply to request i carrying a size-byte attachment.
func bigReply(w *world, i, size int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: <%s>\r\nTo: campaign@foi.test\r\nSubject: RE: request\r\nMessage-ID: <big-%d@nhs.test>\r\n"+
		"In-Reply-To: <%s>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XYZ\r\n\r\n"+
		"--XYZ\r\nContent-Type: text/plain\r\n\r\nPlease find the information attached.\r\n"+
		"--XYZ\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"data.pdf\"\r\n"+
		"Content-Transfer-Encoding: base64\r\n\r\n", w.reqs[i].ToAddress, size, w.reqs[i].MessageID)
	data := bytes.Repeat([]byte("%PDF-1.4 0123456789abcdef"), size/25+1)[:size]
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n--XYZ--\r\n")
	return b.Bytes()
}

// TestProcess30MB files a reply of about 30 MB (a 22 MB attachment, base64)
// and measures how far the heap grows while doing it. The bound asserted is
// generous; the measured peak is logged and recorded in the README.
func TestProcess30MB(t *testing.T) {
	w := newWorld(t, localmail.Options{})
	raw := bigReply(w, 0, 22<<20)
	if len(raw) < 29<<20 {
		t.Fatalf("message is %d bytes, want about 30 MB", len(raw))
	}
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		var m runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
		}
	}()
	p := &Processor{Store: w.st}
	out, err := p.Process(context.Background(), raw, "INBOX", 1, false)
	close(done)
	if err != nil {
		t.Fatal(err)
	}
	if !out.Taken || out.Ref != w.reqs[0].Ref {
		t.Fatalf("outcome %+v, want filed under %s", out, w.reqs[0].Ref)
	}
	growth := int64(peak.Load()) - int64(base.HeapInuse)
	t.Logf("30 MB message (%d bytes): heap grew by at most %d MB while filing it", len(raw), growth>>20)
	if growth > 400<<20 {
		t.Errorf("heap grew by %d MB filing a %d MB message, over the 400 MB bound", growth>>20, len(raw)>>20)
	}
	atts, _ := w.st.Attachments(context.Background(), out.ID)
	if len(atts) != 1 || atts[0].Size != 22<<20 {
		t.Errorf("attachments = %+v, want one of 22 MB", atts)
	}
}

func BenchmarkProcess30MB(b *testing.B) {
	w := newWorld(b, localmail.Options{})
	raw := bigReply(w, 0, 22<<20)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		// A fresh Message-ID and content each time, so nothing is a duplicate.
		msg := bytes.Replace(raw, []byte("<big-"), []byte(fmt.Sprintf("<big%d-", i)), 1)
		p := &Processor{Store: w.st}
		if _, err := p.Process(context.Background(), msg, "INBOX", uint32(i+1), false); err != nil {
			b.Fatal(err)
		}
	}
}

// TestProcessReusedMessageID: an authority's mail system reuses one
// Message-ID for its acknowledgement and, later, its answer. The answer is a
// new message: it is stored, filed (the request moves to responded) and
// flagged reused-message-id for a look. Reading either again, as after a
// crash or a UIDVALIDITY change, is a harmless duplicate.
func TestProcessReusedMessageID(t *testing.T) {
	w := newWorld(t, localmail.Options{})
	ctx := context.Background()
	r := w.reqs[0]
	mail := func(body string) []byte {
		return []byte(fmt.Sprintf("From: FOI Team <%s>\r\nTo: campaign@foi.test\r\nSubject: RE: Freedom of Information request\r\n"+
			"Message-ID: <case-0456@casework.nhs.test>\r\nIn-Reply-To: <%s>\r\nDate: Tue, 3 Mar 2026 10:00:00 +0000\r\n\r\n%s\r\n",
			r.ToAddress, r.MessageID, body))
	}
	ack := mail("Thank you for your request. We acknowledge receipt and will respond within 20 working days.")
	ans := mail("Please find below our response to your request. The information is attached as a spreadsheet.")
	p := &Processor{Store: w.st}
	first, err := p.Process(ctx, ack, "INBOX", 1, false)
	if err != nil || !first.Taken || first.Dup {
		t.Fatalf("Process(ack) = %+v, %v; want taken", first, err)
	}
	second, err := p.Process(ctx, ans, "INBOX", 2, false)
	if err != nil {
		t.Fatal(err)
	}
	if !second.Taken || second.Dup || second.ID == first.ID || second.Ref != r.Ref {
		t.Fatalf("Process(answer with the ack's Message-ID) = %+v; want a new message filed under %s", second, r.Ref)
	}
	m, err := w.st.MessageByID(ctx, second.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Flags, "reused-message-id") {
		t.Errorf("answer flags = %q, want reused-message-id", m.Flags)
	}
	if m0, _ := w.st.MessageByID(ctx, first.ID); strings.Contains(m0.Flags, "reused-message-id") {
		t.Errorf("ack flags = %q, want no reused-message-id (it came first)", m0.Flags)
	}
	if got, _ := w.st.Request(ctx, r.Ref); got.State != lifecycle.Responded {
		t.Errorf("after the answer %s is %s, want responded", r.Ref, got.State)
	}
	for i, raw := range [][]byte{ack, ans} {
		out, err := p.Process(ctx, raw, "INBOX", uint32(10+i), false)
		if err != nil || !out.Dup {
			t.Errorf("re-reading message %d = %+v, %v; want a duplicate", i+1, out, err)
		}
	}
	if got := w.replies()[r.Ref]; got != 2 {
		t.Errorf("%s has %d replies stored, want 2", r.Ref, got)
	}
}
