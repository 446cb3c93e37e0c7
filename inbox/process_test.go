package inbox

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

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
