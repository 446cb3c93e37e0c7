package inbox

import (
	"context"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"foi/campaign"
	"foi/store"
)

// sentCampaign is a store holding campaign slug, sent to these authorities.
func sentCampaign(t testing.TB, slug string, list []store.Authority) (*store.Store, []store.Request) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	if _, _, err := st.UpsertAuthorities(ctx, list, now); err != nil {
		t.Fatal(err)
	}
	if _, err := campaign.Create(ctx, st, campaign.Spec{Slug: slug, Title: "Cancer waiting times", LetterName: "l.txt",
		Letter: "Dear {{.Authority.Name}}", Selector: "all"}, campaign.Requester{Name: "LXP", Email: "campaign@foi.test"}, now, rand.Reader); err != nil {
		t.Fatal(err)
	}
	if _, err := campaign.Queue(ctx, st, slug, campaign.Env{Now: now}, 0); err != nil {
		t.Fatal(err)
	}
	items, _ := st.Outbox(ctx, slug)
	for _, it := range items {
		if err := st.Claim(ctx, it.ID, now); err != nil {
			t.Fatal(err)
		}
		if err := st.MarkSent(ctx, it.ID, now, ""); err != nil {
			t.Fatal(err)
		}
	}
	reqs, err := st.Requests(ctx, slug)
	if err != nil {
		t.Fatal(err)
	}
	return st, reqs
}

// TestProcessForeignRefNotFiledBySender is finding 5 of issue 9: 150
// replies about another campaign's requests ([CRA-004] and so on, unknown
// here) come from NHSmail, a domain shared by all our trusts, each from an
// address to which we have exactly one open request, or from a trust's own
// domain with one open request. The sender rules used to file every one
// under our request. A message naming a reference not ours is never filed
// by who sent it: each goes to the unmatched queue, with the sender's
// request suggested. Without the foreign reference the same mail is still
// filed by the sender rule (low confidence); a reference of ours is filed
// under the request it names, whoever sent it.
func TestProcessForeignRefNotFiledBySender(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var list []store.Authority
	for i := 1; i <= 140; i++ {
		list = append(list, store.Authority{Name: fmt.Sprintf("Trust %03d", i), Email: fmt.Sprintf("trust%03d.foi@nhs.net", i), Jurisdiction: "foia"})
	}
	for i := 141; i <= 150; i++ {
		list = append(list, store.Authority{Name: fmt.Sprintf("Trust %03d", i), Email: fmt.Sprintf("foi@trust-%03d.nhs.uk", i), Jurisdiction: "foia"})
	}
	st, reqs := sentCampaign(t, "LXP7", list)
	if len(reqs) != 150 {
		t.Fatalf("%d requests, want 150", len(reqs))
	}
	p := &Processor{Store: st}
	mail := func(from, subject, id string) []byte {
		return []byte(fmt.Sprintf("From: FOI Team <%s>\r\nTo: campaign@foi.test\r\nSubject: %s\r\nMessage-ID: <%s>\r\n"+
			"Date: Tue, 3 Mar 2026 10:00:00 +0000\r\n\r\nPlease find attached our response to your request.\r\n", from, subject, id))
	}
	// The other campaign's references run CRA-001 to CRA-150: none is ours.
	for i, r := range reqs {
		from := r.ToAddress
		if i >= 140 {
			from = fmt.Sprintf("casework@trust-%03d.nhs.uk", i+1) // not the address written to: the domain rule
		}
		subject := fmt.Sprintf("RE: Freedom of Information request [CRA-%03d]: Staff survey", (i+3)%150+1)
		if i%2 == 1 {
			subject = fmt.Sprintf("FW: [ CRA - %03d ] response", (i+3)%150+1)
		}
		out, err := p.Process(ctx, mail(from, subject, fmt.Sprintf("cra-%d@nhs.net", i)), "INBOX", uint32(i+1), false)
		if err != nil {
			t.Fatal(err)
		}
		if !out.Taken || out.Ref != "" {
			t.Errorf("reply from %s %q: outcome %+v, want taken into the unmatched queue", from, subject, out)
			continue
		}
		m, err := st.MessageByID(ctx, out.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Suggested) == 0 || m.Suggested[0].Ref != r.Ref {
			t.Errorf("reply from %s %q: suggestions %+v, want %s first", from, subject, m.Suggested, r.Ref)
		}
	}
	unmatched, err := st.Unmatched(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(unmatched) != 150 {
		t.Errorf("%d messages unmatched, want all 150", len(unmatched))
	}
	for _, r := range reqs {
		if thread, _ := st.Thread(ctx, r.ID); len(thread) != 1 {
			t.Errorf("%s has %d messages, want only our letter", r.Ref, len(thread))
		}
	}

	// Controls: no foreign reference, the sender rules file it (low
	// confidence); one of ours from another trust files under the one named.
	tests := []struct {
		from, subject, wantRef, wantRule string
	}{
		{reqs[4].ToAddress, "RE: Freedom of Information request", reqs[4].Ref, string(RuleSender)},
		{"casework@trust-145.nhs.uk", "Your request", reqs[144].Ref, string(RuleSenderDomain)},
		{reqs[6].ToAddress, "RE: [" + reqs[9].Ref + "] answer", reqs[9].Ref, string(RuleSubjectRef)},
	}
	for i, tt := range tests {
		out, err := p.Process(ctx, mail(tt.from, tt.subject, fmt.Sprintf("control-%d@nhs.net", i)), "INBOX", uint32(1000+i), false)
		if err != nil {
			t.Fatal(err)
		}
		if out.Ref != tt.wantRef || out.Rule != tt.wantRule {
			t.Errorf("from %s %q: filed under %q by %q, want %s by %s", tt.from, tt.subject, out.Ref, out.Rule, tt.wantRef, tt.wantRule)
		}
	}
}
