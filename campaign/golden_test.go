package campaign

import (
	"bytes"
	"context"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"foi"
	"foi/mailer"
	"foi/store"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// seeded is a fixed source of "random" bytes, so Message-IDs are stable.
type seeded struct{ r *rand.ChaCha8 }

func (s seeded) Read(p []byte) (int, error) { return s.r.Read(p) }

func newSeeded() seeded { return seeded{rand.NewChaCha8([32]byte{'f', 'o', 'i'})} }

func exampleStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f, err := foi.Examples.Open("examples/trusts.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	list, err := ParseAuthorities(f)
	if err != nil {
		t.Fatalf("the example trusts.csv does not parse: %v", err)
	}
	if _, _, err := st.UpsertAuthorities(context.Background(), list, time.Now()); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestExampleCampaign(t *testing.T) {
	st := exampleStore(t)
	all, _ := st.Authorities(context.Background())
	tags := map[string]int{}
	for _, a := range all {
		for _, tag := range a.Tags {
			tags[tag]++
		}
		if !strings.HasSuffix(a.Email, ".example.invalid") {
			t.Errorf("%s: address %s is not a placeholder under example.invalid", a.Name, a.Email)
		}
	}
	if len(all) != 55 || tags["applied"] != 24 || tags["did-not-apply"] != 31 {
		t.Errorf("example has %d trusts, %d applied, %d did not; want 55, 24, 31", len(all), tags["applied"], tags["did-not-apply"])
	}
}

// TestGoldenLetters renders the example letters with a fixed clock and
// Message-ID source and compares them byte for byte with testdata.
func TestGoldenLetters(t *testing.T) {
	st := exampleStore(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, London())
	who := Requester{Name: "LXP Revolution", Email: "campaign@lxp-revolution.example.org"}
	random := newSeeded()
	for _, tc := range []struct{ slug, letter, selector, golden string }{
		{"LXPS2", "stage2-did-not-apply.txt", "tag:did-not-apply", "stage2-first.eml"},
		{"LXPS3", "stage3-applied.txt", "tag:applied", "stage3-first.eml"},
	} {
		src, err := foi.Examples.ReadFile("examples/" + tc.letter)
		if err != nil {
			t.Fatal(err)
		}
		c, err := Create(ctx, st, Spec{Slug: tc.slug, Title: "Band 7 Lived Experience Professional roles",
			LetterName: tc.letter, Letter: string(src), Selector: tc.selector}, who, now, random)
		if err != nil {
			t.Fatal(err)
		}
		reqs, err := st.Requests(ctx, c.Slug)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range reqs {
			l, err := FirstLetter(c, r, Env{Now: now})
			if err != nil {
				t.Fatal(err)
			}
			raw, err := mailer.Render(l)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(l.Body, "Dear "+r.Authority.Name+",") || !strings.Contains(l.Subject, "["+r.Ref+"]") {
				t.Errorf("%s: letter does not greet %s or lacks its reference", r.Ref, r.Authority.Name)
			}
			if i > 0 {
				continue
			}
			path := filepath.Join("testdata", tc.golden)
			if *update {
				if err := os.WriteFile(path, raw, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./campaign -update to create it)", err)
			}
			if !bytes.Equal(raw, want) {
				t.Errorf("%s: rendered letter differs from %s:\n got: %s\nwant: %s", r.Ref, path, raw, want)
			}
		}
	}
}

// TestFollowUpSubject: a later letter's subject says what it is and keeps
// [REF], which replies are matched by, and the authority's reference.
func TestFollowUpSubject(t *testing.T) {
	const title = "Band 7 Lived Experience Professional roles"
	for _, tc := range []struct{ template, authorityRef, want string }{
		{"first_chaser", "", "Chaser: Freedom of Information request [LXP7-004]: " + title},
		{"first_chaser", "FOI-2108", "Chaser: Freedom of Information request [LXP7-004]: " + title + " (your ref FOI-2108)"},
		{"final_chaser", "FOI-2108", "Final chaser: Freedom of Information request [LXP7-004]: " + title + " (your ref FOI-2108)"},
		{"review_on_silence", "", "Internal review request [LXP7-004]: " + title},
		{"review_on_silence", "FOI-2108", "Internal review request [LXP7-004]: " + title + " (your ref FOI-2108)"},
		{"review_after_refusal", "FOI-2108", "Internal review request [LXP7-004]: " + title + " (your ref FOI-2108)"},
		{"foisa_review", "FOI-2108", "Internal review request [LXP7-004]: " + title + " (your ref FOI-2108)"},
		{"clarification", "FOI-2108", "Re: Freedom of Information request [LXP7-004]: " + title + " (your ref FOI-2108)"},
		{"ico_complaint", "", "Complaint to the Information Commissioner [LXP7-004]: " + title},
		{"ico_complaint", "FOI-2108", "Complaint to the Information Commissioner [LXP7-004]: " + title + " (authority's ref FOI-2108)"},
		{"sic_appeal", "FOI-2108", "Application to the Scottish Information Commissioner [LXP7-004]: " + title + " (authority's ref FOI-2108)"},
		{"my_own_letter", "", "Re: Freedom of Information request [LXP7-004]: " + title},
		{"my_own_letter", "FOI-2108", "Re: Freedom of Information request [LXP7-004]: " + title + " (your ref FOI-2108)"},
	} {
		if got := FollowUpSubject(tc.template, "LXP7-004", title, tc.authorityRef); got != tc.want {
			t.Errorf("FollowUpSubject(%q, ref %q) = %q, want %q", tc.template, tc.authorityRef, got, tc.want)
		}
	}
}
