package inbox

import (
	"testing"

	"github.com/emersion/go-imap/v2"

	"foi/config"
)

// A pass's batches start small and double up to batchCount; every UID is
// in one batch, in order; batchBytes bounds a batch beyond its first
// message, counting a message above the size limit by the limit.
func TestBatchesRampAndBound(t *testing.T) {
	t.Parallel()
	w := &Watcher{Cfg: config.IMAP{MaxMessageSize: 30 << 20}}
	var uids []imap.UID
	sizes := map[imap.UID]int64{}
	for i := 1; i <= 1000; i++ {
		uids = append(uids, imap.UID(i))
		sizes[imap.UID(i)] = 10 << 10
	}
	var got []int
	next := imap.UID(1)
	for _, b := range w.batches(uids, sizes) {
		got = append(got, len(b))
		for _, uid := range b {
			if uid != next {
				t.Fatalf("UID %d where %d was due", uid, next)
			}
			next++
		}
	}
	want := []int{25, 50, 100, 200, 200, 200, 200, 25}
	if len(got) != len(want) {
		t.Fatalf("batches %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("batches %v, want %v", got, want)
		}
	}
	// Big messages: batchBytes cuts, and one above it goes alone.
	sizes[3], sizes[4] = 5<<20, 40<<20
	b := w.batches(uids[:10], sizes)
	if len(b) != 3 || len(b[0]) != 3 || len(b[1]) != 1 || b[1][0] != 4 || len(b[2]) != 6 {
		t.Errorf("with a 5 MB and a 40 MB message: %v", b)
	}
	// BatchSize caps the ramp too.
	w.BatchSize = 3
	sizes[3], sizes[4] = 10<<10, 10<<10
	if b := w.batches(uids[:7], sizes); len(b) != 3 || len(b[0]) != 3 || len(b[2]) != 1 {
		t.Errorf("BatchSize 3: %v", b)
	}
}
