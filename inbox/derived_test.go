package inbox

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// A message's values derived once on the parse workers are those worked
// out afresh: the classification, the bounce check and the new text, on
// every message of the corpus.
func TestDerivedSameAsAfresh(t *testing.T) {
	t.Parallel()
	bounces := 0
	for f, raw := range corpusMessages(t) {
		fresh, err1 := Parse(raw)
		kept, err2 := Parse(raw)
		if err1 != nil || err2 != nil {
			continue
		}
		kept.derive()
		if !kept.d.ready || fresh.d.ready {
			t.Fatalf("%s: derive did not mark the message", f)
		}
		letters := readTexts(fresh, nil).letters()
		if a, b := ClassifyWith(fresh, letters), ClassifyWith(kept, letters); !reflect.DeepEqual(a, b) {
			t.Errorf("%s: classification %+v, derived %+v", f, a, b)
		}
		ca, oka := fresh.bounceOf()
		cb, okb := kept.bounceOf()
		if oka != okb || !reflect.DeepEqual(ca, cb) {
			t.Errorf("%s: bounce %v %+v, derived %v %+v", f, oka, ca, okb, cb)
		}
		if oka {
			bounces++
		}
		if fresh.newText() != kept.newText() {
			t.Errorf("%s: new text differs", f)
		}
	}
	if bounces < 3 {
		t.Errorf("%d bounces in the corpus: the bounce memo is not tested", bounces)
	}
}

// corpusMessages reads every message of testdata/corpus, by file name.
func corpusMessages(t *testing.T) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob("testdata/corpus/*.eml")
	if err != nil || len(files) < 50 {
		t.Fatalf("corpus: %d files, %v", len(files), err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = raw
	}
	return out
}
