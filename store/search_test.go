package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"foi/lifecycle"
)

func TestMatchExpr(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`Equality Impact Assessment`, `"Equality" "Impact" "Assessment"`},
		{`"Equality Impact Assessment"`, `"Equality Impact Assessment"`},
		{`assess* "band 7`, `"assess*" "band 7"`},
		{`FOI-2108 OR NOT (x) NEAR:`, `"FOI 2108" "OR" "NOT" "x" "NEAR"`},
		{`"" - * ""`, ``},
		{`Müller`, `"Müller"`},
	}
	for _, tt := range tests {
		if got := matchExpr(tt.in); got != tt.want {
			t.Errorf("matchExpr(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestSearch: received messages and file texts are found by their words,
// in order, with snippets; our own letters are not; a campaign narrows;
// files that could not be read are listed whatever the query.
func TestSearch(t *testing.T) {
	st := open(t, t.TempDir())
	twoRequests(t, st)
	ctx := context.Background()
	now := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	a := incoming("C1-001", "a@a.test", "We did an Equality Impact Assessment in May.", lifecycle.KindSubstantive)
	a.Subject = "Your request"
	a.Attachments = []Attachment{{Seq: 0, Name: "eia.pdf", ContentType: "application/pdf", Size: 10, SHA256: "f1", Source: "mime"},
		{Seq: 1, Name: "scan.pdf", ContentType: "application/pdf", Size: 10, SHA256: "f2", Source: "mime"},
		{Seq: 2, Name: "new.docx", ContentType: "application/pdf", Size: 10, SHA256: "f3", Source: "mime"}}
	b := incoming("C1-002", "b@b.test", "No impact on equality was assessed.", lifecycle.KindSubstantive)
	u := incoming("", "u@u.test", "An equality impact assessment, unmatched.", lifecycle.KindUnknown)
	for _, in := range []Incoming{a, b, u} {
		if _, _, err := st.SaveIncoming(ctx, in, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.PutFileText(ctx, FileText{SHA256: "f1", Status: "ok", Format: "pdf", Version: 1,
		Text: "Annex A.\n\fThe Équality Impact\nAssessment found no adverse effect."}); err != nil {
		t.Fatal(err)
	}
	if err := st.PutFileText(ctx, FileText{SHA256: "f2", Status: "no-text", Format: "pdf", Reason: "no text layer", Version: 1}); err != nil {
		t.Fatal(err)
	}
	res, err := st.Search(ctx, `"Equality Impact Assessment"`, "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range res.Hits {
		got = append(got, h.Ref+"/"+h.File+": "+SnippetText(h.Snippet, "[", "]"))
	}
	want := []string{
		"C1-001/: We did an [Equality] [Impact] [Assessment] in May.",
		"C1-001/eia.pdf: Annex A. The [Équality] [Impact] [Assessment] found no adverse effect.",
		"/: An [equality] [impact] [assessment], unmatched.",
	}
	if len(got) != len(want) {
		t.Fatalf("Search hits = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("hit %d = %q, want %q", i, got[i], want[i])
		}
	}
	if len(res.Unread) != 2 || res.Unread[0].Name != "scan.pdf" || res.Unread[0].Status != "no-text" ||
		res.Unread[1].Name != "new.docx" || res.Unread[1].Status != "not-read" {
		t.Errorf("Unread = %+v, want scan.pdf no-text and new.docx not-read", res.Unread)
	}
	// All words, any order: C1-002 too.
	res, _ = st.Search(ctx, `equality assessed`, "C1")
	if len(res.Hits) != 1 || res.Hits[0].Ref != "C1-002" {
		t.Errorf("equality assessed in C1: %+v", res.Hits)
	}
	// Prefix.
	if res, _ := st.Search(ctx, `assess*`, "c1"); len(res.Hits) != 3 {
		t.Errorf("assess* in C1: %d hits, want 3", len(res.Hits))
	}
	if _, err := st.Search(ctx, `"" -`, ""); !errors.Is(err, ErrEmptyQuery) {
		t.Errorf("empty query: %v", err)
	}
	if _, err := st.Search(ctx, `x`, "NOPE"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown campaign: %v", err)
	}
	// A replaced text is searched as replaced.
	st.PutFileText(ctx, FileText{SHA256: "f1", Status: "ok", Version: 2, Text: "nothing relevant"})
	if res, _ := st.Search(ctx, `adverse`, ""); len(res.Hits) != 0 {
		t.Errorf("old text still found: %+v", res.Hits)
	}
	if n, err := st.RebuildMessageIndex(ctx, nil); err != nil || n != 3 {
		t.Errorf("RebuildMessageIndex = %d, %v", n, err)
	}
}

// A received message is indexed once, with its SearchBody (the quoted
// letter left out), as it is stored; PutFileTexts stores the files' text in
// one transaction; FileTextVersions says which are read.
func TestIndexOnceAndPutFileTexts(t *testing.T) {
	st := open(t, t.TempDir())
	twoRequests(t, st)
	ctx := context.Background()
	now := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	a := incoming("C1-001", "a@a.test", "Our reply.\n> your quoted letter about staffing", lifecycle.KindSubstantive)
	a.SearchBody = "Our reply."
	a.Attachments = []Attachment{{Seq: 0, Name: "posts.pdf", ContentType: "application/pdf", Size: 10, SHA256: "p1", Source: "mime"}}
	b := incoming("C1-002", "b@b.test", "Another reply about rotas.", lifecycle.KindSubstantive)
	var ids []int64
	for _, in := range []Incoming{a, b} {
		id, _, err := st.SaveIncoming(ctx, in, now)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if res, _ := st.Search(ctx, "staffing", ""); len(res.Hits) != 0 {
		t.Errorf("quoted text indexed: %+v", res.Hits)
	}
	if res, _ := st.Search(ctx, "reply", ""); len(res.Hits) != 2 {
		t.Errorf("reply found %d times, want 2 (each message indexed once): %+v", len(res.Hits), res.Hits)
	}
	var rows int
	if err := st.db.QueryRowContext(ctx, `SELECT count(*) FROM message_fts`).Scan(&rows); err != nil || rows != 2 {
		t.Errorf("message_fts holds %d rows (%v), want 2", rows, err)
	}
	err := st.PutFileTexts(ctx, []FileText{{SHA256: "p1", Status: "ok", Format: "pdf", Version: 3, Text: "Band 7 peer support posts", At: now},
		{SHA256: "p2", Status: "no-text", Format: "pdf", Reason: "no text layer", Version: 3, At: now}})
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := st.Search(ctx, "rotas", ""); len(res.Hits) != 1 || res.Hits[0].MessageID != ids[1] {
		t.Errorf("rotas: %+v", res.Hits)
	}
	if res, _ := st.Search(ctx, `"peer support"`, ""); len(res.Hits) != 1 || res.Hits[0].File != "posts.pdf" {
		t.Errorf("file text: %+v", res.Hits)
	}
	v, err := st.FileTextVersions(ctx, []string{"p1", "p2", "p3"})
	if err != nil || len(v) != 2 || v["p1"] != 3 || v["p2"] != 3 {
		t.Errorf("FileTextVersions = %v, %v; want p1 and p2 at 3, p3 absent", v, err)
	}
	// A failing statement leaves the whole batch out: nothing half-done.
	err = st.PutFileTexts(ctx, []FileText{{SHA256: "p4", Status: "ok", Version: 3, Text: "t", At: now}, {SHA256: "p4b"}})
	if err == nil {
		t.Fatal("a file text with no status was stored")
	}
	if v, _ := st.FileTextVersions(ctx, []string{"p4"}); len(v) != 0 {
		t.Errorf("p4 stored by a failed batch: %v", v)
	}
}
